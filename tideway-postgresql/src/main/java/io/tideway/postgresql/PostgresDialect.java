package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.Role;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.WriteResult;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The PostgreSQL dialect: connections, and the parts that speak PostgreSQL's SQL: pg_catalog
 * reading ({@link PostgresCatalog}), DDL ({@link PostgresDdl}), streaming reads ({@link PostgresRows}),
 * COPY FROM STDIN writes ({@link PostgresCopyWriter}), upserts, updates and deletes
 * ({@link PostgresUpserts}), verification and correction scripts ({@link PostgresVerify}), error
 * classification ({@link PostgresErrors}) and the prechecks ({@link PostgresPrecheck}).
 */
public final class PostgresDialect implements Dialect {
    /** What readTables found but could not carry (expression indexes, generated columns), by table. */
    private final Map<TableId, List<String>> unsupported = new ConcurrentHashMap<>();
    /** The extensions the column types of the tables readTables found come from, by table (column -> extension). */
    private final Map<TableId, Map<String, String>> extensions = new ConcurrentHashMap<>();

    /**
     * Whether the other end of the project is PostgreSQL too: values whose kind's canonical form
     * cannot hold them are then read in PostgreSQL's own text (see {@link PostgresValues}).
     */
    private final boolean verbatim;

    public PostgresDialect() {
        this(false);
    }

    private PostgresDialect(boolean verbatim) {
        this.verbatim = verbatim;
    }


    /** To a PostgreSQL peer, numeric NaN/Infinity, intervals with months and arrays (with their bounds) are read verbatim. */
    @Override
    public PostgresDialect withPeer(DataSourceType.Family peer) {
        boolean same = PostgresPlugin.FAMILY.equals(peer);
        return same == verbatim ? this : new PostgresDialect(same);
    }

    /** Whether this dialect reads values verbatim for a PostgreSQL peer ({@link #withPeer}). */
    public boolean verbatim() {
        return verbatim;
    }

    // ---------------------------------------------------------------- connections

    @Override
    public Connection connect(DataSourceConfig cfg) {
        String host = cfg.host().contains(":") && !cfg.host().startsWith("[") ? "[" + cfg.host() + "]" : cfg.host();
        String db = cfg.database() == null || cfg.database().isEmpty() ? "postgres" : cfg.database();
        String url = "jdbc:postgresql://" + host + ":" + cfg.port() + "/"
                + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20");
        Properties p = new Properties();
        p.setProperty("connectTimeout", "10");
        p.setProperty("ApplicationName", "Tideway");
        p.setProperty("tcpKeepAlive", "true");
        p.putAll(cfg.properties());
        if (cfg.user() != null) {
            p.setProperty("user", cfg.user());
        }
        p.setProperty("password", cfg.password());
        Connection c;
        try {
            c = new org.postgresql.Driver().connect(url, p);
        } catch (SQLException e) {
            throw PostgresErrors.connectFailure(cfg.withDatabase(db), e);
        }
        if (c == null) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "host '" + cfg.host() + "' or database '" + db
                    + "' does not form a valid PostgreSQL address");
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'sql_standard'; "
                    + "SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
            c.setAutoCommit(true);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw new TidewayException(PostgresErrors.classify(e), "cannot prepare a session on postgresql at "
                    + cfg.address() + ": " + PostgresErrors.serverText(e), e);
        }
    }

    @Override
    public String serverVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }


    // ---------------------------------------------------------------- identifiers and catalog

    @Override
    public String quote(String identifier) {
        return PostgresDdl.q(identifier);
    }

    @Override
    public String defaultSchema(DataSourceConfig cfg) {
        return "public";
    }

    @Override
    public List<String> listSchemas(Connection c) throws SQLException {
        return PostgresCatalog.listSchemas(c);
    }

    @Override
    public List<Table> readTables(Connection c, String schema, Predicate<TableId> filter) throws SQLException {
        List<Table> out = new ArrayList<>();
        for (PostgresCatalog.Read r : PostgresCatalog.readTables(c, schema, filter)) {
            unsupported.put(r.table().id(), r.unsupported());
            extensions.put(r.table().id(), r.extensions());
            out.add(r.table());
        }
        return out;
    }

    /**
     * Columns with no neutral equivalent (OTHER, carried between PostgreSQL databases only), and,
     * for tables read by this dialect, generated columns and indexes that are not carried
     * (expression, partial, non-btree).
     */
    @Override
    public List<String> unsupportedColumns(Table t) {
        List<String> known = unsupported.get(t.id());
        if (known != null) {
            return known;
        }
        return t.columns().stream().map(PostgresTypes::unsupportedReason).filter(r -> r != null).toList();
    }

    /** Columns whose types come from an extension (citext, hstore, ltree, isn's isbn, their arrays, ...), for tables read here. */
    @Override
    public Map<String, String> columnExtensions(Table t) {
        return extensions.getOrDefault(t.id(), Map.of());
    }

    /**
     * The extensions of {@code names} not created in the connected database, each with its CREATE
     * EXTENSION; one the server does not even offer (pg_available_extensions) says so.
     */
    @Override
    public Map<String, String> missingExtensions(Connection c, Set<String> names) throws SQLException {
        return PostgresCatalog.missingExtensions(c, names);
    }

    @Override
    public boolean hasRows(Connection c, TableId id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + quote(id) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    // ---------------------------------------------------------------- DDL

    @Override
    public List<String> createSchemaSql(String schema) {
        return PostgresDdl.createSchemaSql(schema);
    }

    @Override
    public CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily) {
        return PostgresDdl.createTable(t, sourceFamily);
    }

    /**
     * CREATE [UNIQUE] INDEX IF NOT EXISTS for the unique keys and secondary indexes, then the
     * statements that move identity sequences past the copied keys (see {@link PostgresDdl#createIndexesSql}).
     */
    @Override
    public List<String> createIndexesSql(Table t) {
        return PostgresDdl.createIndexesSql(t);
    }

    @Override
    public List<String> advanceAutoIncrementSql(Table t) {
        return PostgresDdl.advanceAutoIncrementSql(t);
    }

    @Override
    public String dropTableSql(TableId id) {
        return PostgresDdl.dropTableSql(id);
    }

    @Override
    public String truncateSql(TableId id) {
        return PostgresDdl.truncateSql(id);
    }

    @Override
    public List<String> addColumnSql(TableId table, Column column, DataSourceType.Family sourceFamily) {
        return PostgresDdl.addColumnSql(table, column, sourceFamily);
    }

    @Override
    public List<String> modifyColumnSql(Table table, String column, DataSourceType.Family sourceFamily) {
        return PostgresDdl.modifyColumnSql(table, column, sourceFamily);
    }

    @Override
    public List<String> renameTableSql(TableId from, TableId to) {
        return PostgresDdl.renameTableSql(from, to);
    }

    @Override
    public String indexName(TableId table, String indexName) {
        return PostgresDdl.indexName(table, indexName);
    }

    @Override
    public String dropIndexSql(TableId table, String indexName) {
        return PostgresDdl.dropIndexSql(table, indexName);
    }

    @Override
    public String dropColumnSql(TableId table, String column) {
        return PostgresDdl.dropColumnSql(table, column);
    }

    // ---------------------------------------------------------------- reading rows

    @Override
    public RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return PostgresRows.openRows(c, t, range, options, verbatim);
    }

    @Override
    public void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        PostgresRows.checkRowFilter(c, t, filter);
    }

    @Override
    public Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException {
        return PostgresRows.integerKeyBounds(c, t);
    }

    @Override
    public Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException {
        return PostgresRows.nextBoundary(c, t, after, step, verbatim);
    }

    @Override
    public RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        return PostgresVerify.openRowsByKeys(c, t, keys, options, verbatim);
    }

    @Override
    public Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter) throws SQLException {
        return PostgresVerify.chunkChecksum(c, t, range, filter);
    }

    // ---------------------------------------------------------------- writing rows

    @Override
    public WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return PostgresUpserts.bulkInsert(c, t, rows);
    }

    /**
     * Multi-row {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}; within a batch
     * the last row of a key wins (one statement may not touch a row twice).
     */
    @Override
    public WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return PostgresUpserts.upsert(c, t, rows);
    }

    @Override
    public long updateByKey(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return PostgresUpserts.updateByKey(c, t, rows);
    }

    @Override
    public long deleteRange(Connection c, Table t, KeyRange range) throws SQLException {
        return PostgresUpserts.deleteRange(c, t, range);
    }

    @Override
    public long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException {
        return PostgresUpserts.deleteOneMatching(c, t, row);
    }

    @Override
    public long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException {
        return PostgresUpserts.deleteKeys(c, t, keys);
    }

    // ---------------------------------------------------------------- SQL scripts

    @Override
    public String literal(Column column, Object value) {
        return PostgresVerify.literal(column, value);
    }

    @Override
    public String writeRowSql(Table t, Object[] row) {
        return PostgresVerify.writeRowSql(t, row);
    }

    @Override
    public String deleteRowSql(Table t, Object[] values) {
        return PostgresVerify.deleteRowSql(t, values);
    }

    @Override
    public List<String> sqlScriptHeader() {
        return PostgresVerify.sqlScriptHeader();
    }

    @Override
    public List<String> sqlScriptFooter() {
        return PostgresVerify.sqlScriptFooter();
    }

    // ---------------------------------------------------------------- errors

    /** Classifies by PostgreSQL's SQLStates (see {@code PostgresErrors#classify(SQLException)}). */
    @Override
    public TidewayException classify(SQLException e, String what) {
        return PostgresErrors.classify(e, what);
    }

    // ---------------------------------------------------------------- precheck

    @Override
    public List<CheckResult> precheck(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException {
        return PostgresPrecheck.run(c, cfg, role, steps);
    }

    /** {@code source.keyless_lock}: the brief SHARE lock of a keyless table's consistent read needs UPDATE, DELETE or TRUNCATE. */
    @Override
    public Optional<CheckResult> keylessReadCheck(Connection c, List<TableId> keyless) throws SQLException {
        return Optional.of(PostgresPrecheck.keylessLock(c, "source.keyless_lock", keyless));
    }
}

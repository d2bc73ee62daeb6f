package io.tideway.mysql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.Role;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.WriteResult;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The dialect of MySQL, MariaDB and OceanBase (MySQL mode), spoken through MariaDB Connector/J.
 * Sessions run in UTC with utf8mb4, a strict sql_mode that keeps 0 in auto-increment columns, and
 * foreign key checks off (tables are loaded in any order).
 */
public final class MySqlDialect implements Dialect {
    /** What readTables found but does not carry (generated expressions, ON UPDATE, some indexes), by table. */
    private final Map<TableId, List<String>> notCarried = new java.util.concurrent.ConcurrentHashMap<>();
    static final int CONNECT_TIMEOUT_MS = 10_000;
    static final String SQL_MODE = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";


    // ---------------------------------------------------------------- connections

    @Override
    public Connection connect(DataSourceConfig cfg) {
        Properties props = new Properties();
        props.setProperty("allowLocalInfile", "true");
        props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MS));
        for (Map.Entry<String, String> e : cfg.properties().entrySet()) {
            props.setProperty(e.getKey(), e.getValue());
        }
        if (cfg.user() != null) {
            props.setProperty("user", cfg.user());
        }
        props.setProperty("password", cfg.password());
        String url = "jdbc:mariadb://" + cfg.host() + ":" + cfg.port() + "/";
        Connection c;
        try {
            c = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw MySqlErrors.connectFailure(e, cfg);
        }
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = '" + SQL_MODE + "', foreign_key_checks = 0");
                try {
                    st.execute("SET explicit_defaults_for_timestamp = 1");
                } catch (SQLException ignored) {
                    // older servers: TIMESTAMP columns are always declared NULL / NOT NULL explicitly anyway
                }
                if (cfg.database() != null && !cfg.database().isEmpty()) {
                    st.execute("USE " + quote(cfg.database()));
                }
            }
            c.setAutoCommit(true);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
            throw MySqlErrors.connectFailure(e, cfg);
        }
    }

    @Override
    public String serverVersion(Connection c) throws SQLException {
        return MySqlPrecheck.version(c);
    }

    // ---------------------------------------------------------------- identifiers and catalog

    @Override
    public String quote(String identifier) {
        return MySqlDdl.q(identifier);
    }

    @Override
    public String defaultSchema(DataSourceConfig cfg) {
        return cfg.database();
    }

    @Override
    public List<String> listSchemas(Connection c) throws SQLException {
        return MySqlCatalog.listSchemas(c);
    }

    @Override
    public List<Table> readTables(Connection c, String schema, Predicate<TableId> filter) throws SQLException {
        return MySqlCatalog.readTables(c, schema, filter, notCarried);
    }

    @Override
    public List<String> unsupportedColumns(Table t) {
        List<String> out = new java.util.ArrayList<>(MySqlCatalog.unsupportedColumns(t));
        out.addAll(notCarried.getOrDefault(t.id(), List.of()));
        return out;
    }

    @Override
    public Map<String, Long> zeroDateCounts(Connection c, Table t) throws SQLException {
        return MySqlRows.zeroDateCounts(c, t);
    }

    @Override
    public boolean hasRows(Connection c, TableId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + quote(id) + " LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, id);
        }
    }

    // ---------------------------------------------------------------- DDL

    @Override
    public List<String> createSchemaSql(String schema) {
        return MySqlDdl.createSchema(schema);
    }

    @Override
    public CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily) {
        return MySqlDdl.createTable(t, sourceFamily, false);
    }

    /**
     * As {@link #createTable(Table, DataSourceType.Family)}, for a destination whose version is known:
     * UUID columns become MariaDB's native uuid type from 10.7 on (char(36) otherwise).
     */
    public CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily, String destinationVersion) {
        boolean nativeUuid = MySqlPrecheck.isMariaDb(destinationVersion) && MySqlPrecheck.atLeast(destinationVersion, 10, 7);
        return MySqlDdl.createTable(t, sourceFamily, nativeUuid);
    }

    @Override
    public List<String> createIndexesSql(Table t) {
        return MySqlDdl.createIndexes(t);
    }

    @Override
    public String dropTableSql(TableId id) {
        return "DROP TABLE IF EXISTS " + quote(id);
    }

    @Override
    public String truncateSql(TableId id) {
        return "TRUNCATE TABLE " + quote(id);
    }

    @Override
    public String truncateInTransactionSql(TableId id) {
        return "DELETE FROM " + quote(id);
    }

    // ---------------------------------------------------------------- reading rows

    @Override
    public RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return MySqlRows.open(c, t, range, options);
    }

    @Override
    public Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException {
        return MySqlRows.integerKeyBounds(c, t);
    }

    @Override
    public Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException {
        return MySqlRows.nextBoundary(c, t, after, step);
    }

    @Override
    public RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        return MySqlVerify.openRowsByKeys(c, t, keys, options);
    }

    @Override
    public Optional<io.tideway.core.spi.ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter)
            throws SQLException {
        return MySqlVerify.chunkChecksum(c, t, range, filter);
    }

    @Override
    public void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        MySqlRows.checkFilter(c, t, filter);
    }

    // ---------------------------------------------------------------- writing rows

    @Override
    public WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return MySqlLoadData.bulkInsert(c, t, rows);
    }

    @Override
    public WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return MySqlInserts.insert(c, t, rows, true);
    }

    @Override
    public List<String> addColumnSql(TableId table, io.tideway.core.model.Column column, DataSourceType.Family sourceFamily) {
        // typed exactly as CREATE TABLE types it: plan a one-column table and take its column definition
        Table one = new Table(table, List.of(column), List.of(), List.of(), null, 0, 0);
        io.tideway.core.spi.CreateTablePlan plan = createTable(one, sourceFamily);
        if (!plan.problems().isEmpty()) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE,
                    "cannot add column " + column.name() + " to " + table + ": " + String.join("; ", plan.problems()));
        }
        String create = plan.statements().get(0);
        String def = create.substring(create.indexOf("(\n") + 2, create.lastIndexOf("\n)")).trim();
        return List.of("ALTER TABLE " + quote(table) + " ADD COLUMN " + def);
    }

    @Override
    public String dropColumnSql(TableId table, String column) {
        return "ALTER TABLE " + quote(table) + " DROP COLUMN " + quote(column);
    }

    @Override
    public List<String> modifyColumnSql(Table table, String column, DataSourceType.Family sourceFamily) {
        io.tideway.core.model.Column col = table.column(column).orElseThrow(() -> new IllegalArgumentException(
                "no column " + column + " in " + table.id()));
        List<String> problems = new java.util.ArrayList<>();
        String def = MySqlDdl.columnDefinition(col, MySqlDdl.keyColumns(table).contains(column),
                MySqlPlugin.FAMILY.equals(sourceFamily), false, problems, new java.util.ArrayList<>());
        if (def == null) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE,
                    "cannot change column " + column + " of " + table.id() + ": " + String.join("; ", problems));
        }
        return List.of("ALTER TABLE " + quote(table.id()) + " MODIFY COLUMN " + def);
    }

    @Override
    public List<String> renameTableSql(TableId from, TableId to) {
        return List.of("RENAME TABLE " + quote(from) + " TO " + quote(to));
    }

    @Override
    public String dropIndexSql(TableId table, String indexName) {
        return "ALTER TABLE " + quote(table) + " DROP INDEX " + quote(indexName);
    }

    @Override
    public long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException {
        return MySqlInserts.deleteOneMatching(c, t, row);
    }

    @Override
    public long updateByKey(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return MySqlInserts.updateByKey(c, t, rows);
    }

    @Override
    public long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException {
        return MySqlInserts.deleteKeys(c, t, keys);
    }

    @Override
    public long deleteRange(Connection c, Table t, KeyRange range) throws SQLException {
        return MySqlInserts.deleteRange(c, t, range);
    }

    // ---------------------------------------------------------------- SQL scripts

    @Override
    public String literal(io.tideway.core.model.Column column, Object value) {
        return MySqlVerify.literal(column, value);
    }

    @Override
    public String writeRowSql(Table t, Object[] row) {
        return MySqlVerify.writeRowSql(t, row);
    }

    @Override
    public String deleteRowSql(Table t, Object[] values) {
        return MySqlVerify.deleteRowSql(t, values);
    }

    @Override
    public List<String> sqlScriptHeader() {
        return MySqlVerify.scriptHeader();
    }

    @Override
    public List<String> sqlScriptFooter() {
        return MySqlVerify.scriptFooter();
    }

    // ---------------------------------------------------------------- precheck

    /** MariaDB/MySQL error codes first (lock wait timeout, full disk, missing privilege ...), then SQLSTATE classes. */
    @Override
    public io.tideway.core.model.TidewayException classify(SQLException e, String what) {
        if (e.getCause() instanceof io.tideway.core.model.TidewayException t) {
            return t;
        }
        io.tideway.core.model.TidewayException t = MySqlErrors.translate(e, null);
        return t == null ? Dialect.super.classify(e, what) : new io.tideway.core.model.TidewayException(t.code(), what + ": " + t.getMessage(), e);
    }

    @Override
    public List<CheckResult> precheck(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException {
        return MySqlPrecheck.run(c, cfg, role, steps);
    }

    // ---------------------------------------------------------------- questions the engine asks

    /** Reads the binlog's DDL text (see {@link MySqlDdlStatements}). */
    @Override
    public io.tideway.core.change.DdlStatement parseDdl(String ddl, String schema) {
        return MySqlDdlStatements.parse(ddl, schema);
    }

    @Override
    public boolean logCarriesDdl() {
        return true;
    }

    @Override
    public boolean storesZeroDates() {
        return true;
    }

    @Override
    public String schemaNoun() {
        return "database";
    }

    /** A database is a schema: tables land in the configured database. */
    @Override
    public String destinationSchema(DataSourceConfig destination, TableId source) {
        return destination.database();
    }
}

package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Index;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.CheckResult;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The PostgreSQL dialect: pg_catalog reading, DDL, streaming reads, COPY FROM STDIN writes,
 * INSERT ... ON CONFLICT upserts and the PostgreSQL prechecks.
 */
public final class PostgresDialect implements Dialect {
    /** Rows fetched per round trip: about {@link #FETCH_BYTES} by the catalog's row-size estimate, within these bounds. */
    static final int MIN_FETCH = 100;
    static final int MAX_FETCH = 5000;
    static final long FETCH_BYTES = 8L << 20;
    static final int MAX_PARAMS = 30_000;
    static final int MAX_UPSERT_ROWS = 500;
    private static final int NAMEDATALEN = 63;

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

    @Override
    public Set<DataSourceType> types() {
        return Set.of(DataSourceType.POSTGRESQL);
    }

    /** To a PostgreSQL peer, numeric NaN/Infinity, intervals with months and arrays (with their bounds) are read verbatim. */
    @Override
    public PostgresDialect withPeer(DataSourceType.Family peer) {
        boolean same = peer == DataSourceType.Family.POSTGRESQL;
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
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String defaultSchema(DataSourceConfig cfg) {
        return "public";
    }

    @Override
    public List<String> listSchemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
                        + "AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%' ORDER BY nspname")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
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
        Map<String, String> out = new java.util.TreeMap<>();
        for (String name : names) {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = ?),"
                    + " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = ?)")) {
                ps.setString(1, name);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        out.put(name, "CREATE EXTENSION " + quoteIfNeeded(name) + (rs.getBoolean(2) ? ""
                                : " (the server does not offer it yet: install the package that provides it first)"));
                    }
                }
            }
        }
        return out;
    }

    /** An identifier as PostgreSQL needs it written: bare when it is lower case letters, digits and _. */
    private String quoteIfNeeded(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : quote(identifier);
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
        return List.of("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
    }

    @Override
    public CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily) {
        boolean same = sourceFamily == DataSourceType.Family.POSTGRESQL;
        List<String> statements = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> defs = new ArrayList<>();
        Set<String> enumsCreated = new LinkedHashSet<>();
        for (Column col : t.columns()) {
            ColumnSql cs = columnSql(t.id(), col, same, enumsCreated, warnings);
            if (cs == null) {
                problems.add("column " + col.name() + ": type " + col.type() + " has no equivalent in postgresql");
                continue;
            }
            String zeroDefault = same ? null : zeroDefaultProblem(col);
            if (zeroDefault != null) {
                problems.add(zeroDefault);
                continue;
            }
            statements.addAll(cs.before());
            String ddl = cs.type();
            StringBuilder b = new StringBuilder("  ").append(quote(col.name())).append(' ').append(ddl);
            if (col.autoIncrement()) {
                if (PostgresTypes.identityCapable(ddl)) {
                    b.append(" GENERATED BY DEFAULT AS IDENTITY");
                } else {
                    warnings.add("column " + col.name() + ": auto-increment on type " + ddl + " is not carried");
                }
            }
            if (!col.nullable() || (col.autoIncrement() && PostgresTypes.identityCapable(ddl))) {
                b.append(" NOT NULL");
            }
            String def = col.autoIncrement() ? null : defaultSql(col, same, warnings);
            if (def != null) {
                b.append(" DEFAULT ").append(def);
            }
            if (cs.check() != null) {
                b.append(' ').append(cs.check());
            }
            defs.add(b.toString());
        }
        if (!same) {
            insensitiveKeys(t, warnings);
        }
        if (!t.primaryKey().isEmpty()) {
            defs.add("  PRIMARY KEY (" + t.primaryKey().stream().map(this::quote).collect(Collectors.joining(", ")) + ")");
        }
        statements.add("CREATE TABLE " + quote(t.id()) + " (\n" + String.join(",\n", defs) + "\n)");
        if (t.primaryKey().isEmpty()) {
            // a table without a primary key logs whole old rows only so, and a publication of it (the reverse
            // sync's, after a switchover) would otherwise make PostgreSQL refuse the application's UPDATE and DELETE
            statements.add("ALTER TABLE " + quote(t.id()) + " REPLICA IDENTITY FULL");
        }
        if (t.comment() != null && !t.comment().isEmpty()) {
            statements.add("COMMENT ON TABLE " + quote(t.id()) + " IS " + literal(t.comment()));
        }
        for (Column col : t.columns()) {
            if (col.comment() != null && !col.comment().isEmpty()) {
                statements.add("COMMENT ON COLUMN " + quote(t.id()) + "." + quote(col.name()) + " IS " + literal(col.comment()));
            }
        }
        return new CreateTablePlan(problems.isEmpty() ? statements : List.of(), problems, warnings);
    }

    /**
     * A column's type as CREATE TABLE writes it, the CHECK that stands for a mapped enum (null for
     * none), and the statements it needs first (its enum type, same family); null when the type has no equivalent.
     */
    private record ColumnSql(String type, String check, List<String> before) { }

    private ColumnSql columnSql(TableId table, Column col, boolean same, Set<String> enumsCreated, List<String> warnings) {
        ColumnType type = col.type();
        String ddl;
        String check = null;
        List<String> before = new ArrayList<>();
        if (same) {
            ddl = type.nativeType();
            if (ddl == null || ddl.isBlank()) {
                ddl = PostgresTypes.toNative(col, warnings);
            }
            if (PostgresCatalog.isEnumColumn(col)) {
                ColumnType et = type.kind() == Kind.ENUM ? type : type.element();
                String name = PostgresCatalog.bareTypeName(type.nativeType());
                String qualified = quote(table.schema()) + "." + quote(name);
                if (enumsCreated.add(qualified)) {
                    before.add(createEnumSql(qualified, et.values()));
                }
                ddl = qualified + "[]".repeat(PostgresCatalog.arrayDims(type.nativeType()));
            }
        } else {
            ddl = PostgresTypes.toNative(col, warnings);
            if (ddl != null && type.binaryCollation() && (type.kind() == Kind.CHAR || type.kind() == Kind.VARCHAR
                    || type.kind() == Kind.TEXT)) {
                // a binary collation tells case and accents apart and sorts by code: "C" does both
                ddl += " COLLATE \"C\"";
            }
            if (type.kind() == Kind.ENUM) {
                check = "CHECK (" + quote(col.name()) + " IN ("
                        + type.values().stream().map(PostgresDialect::literal).collect(Collectors.joining(", ")) + "))";
            }
        }
        return ddl == null ? null : new ColumnSql(ddl, check, before);
    }

    /**
     * Notes the key columns (primary or unique) whose collation of another family ignores case or
     * accents: PostgreSQL's deterministic collations compare them exactly, so the key takes values
     * the source holds equal, and sorts them otherwise.
     */
    private static void insensitiveKeys(Table t, List<String> warnings) {
        Set<String> keys = new LinkedHashSet<>(t.primaryKey());
        t.indexes().stream().filter(io.tideway.core.model.Index::unique).forEach(i -> keys.addAll(i.columns()));
        for (String k : keys) {
            Column c = t.column(k).orElse(null);
            if (c != null && c.type().isText() && c.type().collation() != null && !c.type().binaryCollation()) {
                warnings.add("column " + k + ": collation " + c.type().collation() + " of a key is not carried: postgresql"
                        + " compares the key case- and accent-sensitively, so values the source takes as equal are distinct here");
            }
        }
    }

    /** Why a column's default cannot be created here: a MySQL zero date, which PostgreSQL does not store; else null. */
    private static String zeroDefaultProblem(Column col) {
        if (!io.tideway.core.model.ZeroDates.hasZeroDefault(col)) {
            return null;
        }
        return "column " + col.name() + ": default '" + col.defaultValue().value() + "' is a MySQL zero date, which postgresql"
                + " does not store; set full.zero-dates to null (the default is dropped) or to a replacement date such as"
                + " 0001-01-01 (the default becomes it)";
    }

    /** The SQL after DEFAULT, or null for none (an expression of another family is not carried). */
    private static String defaultSql(Column col, boolean same, List<String> warnings) {
        ColumnDefault d = col.defaultValue();
        if (d == null) {
            return null;
        }
        return switch (d.kind()) {
            case LITERAL -> d.value() == null ? "NULL" : literal(d.value());
            case CURRENT_TIMESTAMP -> "CURRENT_TIMESTAMP";
            case EXPRESSION -> {
                if (same) {
                    yield d.value();
                }
                warnings.add("column " + col.name() + ": default " + d.value() + " is an expression of the "
                        + "source database and is not carried");
                yield null;
            }
        };
    }

    private static String createEnumSql(String qualified, List<String> labels) {
        String body = "CREATE TYPE " + qualified + " AS ENUM ("
                + labels.stream().map(PostgresDialect::literal).collect(Collectors.joining(", ")) + ")";
        String tag = "$tideway$";
        while (body.contains(tag)) {
            tag = "$t" + tag.substring(1);
        }
        return "DO " + tag + " BEGIN " + body + "; EXCEPTION WHEN duplicate_object THEN NULL; END " + tag;
    }

    /** A SQL string literal for DDL (defaults, comments, enum labels), which cannot take parameters. */
    static String literal(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    /**
     * CREATE [UNIQUE] INDEX IF NOT EXISTS for the unique keys and secondary indexes, then the
     * statements that move identity sequences past the copied keys. Index names
     * are per schema in PostgreSQL (per table in the MySQL family), so a name that does not start
     * with the table's name is prefixed with it; names longer than 63 bytes are shortened with a hash.
     */
    @Override
    public List<String> createIndexesSql(Table t) {
        List<String> out = new ArrayList<>();
        for (Index ix : t.indexes()) {
            out.add("CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + quote(indexName(t.id(), ix.name())) + " ON "
                    + quote(t.id()) + " (" + ix.columns().stream().map(this::quote).collect(Collectors.joining(", ")) + ")");
        }
        for (Column col : t.columns()) {
            if (col.autoIncrement() && col.type().isInteger()) {
                out.add(advanceIdentitySql(t.id(), col.name()));
            }
        }
        return out;
    }

    @Override
    public List<String> advanceAutoIncrementSql(Table t) {
        List<String> out = new ArrayList<>();
        for (Column col : t.columns()) {
            if (col.autoIncrement() && col.type().isInteger()) {
                out.add(advanceIdentitySql(t.id(), col.name()));
            }
        }
        return out;
    }

    /**
     * Moves an identity (or serial) column's sequence past the largest copied value, so the
     * destination's own inserts do not collide with copied keys. Part of {@link #createIndexesSql}
     * because that runs once the full copy is done; a no-op when the column has no sequence.
     */
    String advanceIdentitySql(TableId id, String column) {
        String body = "PERFORM setval(pg_get_serial_sequence(" + literal(quote(id)) + ", " + literal(column) + "), m, true)"
                + " FROM (SELECT max(" + quote(column) + ") AS m FROM " + quote(id) + ") x WHERE m IS NOT NULL;";
        String tag = "$tideway$";
        while (body.contains(tag)) {
            tag = "$t" + tag.substring(1);
        }
        return "DO " + tag + " BEGIN " + body + " END " + tag;
    }

    static String shorten(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= NAMEDATALEN) {
            return name;
        }
        String hash = String.format("_%08x", name.hashCode());
        StringBuilder s = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > NAMEDATALEN - hash.length()) {
                break;
            }
            s.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return s + hash;
    }

    @Override
    public String dropTableSql(TableId id) {
        return "DROP TABLE IF EXISTS " + quote(id);
    }

    @Override
    public String truncateSql(TableId id) {
        return "TRUNCATE TABLE " + quote(id);
    }

    // ---------------------------------------------------------------- reading rows

    private String keyList(Table t) {
        return t.rowKey().stream().map(this::quote).collect(Collectors.joining(", "));
    }

    /** The WHERE clause of a key range ("" for the whole table); its parameters are bound by {@link #bindRange}. */
    private String rangeWhere(Table t, KeyRange range) {
        if (range == null || range.isAll()) {
            return "";
        }
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so it cannot be read by key range");
        }
        String cols = "(" + keyList(t) + ")";
        String params = "(" + String.join(", ", java.util.Collections.nCopies(key.size(), "?")) + ")";
        List<String> conds = new ArrayList<>();
        if (range.lower() != null) {
            conds.add(cols + " >= " + params);
        }
        if (range.upper() != null) {
            conds.add(cols + " < " + params);
        }
        return " WHERE " + String.join(" AND ", conds);
    }

    private int bindRange(PreparedStatement ps, Table t, KeyRange range, int idx) throws SQLException {
        if (range == null || range.isAll()) {
            return idx;
        }
        List<Column> key = t.rowKeyColumns();
        for (List<Object> bound : Arrays.asList(range.lower(), range.upper())) {
            if (bound == null) {
                continue;
            }
            for (int k = 0; k < key.size(); k++) {
                PostgresValues.bind(ps, idx++, bound.get(k), key.get(k), t.id());
            }
        }
        return idx;
    }

    @Override
    public RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return query(c, t, and(rangeWhere(t, range), options), ps -> bindRange(ps, t, range, 1));
    }

    /** A WHERE clause ("" or " WHERE ...") and the DBA's row filter, in parentheses. */
    private static String and(String where, String filter) {
        if (filter == null || filter.isBlank()) {
            return where;
        }
        return (where.isEmpty() ? " WHERE (" : where + " AND (") + filter + ")";
    }

    private static String and(String where, ReadOptions options) {
        return and(where, options == null ? null : options.filter());
    }

    @Override
    public void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + quote(t.id()) + and("", filter) + " LIMIT 0");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    /** Binds the parameters of a WHERE clause. */
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Streams the rows of {@code t} that match {@code where}, in key order when the table has a key. */
    private RowCursor query(Connection c, Table t, String where, Binder binder) throws SQLException {
        String select = t.columns().stream().map(col -> PostgresValues.selectExpr(col, this::quote, verbatim))
                .collect(Collectors.joining(", "));
        String sql = "SELECT " + select + " FROM " + quote(t.id()) + where
                + (t.rowKey().isEmpty() ? "" : " ORDER BY " + keyList(t));
        boolean wasAuto = c.getAutoCommit();
        if (wasAuto) {
            c.setAutoCommit(false);
        }
        PreparedStatement ps = null;
        try {
            ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(fetchSize(t));
            binder.bind(ps);
            ResultSet rs = ps.executeQuery();
            return new Cursor(c, ps, rs, t, wasAuto, verbatim);
        } catch (SQLException | RuntimeException e) {
            if (ps != null) {
                ps.close();
            }
            endRead(c, wasAuto);
            throw e;
        }
    }

    @Override
    public RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key; its rows cannot be read by key");
        }
        StringBuilder where = new StringBuilder(" WHERE ");
        if (keys.isEmpty()) {
            where.append("false");
        } else if (key.size() == 1) {
            where.append(quote(key.get(0).name())).append(" IN (")
                    .append(String.join(", ", java.util.Collections.nCopies(keys.size(), "?"))).append(')');
        } else {
            String one = "(" + key.stream().map(k -> quote(k.name()) + " = ?").collect(Collectors.joining(" AND ")) + ")";
            where.append(String.join(" OR ", java.util.Collections.nCopies(keys.size(), one)));
        }
        return query(c, t, and(where.toString(), options), ps -> {
            int idx = 1;
            for (List<Object> k : keys) {
                for (int j = 0; j < key.size(); j++) {
                    PostgresValues.bind(ps, idx++, k.get(j), key.get(j), t.id());
                }
            }
        });
    }

    /**
     * count(*) and the sums of the two 64-bit halves of each row's md5 (of the row's text,
     * {@code ROW(c1, c2, ...)::text}, which tells NULL from an empty string), as exact numerics.
     */
    @Override
    public Optional<io.tideway.core.spi.ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter)
            throws SQLException {
        String cols = t.columns().stream().map(col -> quote(col.name())).collect(Collectors.joining(", "));
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0)::text,"
                + " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)::text"
                + " FROM (SELECT md5(ROW(" + cols + ")::text) AS h FROM " + quote(t.id()) + and(rangeWhere(t, range), filter) + ") x";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, t, range, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(new io.tideway.core.spi.ChunkChecksum(rs.getLong(1), rs.getString(2) + ":" + rs.getString(3)));
            }
        }
    }

    static int fetchSize(Table t) {
        if (t.estimatedRows() <= 0 || t.estimatedBytes() <= 0) {
            return 1000;
        }
        long perRow = Math.max(1, t.estimatedBytes() / t.estimatedRows());
        return (int) Math.max(MIN_FETCH, Math.min(MAX_FETCH, FETCH_BYTES / perRow));
    }

    private static void endRead(Connection c, boolean restoreAuto) throws SQLException {
        if (!restoreAuto) {
            return;
        }
        try {
            c.commit();
        } catch (SQLException e) {
            c.rollback();
        }
        c.setAutoCommit(true);
    }

    private static final class Cursor implements RowCursor {
        private final Connection c;
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final Table t;
        private final List<Column> cols;
        private final Object[] row;
        private final boolean restoreAuto;
        private final boolean verbatim;
        private boolean closed;

        Cursor(Connection c, PreparedStatement ps, ResultSet rs, Table t, boolean restoreAuto, boolean verbatim) {
            this.c = c;
            this.ps = ps;
            this.rs = rs;
            this.t = t;
            this.cols = t.columns();
            this.row = new Object[cols.size()];
            this.restoreAuto = restoreAuto;
            this.verbatim = verbatim;
        }

        @Override
        public boolean next() throws SQLException {
            if (!rs.next()) {
                return false;
            }
            for (int i = 0; i < row.length; i++) {
                row[i] = PostgresValues.read(rs, i + 1, cols.get(i), t.id(), verbatim);
            }
            return true;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                rs.close();
                ps.close();
            } finally {
                endRead(c, restoreAuto);
            }
        }
    }

    @Override
    public Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.size() != 1 || !key.get(0).type().isInteger()) {
            throw new IllegalArgumentException("table " + t.id() + " has no single integer key");
        }
        String k = quote(key.get(0).name());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT min(" + k + ")::text, max(" + k + ")::text FROM " + quote(t.id()))) {
            rs.next();
            if (rs.getString(1) == null) {
                return Optional.empty();
            }
            return Optional.of(new BigInteger[] {new BigInteger(rs.getString(1)), new BigInteger(rs.getString(2))});
        }
    }

    @Override
    public Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so it cannot be cut into chunks");
        }
        String select = key.stream().map(col -> PostgresValues.selectExpr(col, this::quote, verbatim)).collect(Collectors.joining(", "));
        String where = after == null ? "" : " WHERE (" + keyList(t) + ") > ("
                + String.join(", ", java.util.Collections.nCopies(key.size(), "?")) + ")";
        String sql = "SELECT " + select + " FROM " + quote(t.id()) + where + " ORDER BY " + keyList(t) + " LIMIT 1 OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int idx = 1;
            if (after != null) {
                for (int k = 0; k < key.size(); k++) {
                    PostgresValues.bind(ps, idx++, after.get(k), key.get(k), t.id());
                }
            }
            ps.setLong(idx, Math.max(0, step - 1));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<Object> out = new ArrayList<>(key.size());
                for (int k = 0; k < key.size(); k++) {
                    out.add(PostgresValues.read(rs, k + 1, key.get(k), t.id(), verbatim));
                }
                return Optional.of(out);
            }
        }
    }

    // ---------------------------------------------------------------- writing rows

    @Override
    public WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        String sql = PostgresCopyWriter.copySql(t, this::quote, quote(t.id()));
        return new PostgresCopyWriter(t).write(c, sql, rows);
    }

    /**
     * Multi-row {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}; within a batch
     * the last row of a key wins (one statement may not touch a row twice).
     */
    @Override
    public WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so rows cannot be upserted");
        }
        int n = t.columns().size();
        int perBatch = Math.max(1, Math.min(MAX_UPSERT_ROWS, MAX_PARAMS / n));
        int[] keyIdx = key.stream().mapToInt(t::columnIndex).toArray();
        String head = "INSERT INTO " + quote(t.id()) + " ("
                + t.columns().stream().map(col -> quote(col.name())).collect(Collectors.joining(", ")) + ") VALUES ";
        String tuple = "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
        List<String> sets = t.columns().stream().map(Column::name).filter(nm -> !key.contains(nm))
                .map(nm -> quote(nm) + " = EXCLUDED." + quote(nm)).toList();
        String tail = " ON CONFLICT (" + keyList(t) + ") DO "
                + (sets.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", sets));
        long total = 0;
        long bytes = 0;
        Map<List<Object>, Object[]> batch = new LinkedHashMap<>();
        PreparedStatement full = null;
        try {
            while (rows.hasNext()) {
                Object[] r = rows.next().clone();
                batch.put(keyOf(r, keyIdx), r);
                total++;
                if (batch.size() == perBatch) {
                    if (full == null) {
                        full = c.prepareStatement(head + String.join(", ", java.util.Collections.nCopies(perBatch, tuple)) + tail);
                    }
                    bytes += execute(full, t, batch.values());
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        head + String.join(", ", java.util.Collections.nCopies(batch.size(), tuple)) + tail)) {
                    bytes += execute(ps, t, batch.values());
                }
            }
        } catch (SQLException e) {
            ErrorCode code = PostgresErrors.classify(e);
            if (code == ErrorCode.DATA_INVALID || code == ErrorCode.TABLE_CONFLICT) {
                String sql = head + String.join(", ", java.util.Collections.nCopies(perBatch, tuple)) + tail;
                int p = PostgresErrors.parameterAt(sql, e);
                String col = p > 0 ? t.columns().get((p - 1) % n).name() : null;
                throw new TidewayException(code, "table " + t.id() + (col == null ? "" : ", column " + col)
                        + ": PostgreSQL cannot store the value: " + PostgresErrors.serverTextWithDetail(e), e);
            }
            throw e;
        } finally {
            if (full != null) {
                full.close();
            }
        }
        return new WriteResult(total, bytes);
    }

    private static List<Object> keyOf(Object[] r, int[] keyIdx) {
        List<Object> k = new ArrayList<>(keyIdx.length);
        for (int i : keyIdx) {
            Object v = r[i];
            k.add(v instanceof byte[] b ? java.nio.ByteBuffer.wrap(b) : v);
        }
        return k;
    }

    private static long execute(PreparedStatement ps, Table t, java.util.Collection<Object[]> rows) throws SQLException {
        List<Column> cols = t.columns();
        int idx = 1;
        long bytes = 0;
        for (Object[] r : rows) {
            for (int i = 0; i < cols.size(); i++) {
                Object v = r[i];
                PostgresValues.bind(ps, idx++, v, cols.get(i), t.id());
                bytes += v == null ? 0 : v instanceof byte[] b ? b.length : v.toString().length();
            }
        }
        ps.executeUpdate();
        return bytes;
    }

    @Override
    public long deleteRange(Connection c, Table t, KeyRange range) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + quote(t.id()) + rangeWhere(t, range))) {
            bindRange(ps, t, range, 1);
            return ps.executeUpdate();
        }
    }

    @Override
    public List<String> addColumnSql(TableId table, Column column, DataSourceType.Family sourceFamily) {
        // typed exactly as CREATE TABLE types it: plan a one-column table and take its column definition
        Table one = new Table(table, List.of(column), List.of(), List.of(), null, 0, 0);
        CreateTablePlan plan = createTable(one, sourceFamily);
        if (!plan.problems().isEmpty()) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE,
                    "cannot add column " + column.name() + " to " + table + ": " + String.join("; ", plan.problems()));
        }
        List<String> out = new ArrayList<>();
        String prefix = "CREATE TABLE " + quote(table) + " (";
        for (String sql : plan.statements()) {
            if (sql.startsWith(prefix)) {
                String body = sql.substring(prefix.length(), sql.lastIndexOf(')')).trim();
                out.add("ALTER TABLE " + quote(table) + " ADD COLUMN " + body);
            } else if (!sql.startsWith("COMMENT ON TABLE")) {
                out.add(sql);   // enum types it needs, column comments
            }
        }
        return out;
    }

    /**
     * ALTER COLUMN .. TYPE (converting the values with a cast), SET/DROP NOT NULL and SET/DROP
     * DEFAULT. An enum mapped from another family is a CHECK constraint, named as PostgreSQL names a
     * column's CHECK ({@code <table>_<column>_check}): it is dropped and made again. An auto-increment
     * column keeps its identity; a column that is no longer auto-increment loses it.
     */
    @Override
    public List<String> modifyColumnSql(Table table, String column, DataSourceType.Family sourceFamily) {
        Column col = table.column(column).orElseThrow(() -> new IllegalArgumentException("no column " + column + " in " + table.id()));
        boolean same = sourceFamily == DataSourceType.Family.POSTGRESQL;
        ColumnSql cs = columnSql(table.id(), col, same, new LinkedHashSet<>(), new ArrayList<>());
        if (cs == null) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE, "cannot change column " + column
                    + " of " + table.id() + ": type " + col.type() + " has no equivalent in postgresql");
        }
        String zeroDefault = same ? null : zeroDefaultProblem(col);
        if (zeroDefault != null) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE, "cannot change column " + column
                    + " of " + table.id() + ": " + zeroDefault);
        }
        String alter = "ALTER TABLE " + quote(table.id()) + " ALTER COLUMN " + quote(column) + " ";
        List<String> out = new ArrayList<>(cs.before());
        String checkName = quote(shorten(table.id().table() + "_" + column + "_check"));
        if (!same) {
            out.add("ALTER TABLE " + quote(table.id()) + " DROP CONSTRAINT IF EXISTS " + checkName);
        }
        boolean identity = col.autoIncrement() && PostgresTypes.identityCapable(cs.type());
        if (!identity) {
            // the old default goes first: it may not cast to the new type
            out.add(alter + "DROP IDENTITY IF EXISTS");
            out.add(alter + "DROP DEFAULT");
        }
        out.add(alter + "TYPE " + cs.type() + " USING " + quote(column) + "::" + cs.type());
        out.add(alter + (col.nullable() && !identity ? "DROP NOT NULL" : "SET NOT NULL"));
        String def = identity ? null : defaultSql(col, same, new ArrayList<>());
        if (def != null) {
            out.add(alter + "SET DEFAULT " + def);
        }
        if (cs.check() != null) {
            out.add("ALTER TABLE " + quote(table.id()) + " ADD CONSTRAINT " + checkName + " " + cs.check());
        }
        return out;
    }

    @Override
    public List<String> renameTableSql(TableId from, TableId to) {
        List<String> out = new ArrayList<>();
        TableId at = from;
        if (!from.schema().equals(to.schema())) {
            out.add("ALTER TABLE " + quote(from) + " SET SCHEMA " + quote(to.schema()));
            at = new TableId(to.schema(), from.table());
        }
        if (!at.table().equals(to.table())) {
            out.add("ALTER TABLE " + quote(at) + " RENAME TO " + quote(to.table()));
        }
        return out;
    }

    @Override
    public String indexName(TableId table, String indexName) {
        return shorten(indexName.startsWith(table.table()) ? indexName : table.table() + "_" + indexName);
    }

    @Override
    public String dropIndexSql(TableId table, String indexName) {
        return "DROP INDEX IF EXISTS " + quote(new TableId(table.schema(), indexName));
    }

    @Override
    public String dropColumnSql(TableId table, String column) {
        return "ALTER TABLE " + quote(table) + " DROP COLUMN " + quote(column);
    }

    @Override
    public long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException {
        StringBuilder where = new StringBuilder();
        List<Column> cols = t.columns();
        for (int j = 0; j < cols.size(); j++) {
            if (j > 0) {
                where.append(" AND ");
            }
            var kind = cols.get(j).type().kind();
            // json and types without a neutral kind have no equality operator: compare their text
            boolean asText = kind == io.tideway.core.model.ColumnType.Kind.JSON || kind == io.tideway.core.model.ColumnType.Kind.OTHER
                    || kind == io.tideway.core.model.ColumnType.Kind.ARRAY;
            String col = quote(cols.get(j).name());
            String lhs = kind == io.tideway.core.model.ColumnType.Kind.ARRAY && !isArrayText(row[j]) ? "array_to_json(" + col + ")::text"
                    : asText ? col + "::text" : col;
            where.append(lhs)
                    .append(" IS NOT DISTINCT FROM ").append(asText ? "?::text" : "?");
        }
        String sql = "DELETE FROM " + quote(t.id()) + " WHERE ctid = (SELECT ctid FROM " + quote(t.id()) + " WHERE " + where
                + " LIMIT 1)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int j = 0; j < cols.size(); j++) {
                var kind = cols.get(j).type().kind();
                if (kind == io.tideway.core.model.ColumnType.Kind.JSON || kind == io.tideway.core.model.ColumnType.Kind.OTHER
                        || kind == io.tideway.core.model.ColumnType.Kind.ARRAY) {
                    ps.setString(j + 1, row[j] == null ? null : row[j].toString());
                } else {
                    PostgresValues.bind(ps, j + 1, row[j], cols.get(j), t.id());
                }
            }
            return ps.executeUpdate();
        }
    }

    /** Whether an ARRAY value is PostgreSQL array text (read verbatim), compared with the column's text, not its JSON. */
    private static boolean isArrayText(Object v) {
        return v instanceof String s && PostgresValues.isArrayText(s);
    }

    @Override
    public long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        String tuple = key.size() == 1 ? "?" : "(" + String.join(", ", java.util.Collections.nCopies(key.size(), "?")) + ")";
        String cols = key.size() == 1 ? quote(key.get(0).name())
                : "(" + key.stream().map(k -> quote(k.name())).collect(Collectors.joining(", ")) + ")";
        long deleted = 0;
        int batch = Math.max(1, 1000 / key.size());
        for (int from = 0; from < keys.size(); from += batch) {
            List<Object[]> part = keys.subList(from, Math.min(keys.size(), from + batch));
            String sql = "DELETE FROM " + quote(t.id()) + " WHERE " + cols + " IN ("
                    + String.join(", ", java.util.Collections.nCopies(part.size(), tuple)) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (Object[] k : part) {
                    for (int j = 0; j < key.size(); j++) {
                        PostgresValues.bind(ps, i++, k[j], key.get(j), t.id());
                    }
                }
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }

    // ---------------------------------------------------------------- SQL scripts

    @Override
    public String literal(Column column, Object value) {
        return PostgresScripts.literal(column, value, null);
    }

    @Override
    public String writeRowSql(Table t, Object[] row) {
        List<Column> cols = t.columns();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            values.append(i == 0 ? "" : ", ").append(PostgresScripts.literal(cols.get(i), row[i], t.id()));
        }
        String sql = "INSERT INTO " + quote(t.id()) + " (" + cols.stream().map(col -> quote(col.name())).collect(Collectors.joining(", "))
                + ") VALUES (" + values + ")";
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            return sql;
        }
        List<String> sets = cols.stream().map(Column::name).filter(nm -> !key.contains(nm))
                .map(nm -> quote(nm) + " = EXCLUDED." + quote(nm)).toList();
        return sql + " ON CONFLICT (" + keyList(t) + ") DO " + (sets.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", sets));
    }

    @Override
    public long updateByKey(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        List<Column> cols = t.columns();
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        List<Integer> set = new ArrayList<>();
        for (int j = 0; j < cols.size(); j++) {
            if (!key.contains(cols.get(j).name())) {
                set.add(j);
            }
        }
        if (set.isEmpty()) {
            return 0;
        }
        String sql = "UPDATE " + quote(t.id()) + " SET " + set.stream().map(j -> quote(cols.get(j).name()) + " = ?")
                .collect(Collectors.joining(", ")) + " WHERE " + key.stream().map(k -> quote(k) + " = ?").collect(Collectors.joining(" AND "));
        long found = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int pending = 0;
            while (rows.hasNext()) {
                Object[] r = rows.next();
                int p = 1;
                for (int j : set) {
                    PostgresValues.bind(ps, p++, r[j], cols.get(j), t.id());
                }
                for (String k : key) {
                    int j = t.columnIndex(k);
                    PostgresValues.bind(ps, p++, r[j], cols.get(j), t.id());
                }
                ps.addBatch();
                if (++pending == 500) {
                    found += Arrays.stream(ps.executeBatch()).filter(n -> n > 0).sum();
                    pending = 0;
                }
            }
            if (pending > 0) {
                found += Arrays.stream(ps.executeBatch()).filter(n -> n > 0).sum();
            }
        }
        return found;
    }

    @Override
    public String deleteRowSql(Table t, Object[] values) {
        if (!t.rowKey().isEmpty()) {
            List<Column> key = t.rowKeyColumns();
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < key.size(); i++) {
                where.append(i == 0 ? "" : " AND ").append(quote(key.get(i).name())).append(" = ")
                        .append(PostgresScripts.literal(key.get(i), values[i], t.id()));
            }
            return "DELETE FROM " + quote(t.id()) + " WHERE " + where;
        }
        // one row equal to the values, as deleteOneMatching finds it (json and arrays compared as text)
        StringBuilder where = new StringBuilder();
        List<Column> cols = t.columns();
        for (int j = 0; j < cols.size(); j++) {
            Kind kind = cols.get(j).type().kind();
            String col = quote(cols.get(j).name());
            where.append(j == 0 ? "" : " AND ");
            if (kind == Kind.ARRAY || kind == Kind.JSON || kind == Kind.OTHER) {
                where.append(kind == Kind.ARRAY && !isArrayText(values[j]) ? "array_to_json(" + col + ")::text" : col + "::text")
                        .append(" IS NOT DISTINCT FROM ")
                        .append(values[j] == null ? "NULL" : PostgresScripts.quoted(values[j].toString()) + "::text");
            } else {
                where.append(col).append(" IS NOT DISTINCT FROM ").append(PostgresScripts.literal(cols.get(j), values[j], t.id()));
            }
        }
        return "DELETE FROM " + quote(t.id()) + " WHERE ctid = (SELECT ctid FROM " + quote(t.id()) + " WHERE " + where + " LIMIT 1)";
    }

    @Override
    public List<String> sqlScriptHeader() {
        return List.of("SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;", "SET TimeZone = 'UTC';",
                "SET DateStyle = 'ISO';", "SET IntervalStyle = 'sql_standard';", "BEGIN;");
    }

    @Override
    public List<String> sqlScriptFooter() {
        return List.of("COMMIT;");
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

package io.tideway.core.spi;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Everything Tideway knows about one family of databases. The engine never writes SQL for a
 * database itself; it asks the dialect. Each database plugin provides its own ({@link DatabasePlugin#dialect()}).
 *
 * <p>Values cross this interface in canonical form ({@link io.tideway.core.model.ColumnType.Kind}).
 */
public interface Dialect {

    /**
     * This dialect as one end of a project whose other end is of family {@code peer}. Between
     * databases of the same family a dialect may read values in its own text form where the
     * canonical form of their kind cannot hold them (PostgreSQL: numeric NaN and Infinity,
     * intervals with months, array lower bounds), and writes such values back verbatim; across
     * families values stay canonical. By default the dialect itself.
     */
    default Dialect withPeer(DataSourceType.Family peer) {
        return this;
    }

    // ---------------------------------------------------------------- connections

    /**
     * Opens a connection ready for Tideway's work: session time zone UTC, UTF-8 (utf8mb4), auto-commit on.
     * Failures are {@link io.tideway.core.model.TidewayException}s: UNREACHABLE naming host:port,
     * LOGIN_FAILED naming the user, CONFIG_INVALID for an unknown database.
     */
    Connection connect(DataSourceConfig cfg);

    /** The server's version string as it reports it. */
    String serverVersion(Connection c) throws SQLException;

    // ---------------------------------------------------------------- identifiers and catalog

    /** Quotes one identifier, doubling any quote character inside it. */
    String quote(String identifier);

    default String quote(TableId id) {
        return quote(id.schema()) + "." + quote(id.table());
    }

    /**
     * The schema a project's tables live in when the project names none: MySQL family: the
     * configured database; PostgreSQL: "public".
     */
    String defaultSchema(DataSourceConfig cfg);

    /** The user schemas of the connected database (MySQL: databases; PostgreSQL: schemas), system ones excluded. */
    List<String> listSchemas(Connection c) throws SQLException;

    /**
     * Reads the definitions of the base tables (not views) of {@code schema} accepted by {@code filter}:
     * columns in ordinal order mapped to neutral types, primary key, unique keys, secondary indexes,
     * comments and row estimates. A column whose type has no neutral mapping is read with
     * {@link io.tideway.core.model.ColumnType.Kind} chosen by the dialect's documented fallback or reported through
     * {@link #unsupportedColumns(Table)}.
     */
    List<Table> readTables(Connection c, String schema, Predicate<TableId> filter) throws SQLException;

    /** Columns of a table read by {@link #readTables} whose native type Tideway cannot carry, with the reason. */
    default List<String> unsupportedColumns(Table t) {
        return List.of();
    }

    /**
     * The extensions of the database (PostgreSQL: CREATE EXTENSION) whose types the columns of a
     * table read by {@link #readTables} use, as column name -> extension name; empty where there are none.
     * A destination of the same family needs them before such a table can be created there.
     */
    default java.util.Map<String, String> columnExtensions(Table t) {
        return java.util.Map.of();
    }

    /**
     * Which of {@code extensions} the connected database lacks, each with the statement that adds
     * it (e.g. {@code CREATE EXTENSION citext}); empty when it has them all, or where the database
     * has no extensions.
     */
    default java.util.Map<String, String> missingExtensions(Connection c, Set<String> extensions) throws SQLException {
        return java.util.Map.of();
    }

    /**
     * How many zero dates (a DATE, DATETIME or TIMESTAMP whose month or day is zero; see
     * {@link io.tideway.core.model.ZeroDates}) each column of {@code t} holds, for the columns that
     * hold any, in column order; one scan of the table. Empty where the database stores none (the default).
     */
    default java.util.Map<String, Long> zeroDateCounts(Connection c, Table t) throws SQLException {
        return java.util.Map.of();
    }

    /** Whether the table holds at least one row. */
    boolean hasRows(Connection c, TableId id) throws SQLException;

    // ---------------------------------------------------------------- DDL

    /** Creates a schema (MySQL: database) if it does not exist. */
    List<String> createSchemaSql(String schema);

    /**
     * CREATE TABLE with columns, defaults, auto-increment, comments and the primary key; not the
     * secondary indexes or unique keys (see {@link #createIndexesSql}). When the source is of the
     * same family, each column keeps its source's native type verbatim ({@code ColumnType.nativeType});
     * otherwise types are mapped from the neutral kinds by the documented type-mapping table.
     */
    CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily);

    /** Unique keys and secondary indexes, created after the full copy. */
    List<String> createIndexesSql(Table t);

    String dropTableSql(TableId id);

    /**
     * Statements that move the table's auto-increment counters (identity sequences) past the largest
     * key it holds, so that the application's own inserts do not collide with keys Tideway wrote
     * (switchover). Empty where the database does it by itself (MySQL family: an explicit value raises
     * AUTO_INCREMENT); the default.
     */
    default List<String> advanceAutoIncrementSql(Table t) {
        return List.of();
    }

    /**
     * Adds a column to an existing table (incremental DDL), typed as {@link #createTable} would
     * type it. Fails with UNSUPPORTED_TYPE naming the column when its type has no mapping.
     */
    List<String> addColumnSql(TableId table, io.tideway.core.model.Column column, DataSourceType.Family sourceFamily);

    String dropColumnSql(TableId table, String column);

    /**
     * Gives an existing column (incremental DDL) the type, nullability and default {@code column}
     * has in {@code table}, typed as {@link #createTable} would type it there (so a key column gets
     * a key column's type). Fails with UNSUPPORTED_TYPE naming the column when its type has no mapping.
     */
    List<String> modifyColumnSql(Table table, String column, DataSourceType.Family sourceFamily);

    /** Renames a table, moving it to another schema when {@code to} names one. */
    List<String> renameTableSql(TableId from, TableId to);

    /**
     * The name {@link #createIndexesSql} gives the index named {@code indexName} on {@code table}
     * (PostgreSQL index names are per schema, so they may be prefixed); by default the name itself.
     */
    default String indexName(TableId table, String indexName) {
        return indexName;
    }

    /** Drops a unique key or secondary index by its name on this database (see {@link #indexName}). */
    String dropIndexSql(TableId table, String indexName);

    String truncateSql(TableId id);

    /**
     * Empties a table inside a transaction, so that a change capture of this database can recognize
     * the statement as part of that transaction (Tideway's own writes during a switchover, which the
     * reverse capture drops). Where TRUNCATE is transactional this is {@link #truncateSql}; the MySQL
     * family logs a TRUNCATE as a statement of its own outside any transaction and deletes instead.
     */
    default String truncateInTransactionSql(TableId id) {
        return truncateSql(id);
    }

    // ---------------------------------------------------------------- reading rows

    /**
     * Streams the rows of a key range (or the whole table) without holding them in memory, in key
     * order when the table has a row key. The connection's auto-commit may be changed.
     */
    RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException;

    /** min and max of a single integer key column, or empty when the table is empty. */
    Optional<java.math.BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException;

    /**
     * The row key of the row that comes {@code step} rows after {@code after} (exclusive; null =
     * from the start) in key order, or empty when fewer rows remain. Used to cut non-integer and
     * composite keys into chunks.
     */
    Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException;

    /**
     * Streams the rows whose row key is one of {@code keys} (values in row-key column order), in key
     * order; keys without a row are skipped. Meant for a few hundred keys at a time.
     */
    RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException;

    /**
     * The row count and an order-independent hash of the values of {@code t}'s columns over a key
     * range (the whole table for {@link KeyRange#ALL}), computed by the server so that no row
     * travels; empty when the dialect cannot compute one. Only checksums of the same dialect are
     * comparable, and only between tables whose columns have the same types.
     */
    default Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range) throws SQLException {
        return chunkChecksum(c, t, range, null);
    }

    /**
     * {@link #chunkChecksum(Connection, Table, KeyRange)} over the rows of the range that also meet
     * {@code filter}, a SQL boolean condition of this dialect (null: every row); see {@link #checkRowFilter}.
     */
    default Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter) throws SQLException {
        return Optional.empty();
    }

    /**
     * Runs {@code filter}, a SQL boolean condition of this dialect written by the DBA, once against
     * {@code t} without reading a row (e.g. {@code SELECT 1 FROM t WHERE (filter) LIMIT 0}), so that
     * an unknown column or a syntax error fails before anything is compared. The filter is put in
     * parentheses after Tideway's own conditions, as {@link ReadOptions#filter} and
     * {@link #chunkChecksum(Connection, Table, KeyRange, String)} put it.
     *
     * @throws SQLException the database's own error when it rejects the condition
     */
    void checkRowFilter(Connection c, Table t, String filter) throws SQLException;

    // ---------------------------------------------------------------- writing rows

    /**
     * Writes rows through the fastest path the database offers (MySQL family: LOAD DATA LOCAL
     * INFILE from a stream; PostgreSQL: COPY FROM STDIN). The caller owns the transaction.
     * Fails with DATA_INVALID naming the column when a value cannot be stored.
     */
    WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException;

    /** Writes rows as idempotent upserts by row key, in batches; the caller owns the transaction. */
    WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException;

    /**
     * Sets the columns of {@code t} other than its row key to the values of {@code rows} (in
     * {@code t}'s column order) in the rows with the same key, one UPDATE per row; columns not in
     * {@code t} are left as they are and keys without a row are skipped. The caller owns the
     * transaction. Returns how many rows were found.
     */
    long updateByKey(Connection c, Table t, Iterator<Object[]> rows) throws SQLException;

    /**
     * Deletes the rows with the given row keys (values in row-key column order), in batches; the
     * caller owns the transaction. Returns how many rows were deleted.
     */
    long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException;

    /**
     * Deletes one row whose every column equals the given values (NULL equal to NULL), for tables
     * without a key; returns 0 or 1. The caller owns the transaction.
     */
    long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException;

    /** Deletes the rows whose row key falls in the range; returns how many. */
    long deleteRange(Connection c, Table t, KeyRange range) throws SQLException;

    // ---------------------------------------------------------------- SQL scripts

    /**
     * A canonical value of {@code column} as a SQL literal of this database, exact and on one line:
     * strings escaped, bytes in hex, decimals in full, TIMESTAMP values in UTC (see
     * {@link #sqlScriptHeader()}), NULL for null. For files a DBA reads and applies; Tideway itself
     * sends values as parameters.
     */
    String literal(io.tideway.core.model.Column column, Object value);

    /**
     * One statement, with literal values, that writes {@code row} (values in {@code t}'s column
     * order): an upsert by row key, or a plain INSERT when the table has no row key. No trailing ';'.
     */
    String writeRowSql(Table t, Object[] row);

    /**
     * One statement, with literal values, that sets the columns of {@code t} other than its row key
     * to the values of {@code row} in the row with that key (an UPDATE; other columns untouched).
     * No trailing ';'.
     */
    default String updateRowSql(Table t, Object[] row) {
        java.util.List<io.tideway.core.model.Column> cols = t.columns();
        java.util.Set<String> key = new java.util.HashSet<>(t.rowKey());
        StringBuilder set = new StringBuilder();
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            String assign = quote(cols.get(i).name()) + " = " + literal(cols.get(i), row[i]);
            if (key.contains(cols.get(i).name())) {
                where.append(where.length() == 0 ? "" : " AND ").append(assign);
            } else {
                set.append(set.length() == 0 ? "" : ", ").append(assign);
            }
        }
        if (set.length() == 0 || where.length() == 0) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + t.id()
                    + ": an update needs a row key and other columns");
        }
        return "UPDATE " + quote(t.id()) + " SET " + set + " WHERE " + where;
    }

    /**
     * One statement, with literal values, that deletes the row whose row key is {@code values} (in
     * row-key column order), or, for a table without a row key, one row equal to {@code values}
     * (every column, NULL equal to NULL). No trailing ';'.
     */
    String deleteRowSql(Table t, Object[] values);

    /**
     * The lines that start a SQL script of {@link #writeRowSql} and {@link #deleteRowSql} statements:
     * the session settings the literals assume (UTF-8, time zone UTC) and the start of one
     * transaction. Each statement on its own line, ending with ';'.
     */
    List<String> sqlScriptHeader();

    /** The lines that end such a script (the commit). */
    List<String> sqlScriptFooter();

    // ---------------------------------------------------------------- errors

    /**
     * Classifies a failure of a statement about {@code what} (e.g. a table name): a dropped table
     * is TABLE_VANISHED, a lost connection or deadlock TRANSIENT (retried), anything else as the
     * dialect decides. The default reads standard SQLSTATE classes; dialects refine it by error code.
     */
    default io.tideway.core.model.TidewayException classify(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        io.tideway.core.model.ErrorCode code;
        if (state.equals("42S02") || state.equals("42P01")) {
            code = io.tideway.core.model.ErrorCode.TABLE_VANISHED;
        } else if (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.equals("57P01")) {
            code = io.tideway.core.model.ErrorCode.TRANSIENT;
        } else if (state.startsWith("22")) {
            code = io.tideway.core.model.ErrorCode.DATA_INVALID;
        } else {
            code = io.tideway.core.model.ErrorCode.INTERNAL;
        }
        return new io.tideway.core.model.TidewayException(code, what + ": " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- precheck

    /**
     * Checks of this end that only the dialect can make: version, privileges for the listed steps,
     * log settings for change capture (MySQL family: binlog_format, binlog_row_image; PostgreSQL:
     * wal_level, replication privilege), time zone, lower_case_table_names, bulk-load settings.
     * Item names start with the role id ("source." / "destination.").
     */
    List<CheckResult> precheck(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException;

    /**
     * Whether the source user may read each of {@code keyless} (source tables without a key, which
     * the full copy of a project with an incremental step reads at a known log place; see
     * {@link io.tideway.core.change.ChangeCapture#beginConsistentRead}) the way that read needs, as
     * an item named {@code source.<what>} that names each table it may not read so and the statement
     * that grants what is missing. Empty where that read needs nothing beyond SELECT (the default).
     */
    default Optional<CheckResult> keylessReadCheck(Connection c, List<TableId> keyless) throws SQLException {
        return Optional.empty();
    }

    /**
     * An UPDATE of one row by its key that takes effect only while the column {@code guard} is at
     * most a value: {@code UPDATE t SET s1 = ?, ... WHERE k1 = ? AND ... AND guard <= ?}, parameters
     * in that order. A sink fences older writers with it (no row updated: refused).
     */
    default String guardedUpdateSql(Table t, List<String> set, String guard) {
        StringBuilder sql = new StringBuilder("UPDATE ").append(quote(t.id())).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(quote(set.get(i))).append(" = ?");
        }
        sql.append(" WHERE ");
        for (String k : t.rowKey()) {
            sql.append(quote(k)).append(" = ? AND ");
        }
        return sql.append(quote(guard)).append(" <= ?").toString();
    }

    // ---------------------------------------------------------------- questions the engine asks instead of testing a family

    /**
     * What a DDL statement of this database's change log, as the log carries it, says about tables,
     * columns and indexes in {@code schema} (the schema of unqualified names); {@link io.tideway.core.change.DdlStatement#NONE}
     * where the log carries no DDL (the default) or the statement is null.
     */
    default io.tideway.core.change.DdlStatement parseDdl(String ddl, String schema) {
        return io.tideway.core.change.DdlStatement.NONE;
    }

    /** Whether this database's change log carries DDL statements (the MySQL family's does; PostgreSQL's does not). */
    default boolean logCarriesDdl() {
        return false;
    }

    /** Whether this database stores MySQL's zero dates ('0000-00-00'): they may come from it, and be kept in it. */
    default boolean storesZeroDates() {
        return false;
    }

    /** What this database calls the namespace of tables, for messages: "schema" (the default), "database" in the MySQL family. */
    default String schemaNoun() {
        return "schema";
    }

    /**
     * The schema a source table {@code source} lands in on this database, as the destination
     * {@code destination}, when the project renames none: by default the source table's own schema;
     * in the MySQL family, where a database is a schema, the configured database.
     */
    default String destinationSchema(DataSourceConfig destination, TableId source) {
        return source.schema();
    }
}

package io.tideway.core.spi;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a database holds: its schemas and the definitions of its tables, read into Tideway's neutral
 * model ({@link Dialect#catalog()}).
 */
public interface Catalog {

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
    default Map<String, String> columnExtensions(Table t) {
        return Map.of();
    }

    /**
     * Which of {@code extensions} the connected database lacks, each with the statement that adds
     * it (e.g. {@code CREATE EXTENSION citext}); empty when it has them all, or where the database
     * has no extensions.
     */
    default Map<String, String> missingExtensions(Connection c, Set<String> extensions) throws SQLException {
        return Map.of();
    }

    /**
     * How many zero dates (a DATE, DATETIME or TIMESTAMP whose month or day is zero; see
     * {@link io.tideway.core.model.ZeroDates}) each column of {@code t} holds, for the columns that
     * hold any, in column order; one scan of the table. Empty where the database stores none (the default).
     */
    default Map<String, Long> zeroDateCounts(Connection c, Table t) throws SQLException {
        return Map.of();
    }

    /** Whether the table holds at least one row. */
    boolean hasRows(Connection c, TableId id) throws SQLException;
}

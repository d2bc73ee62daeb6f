package io.tideway.core.spi;

import io.tideway.core.model.Column;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.List;

/**
 * The DDL of a database: statements that create, change and drop schemas, tables, columns and
 * indexes ({@link Dialect#schema()}).
 */
public interface SchemaWriter {

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
    List<String> addColumnSql(TableId table, Column column, DataSourceType.Family sourceFamily);

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
}

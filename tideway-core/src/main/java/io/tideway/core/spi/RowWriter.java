package io.tideway.core.spi;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;

/**
 * Writes rows into a table: what the full copy and the sink write with (bulk insert, upsert, update
 * and delete by key) ({@link Dialect#writer()}).
 */
public interface RowWriter extends Quoting {

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
}

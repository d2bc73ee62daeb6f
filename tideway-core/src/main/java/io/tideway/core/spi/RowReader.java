package io.tideway.core.spi;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Reads rows of a table: streams of key ranges or of given keys, and the key bounds the full copy
 * cuts chunks by ({@link Dialect#rows()}).
 */
public interface RowReader {

    /**
     * Streams the rows of a key range (or the whole table) without holding them in memory, in key
     * order when the table has a row key. The connection's auto-commit may be changed.
     */
    RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException;

    /** min and max of a single integer key column, or empty when the table is empty. */
    Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException;

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
}

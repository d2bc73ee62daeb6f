package io.tideway.core.spi;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What verification asks the server to compute: checksums of key ranges, and the check of a DBA's
 * row filter ({@link Dialect#verify()}).
 */
public interface VerifyHashing {

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
}

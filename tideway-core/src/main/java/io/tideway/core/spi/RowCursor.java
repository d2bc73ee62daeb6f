package io.tideway.core.spi;

import java.sql.SQLException;

/** A forward-only stream of rows in canonical form; the array may be reused between rows. */
public interface RowCursor extends AutoCloseable {
    /** Moves to the next row; false at the end. */
    boolean next() throws SQLException;

    /** The current row's values, in the table's column order. */
    Object[] row();

    @Override
    void close() throws SQLException;
}

package io.tideway.engine.full;

import io.tideway.core.spi.RowCursor;
import io.tideway.engine.Progress;
import io.tideway.engine.Throttle;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Adapts a source cursor to the iterator a destination writer pulls from, counting rows and
 * (approximate) bytes into the progress and pacing them through the throttle every few rows.
 */
final class RowStream implements Iterator<Object[]> {
    private static final int BATCH = 1024;

    private final RowCursor cursor;
    private final Progress.TableProgress progress;
    private final Throttle throttle;
    private final boolean copyRows;
    private boolean fetched;
    private boolean more;
    private long rows;
    private long bytes;
    private int pendingRows;
    private long pendingBytes;
    private Exception sourceFailure;
    private long reportedRows;
    private long reportedBytes;

    RowStream(RowCursor cursor, Progress.TableProgress progress, Throttle throttle, boolean copyRows) {
        this.cursor = cursor;
        this.progress = progress;
        this.throttle = throttle;
        this.copyRows = copyRows;
    }

    @Override
    public boolean hasNext() {
        if (!fetched) {
            try {
                more = cursor.next();
            } catch (SQLException | RuntimeException e) {
                sourceFailure = e;
                throw new SourceReadException(e);
            }
            fetched = true;
            if (!more) {
                flush();
            }
        }
        return more;
    }

    @Override
    public Object[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        fetched = false;
        Object[] row = cursor.row();
        long size = 0;
        for (Object v : row) {
            size += sizeOf(v);
        }
        rows++;
        bytes += size;
        pendingRows++;
        pendingBytes += size;
        if (pendingRows >= BATCH) {
            flush();
        }
        return copyRows ? row.clone() : row;
    }

    private void flush() {
        if (pendingRows == 0) {
            return;
        }
        progress.add(pendingRows, pendingBytes);
        reportedRows += pendingRows;
        reportedBytes += pendingBytes;
        try {
            throttle.acquire(pendingRows, pendingBytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        pendingRows = 0;
        pendingBytes = 0;
    }

    /** Takes back what this stream added to the table's progress (its chunk failed and will be redone). */
    void retractProgress() {
        progress.add(-reportedRows, -reportedBytes);
        reportedRows = 0;
        reportedBytes = 0;
    }

    /** The source's failure, if reading stopped on one. */
    Exception sourceFailure() {
        return sourceFailure;
    }

    long rows() {
        return rows;
    }

    long bytes() {
        return bytes;
    }

    static long sizeOf(Object v) {
        if (v == null) {
            return 1;
        }
        if (v instanceof String s) {
            return s.length() + 1;
        }
        if (v instanceof byte[] b) {
            return b.length + 1;
        }
        return 8;
    }

    /** A failure reading the source, kept apart from the destination's failures. */
    static final class SourceReadException extends RuntimeException {
        SourceReadException(Exception cause) {
            super(cause);
        }
    }
}

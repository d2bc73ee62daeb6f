package io.tideway.engine.full;

import io.tideway.core.model.Column;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.spi.Dialect;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts a table into key-range chunks of about {@code chunkSize} rows. A single integer key is cut
 * evenly between its min and max using the row estimate; other and composite keys are cut by
 * asking the database for the key {@code chunkSize} rows further on. The first chunk has no lower
 * bound and the last no upper bound, so rows outside the planned span are never missed.
 */
public final class ChunkPlanner {
    private ChunkPlanner() { }

    public static List<KeyRange> plan(Dialect d, Connection c, Table t, int chunkSize) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            return List.of(KeyRange.ALL);
        }
        if (key.size() == 1 && key.get(0).type().isInteger()) {
            Optional<BigInteger[]> b = d.rows().integerKeyBounds(c, t);
            if (b.isEmpty()) {
                return List.of(KeyRange.ALL);
            }
            return evenSplit(b.get()[0], b.get()[1], t.estimatedRows(), chunkSize);
        }
        List<KeyRange> out = new ArrayList<>();
        List<Object> lower = null;
        while (true) {
            Optional<List<Object>> next = d.rows().nextBoundary(c, t, lower, chunkSize);
            if (next.isEmpty()) {
                out.add(new KeyRange(lower, null));
                return out;
            }
            out.add(new KeyRange(lower, next.get()));
            lower = next.get();
        }
    }

    static List<KeyRange> evenSplit(BigInteger min, BigInteger max, long estimatedRows, int chunkSize) {
        BigInteger span = max.subtract(min).add(BigInteger.ONE);
        long rows = Math.max(estimatedRows, 1);
        // when the key is dense, the span is a better row count than a stale estimate
        if (span.compareTo(BigInteger.valueOf(rows)) < 0 || estimatedRows <= 0) {
            rows = span.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        }
        long chunks = Math.max(1, (rows + chunkSize - 1) / chunkSize);
        BigInteger step = span.add(BigInteger.valueOf(chunks - 1)).divide(BigInteger.valueOf(chunks));
        if (step.signum() <= 0) {
            step = BigInteger.ONE;
        }
        List<KeyRange> out = new ArrayList<>();
        Object lower = null;
        BigInteger b = min.add(step);
        while (b.compareTo(max) <= 0) {
            Object upper = boundary(b);
            out.add(new KeyRange(lower == null ? null : List.of(lower), List.of(upper)));
            lower = upper;
            b = b.add(step);
        }
        out.add(new KeyRange(lower == null ? null : List.of(lower), null));
        return out;
    }

    private static Object boundary(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
}

package io.tideway.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live figures of a long operation: per table and in total, done/estimated rows, bytes, rate and
 * ETA. Workers add to counters; readers take {@link #snapshot()}s.
 */
public final class Progress {
    /** One table's counters. */
    public static final class TableProgress {
        final String name;
        final AtomicLong estimated;
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile String state = "PENDING";

        TableProgress(String name, long estimated) {
            this.name = name;
            this.estimated = new AtomicLong(estimated);
        }

        public void add(long r, long b) {
            rows.addAndGet(r);
            bytes.addAndGet(b);
        }

        public void state(String s) {
            state = s;
        }

        public long rows() {
            return rows.get();
        }

        public long bytes() {
            return bytes.get();
        }
    }

    /** Figures at one moment. rate and eta are -1 when unknown. */
    public record Snapshot(String step, long rowsDone, long rowsTotal, long bytesDone, double rowsPerSecond,
                           double bytesPerSecond, long etaSeconds, long elapsedMillis, List<TableLine> tables) { }

    public record TableLine(String name, String state, long rowsDone, long rowsTotal) { }

    private final String step;
    private final Map<String, TableProgress> tables = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long lastRows;
    private long lastBytes;
    private double rate = -1;
    private double byteRate = -1;

    public Progress(String step) {
        this.step = step;
    }

    public synchronized TableProgress table(String name, long estimatedRows) {
        return tables.computeIfAbsent(name, n -> {
            order.add(n);
            return new TableProgress(n, Math.max(0, estimatedRows));
        });
    }

    /** Takes a snapshot; the rate is smoothed over the time since the previous snapshot. */
    public synchronized Snapshot snapshot() {
        long rows = 0;
        long total = 0;
        long bytes = 0;
        List<TableLine> lines = new ArrayList<>();
        for (String n : order) {
            TableProgress t = tables.get(n);
            long r = t.rows.get();
            long e = "DONE".equals(t.state) ? r : Math.max(t.estimated.get(), r);
            rows += r;
            total += e;
            bytes += t.bytes.get();
            lines.add(new TableLine(n, t.state, r, e));
        }
        long now = System.nanoTime();
        double dt = (now - lastNanos) / 1e9;
        if (dt >= 0.5) {
            double inst = (rows - lastRows) / dt;
            double instB = (bytes - lastBytes) / dt;
            rate = rate < 0 ? inst : 0.7 * rate + 0.3 * inst;
            byteRate = byteRate < 0 ? instB : 0.7 * byteRate + 0.3 * instB;
            lastNanos = now;
            lastRows = rows;
            lastBytes = bytes;
        }
        double overall = rows / Math.max(1e-3, (now - startNanos) / 1e9);
        double r = rate > 0 ? rate : overall;
        long eta = r > 0 ? (long) Math.ceil((total - rows) / r) : -1;
        return new Snapshot(step, rows, total, bytes, r, byteRate < 0 ? 0 : byteRate, eta,
                (now - startNanos) / 1_000_000, lines);
    }
}

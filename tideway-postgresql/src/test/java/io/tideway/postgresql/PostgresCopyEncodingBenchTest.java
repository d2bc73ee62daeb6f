package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The COPY encoder's cost per row on sysbench-shaped rows (id INT, k INT, c CHAR(120), pad
 * CHAR(60)) written to a stream that discards them. Runs only with {@code -Dtideway.bench=true}:
 * {@code mvn -o -pl tideway-postgresql test -Dtest=PostgresCopyEncodingBenchTest -Dtideway.bench=true}.
 */
@EnabledIfSystemProperty(named = "tideway.bench", matches = "true")
class PostgresCopyEncodingBenchTest {
    static final int ROWS = Integer.getInteger("tideway.bench.rows", 2_000_000);
    static final int RUNS = Integer.getInteger("tideway.bench.runs", 7);
    /** {@code -Dtideway.bench.text=cjk}: the same rows with CJK characters for digits (three UTF-8 bytes each). */
    static final char ZERO = "cjk".equals(System.getProperty("tideway.bench.text")) ? '\u4e00' : '0';

    static Table sysbench() {
        return new Table(new TableId("sbtest", "sbtest1"), List.of(
                new Column("id", ColumnType.of(Kind.INT32, "int"), false, null, true, null),
                new Column("k", ColumnType.of(Kind.INT32, "int"), false, null, false, null),
                new Column("c", ColumnType.sized(Kind.CHAR, 120, "char(120)"), false, null, false, null),
                new Column("pad", ColumnType.sized(Kind.CHAR, 60, "char(60)"), false, null, false, null)),
                List.of("id"), List.of(), null, 0, 0);
    }

    /** sysbench's c and pad: groups of 11 digits joined by '-'. */
    static String groups(SplittableRandom r, int groups) {
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                b.append('-');
            }
            for (int d = 0; d < 11; d++) {
                b.append((char) (ZERO + r.nextInt(10)));
            }
        }
        return b.toString();
    }

    @Test
    void sysbenchRowsNsPerRow() throws SQLException {
        SplittableRandom r = new SplittableRandom(42);
        int pool = 8192;
        String[] c = new String[pool];
        String[] pad = new String[pool];
        for (int i = 0; i < pool; i++) {
            c[i] = groups(r, 10);
            pad[i] = groups(r, 5);
        }
        Table t = sysbench();
        long[] sink = new long[1];
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double[] ns = new double[RUNS];
        double[] idle = new double[RUNS];
        long bytes = 0;
        for (int run = 0; run < 2 * RUNS; run++) {
            Iterator<Object[]> rows = new Iterator<>() {
                final Object[] row = new Object[4];
                long i;

                @Override
                public boolean hasNext() {
                    return i < ROWS;
                }

                @Override
                public Object[] next() {
                    int k = (int) (i & (pool - 1));
                    row[0] = i + 1;
                    row[1] = (long) (i * 2654435761L % 1_000_000);
                    row[2] = c[k];
                    row[3] = pad[k];
                    i++;
                    return row;
                }
            };
            // CPU time of this thread: the machine is shared, so wall time says more about the neighbours
            long t0 = cpu.getCurrentThreadCpuTime();
            if (run % 2 == 0) {
                PostgresCopyWriter w = new PostgresCopyWriter(t);
                bytes = w.encode(rows, (b, off, len) -> sink[0] += b[off] + len);
                ns[run / 2] = (cpu.getCurrentThreadCpuTime() - t0) / (double) ROWS;
            } else {
                // the rows alone (boxing the keys, as a reader does), to subtract
                while (rows.hasNext()) {
                    sink[0] += rows.next().length;
                }
                idle[run / 2] = (cpu.getCurrentThreadCpuTime() - t0) / (double) ROWS;
            }
        }
        double[] sorted = ns.clone();
        Arrays.sort(sorted);
        double[] base = idle.clone();
        Arrays.sort(base);
        System.out.printf("COPY encode sysbench rows: median %.1f CPU ns/row, min %.1f (producing the rows alone: median %.1f),"
                        + " runs %s, %d bytes/run%n", sorted[RUNS / 2], sorted[0], base[RUNS / 2],
                Arrays.toString(Arrays.stream(ns).map(x -> Math.round(x * 10) / 10.0).toArray()), bytes);
        assertThat(bytes).isGreaterThan(ROWS * 180L);
    }
}

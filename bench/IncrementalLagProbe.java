import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lag under load for bench/incremental.sh: a paced writer on the source and an end-to-end probe.
 *
 * <pre>
 * java -cp MARIADB_DRIVER.jar:PGJDBC.jar bench/IncrementalLagProbe.java SRC_URL DST_URL DST_TABLE RATE SECONDS THREADS ROWS OUT_PREFIX [TXN [WARMUP]]
 * </pre>
 *
 * <ul>
 *   <li>THREADS writer connections run {@code UPDATE sbtest1 SET k = k + 1, c = ? WHERE id = ?} (autocommit) with
 *       random ids in 2..ROWS (TXN statements per transaction, default 1: autocommit), paced together to RATE statements/s for SECONDS (a thread that falls behind does
 *       not sleep until it is on schedule again). c is {@code w:<epoch micros>}.</li>
 *   <li>The probe connection updates row id = 1 every 100 ms with c = {@code ts:<epoch micros at send>} (autocommit).</li>
 *   <li>The poller reads row id = 1 on the destination every 2 ms. When it sees {@code ts:X}, every probe write
 *       with a time up to X that was not seen yet is visible now: its lag is now minus its send time (so the
 *       figure includes the source's own commit latency, printed separately).</li>
 * </ul>
 * With WARMUP seconds (default 0), writers and probe run at the same rate for that long first; the lags of
 * probe writes sent then are reported apart (warmup_*), the main figures cover the SECONDS after it.
 * Writes OUT_PREFIX.lag (one lag in ms per measured probe write) and prints a summary line of key=value pairs.
 */
public class IncrementalLagProbe {
    static long micros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    public static void main(String[] a) throws Exception {
        String src = a[0], dst = a[1], table = a[2];
        double rate = Double.parseDouble(a[3]);
        int seconds = Integer.parseInt(a[4]), threads = Integer.parseInt(a[5]);
        int rows = Integer.parseInt(a[6]);
        String out = a[7];
        int txn = a.length > 8 ? Integer.parseInt(a[8]) : 1; // updates per source transaction
        long warmup = a.length > 9 ? Long.parseLong(a[9]) * 1_000_000L : 0;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        AtomicLong writtenMeasured = new AtomicLong();
        long[] commitMicros = new long[1 << 22];
        AtomicLong commits = new AtomicLong();
        long start = micros() + 500_000; // common schedule start
        long measureFrom = start + warmup;
        long end = measureFrom + seconds * 1_000_000L;

        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int me = t;
            Thread w = new Thread(() -> {
                Random rnd = new Random(1000 + me);
                try (Connection c = DriverManager.getConnection(src);
                     PreparedStatement ps = c.prepareStatement("UPDATE sbtest1 SET k = k + 1, c = ? WHERE id = ?")) {
                    c.setAutoCommit(txn == 1);
                    for (long j = 0; ; j++) {
                        long due = start + (long) ((j * threads + me) * 1_000_000L / rate);
                        if (due >= end) {
                            if (txn > 1) {
                                c.commit();
                            }
                            break;
                        }
                        long now = micros();
                        if (now >= end) {
                            // behind schedule at the end: the rest is not written (the achieved rate says so)
                            if (txn > 1) {
                                c.commit();
                            }
                            break;
                        }
                        if (due > now) {
                            long ms = (due - now) / 1000;
                            Thread.sleep(ms, (int) ((due - now) % 1000) * 1000);
                        }
                        long t0 = micros();
                        ps.setString(1, "w:" + t0);
                        ps.setInt(2, 2 + rnd.nextInt(rows - 1));
                        ps.executeUpdate();
                        if (txn > 1 && (j + 1) % txn == 0) {
                            c.commit();
                        }
                        long dt = micros() - t0;
                        long n = commits.getAndIncrement();
                        if (n < commitMicros.length) {
                            commitMicros[(int) n] = dt;
                        }
                        written.incrementAndGet();
                        if (t0 >= measureFrom) {
                            writtenMeasured.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            }, "writer-" + t);
            writers.add(w);
        }

        ConcurrentLinkedQueue<long[]> sent = new ConcurrentLinkedQueue<>(); // {sendMicros}
        List<Long> lags = new ArrayList<>();
        List<Long> warmLags = new ArrayList<>();
        AtomicLong lastProbe = new AtomicLong();
        Thread probe = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(src);
                 PreparedStatement ps = c.prepareStatement("UPDATE sbtest1 SET c = ? WHERE id = 1")) {
                c.setAutoCommit(true);
                long next = start;
                while (next < end) {
                    long now = micros();
                    if (next > now) {
                        Thread.sleep((next - now) / 1000);
                    }
                    long t0 = micros();
                    ps.setString(1, "ts:" + t0);
                    sent.add(new long[] {t0});
                    ps.executeUpdate();
                    lastProbe.set(t0);
                    next += 100_000;
                }
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(3);
            }
        }, "probe");
        Thread poller = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(dst);
                 PreparedStatement ps = c.prepareStatement("SELECT c FROM " + table + " WHERE id = 1")) {
                c.setAutoCommit(true);
                while (!stop.get() || !sent.isEmpty()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        long seen = micros();
                        if (rs.next()) {
                            String v = rs.getString(1).trim();
                            if (v.startsWith("ts:")) {
                                long x = Long.parseLong(v.substring(3));
                                long[] h;
                                while ((h = sent.peek()) != null && h[0] <= x) {
                                    sent.poll();
                                    List<Long> into = h[0] < measureFrom ? warmLags : lags;
                                    synchronized (into) {
                                        into.add((seen - h[0]) / 1000);
                                    }
                                }
                            }
                        }
                    }
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(3);
            }
        }, "poller");
        poller.start();
        probe.start();
        writers.forEach(Thread::start);
        for (Thread w : writers) {
            w.join();
        }
        long wroteEnd = micros();
        probe.join();
        // let the last probe writes arrive (at most 60 s)
        long deadline = System.currentTimeMillis() + 60_000;
        while (!sent.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        int unseen = sent.size();
        sent.clear();
        stop.set(true);
        poller.join();

        long[] l = lags.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] wl = warmLags.stream().mapToLong(Long::longValue).sorted().toArray();
        try (java.io.PrintWriter pw = new java.io.PrintWriter(out + ".lag")) {
            for (long v : lags) {
                pw.println(v);
            }
        }
        int n = (int) Math.min(commits.get(), commitMicros.length);
        long[] cm = Arrays.copyOf(commitMicros, n);
        Arrays.sort(cm);
        double secs = (wroteEnd - measureFrom) / 1e6;
        System.out.printf("written=%d seconds=%.1f rate=%.0f probes=%d unseen=%d lag_p50_ms=%d lag_p99_ms=%d lag_max_ms=%d"
                        + " src_stmt_p50_ms=%.1f src_stmt_p99_ms=%.1f warmup_s=%d warmup_probes=%d warmup_lag_p99_ms=%d"
                        + " warmup_lag_max_ms=%d%n",
                writtenMeasured.get(), secs, writtenMeasured.get() / secs, l.length, unseen, pct(l, 50), pct(l, 99),
                l.length == 0 ? -1 : l[l.length - 1], pct(cm, 50) / 1000.0, pct(cm, 99) / 1000.0, warmup / 1_000_000L,
                wl.length, pct(wl, 99), wl.length == 0 ? -1 : wl[wl.length - 1]);
    }

    static long pct(long[] s, int p) {
        if (s.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }
}

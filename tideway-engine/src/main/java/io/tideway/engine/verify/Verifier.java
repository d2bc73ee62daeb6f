package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.VerifyOptions;
import io.tideway.engine.Endpoints;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.Workers;
import io.tideway.engine.verify.VerifyPlanner.Work;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Compares every row of a project's tables between source and destination.
 *
 * <ol>
 *   <li>Each keyed table is cut into key-range chunks as the full copy cuts it; chunks of all tables
 *       are compared by {@code full.parallelism} workers, each with its own pair of connections.</li>
 *   <li>Between databases of the same family, each side first computes a checksum of the chunk
 *       (count and hash of its rows) itself; equal checksums end the chunk without a row read.</li>
 *   <li>Otherwise both sides stream the chunk's rows in key order, reduce each row to its key and a
 *       digest of its canonical values, and merge the two streams. Where the key does not sort the
 *       same way on both sides (text, whose collations differ), each side's rows are sorted by
 *       canonical key in memory first, and a row that one side puts in another chunk is matched
 *       across chunks.</li>
 *   <li>A table without a key is compared whole, as a multiset of row digests.</li>
 *   <li>A table with a row filter ({@code verify.where}) has it added, on each side in that side's
 *       SQL, to every read and checksum; each filter is run once on each side before anything is
 *       compared.</li>
 *   <li>Rows found different are read again on both sides by key before being reported: once, or,
 *       while an incremental step applies changes, several rounds a few seconds apart (after the lag
 *       is back under its threshold), so that changes in flight are not reported.</li>
 * </ol>
 */
public final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    /** Rows followed (read again, listed, corrected) per table; more are only counted. */
    static final int MAX_LISTED = 100_000;
    /** Rows of keys in text order awaiting their twin from another chunk, per table. */
    static final int MAX_PENDING = 1_000_000;
    private static final int MAX_ATTEMPTS = 4;

    /** The incremental step that may be applying changes to the destination meanwhile. */
    public interface Sync {
        /** Whether changes are being applied to the destination now. */
        boolean active();

        /** Waits at most {@code max} until the lag is under its threshold; false when it did not get there. */
        boolean awaitSynced(Duration max);

        /** How far behind the sync is now (after {@link #awaitSynced} said it is not under its threshold). */
        default VerifyReport.InFlight inFlight() {
            return new VerifyReport.InFlight(-1, "RUNNING");
        }

        Sync NONE = new Sync() {
            @Override
            public boolean active() {
                return false;
            }

            @Override
            public boolean awaitSynced(Duration max) {
                return true;
            }
        };
    }

    /** Thrown when the run is asked to stop before the verification ends. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("verification stopped before it finished");
        }
    }

    private final VerifyContext ctx;
    private final List<MappedTable> tables;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile List<TableState> states = List.of();
    /** Set when the rounds of reading differing rows again ended with the sync behind: those rows are not confirmed. */
    private VerifyReport.InFlight inFlight;
    private ChunkComparer comparer;

    /** @param keyBatch rows read again by key at once (the Checker's coordinator.keyBatch) */
    public Verifier(String project, Endpoints ends, List<MappedTable> tables, FullOptions full, VerifyOptions opt, int keyBatch,
                    ProgressListener listener, Sync sync, BooleanSupplier stop) {
        this.ctx = new VerifyContext(project, ends, full, opt, keyBatch, listener, sync, stop);
        this.tables = List.copyOf(tables);
    }

    /** How far a verification is: tables and chunks compared, of those it compares. */
    public record Position(int tablesDone, int tables, long chunksDone, long chunks) {
        @Override
        public String toString() {
            return String.format("%d of %d tables, %,d of %,d chunks", tablesDone, tables, chunksDone, chunks);
        }
    }

    /** Where {@link #run()} is now (may be called from another thread; nothing before it has planned). */
    public Position position() {
        int done = 0;
        long chunksDone = 0;
        long chunks = 0;
        List<TableState> now = states;
        for (TableState s : now) {
            int left = Math.max(0, s.remaining.get());
            done += left == 0 ? 1 : 0;
            chunksDone += s.chunksCompared - left;
            chunks += s.chunksCompared;
        }
        return new Position(done, now.size(), chunksDone, chunks);
    }

    /** How each table is compared, by source table name; filled by {@link #run()}. */
    Map<String, TablePlan> plans() {
        return ctx.plans;
    }

    /** The row filter of a table (by source name), or null when all its rows are compared. */
    RowFilter rowFilter(String label) {
        return ctx.filters.get(label);
    }

    Endpoints ends() {
        return ctx.ends;
    }

    // ------------------------------------------------------------------ the run

    public VerifyReport run() {
        Instant started = Instant.now();
        LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
        states = new VerifyPlanner(ctx, tables).prepare(queue);
        FullOptions full = ctx.full;
        long checksummed = ctx.ends.sameFamily() ? states.stream().filter(s -> s.plan.keyed()).count() : 0;
        ctx.listener.info(String.format("verify: %d chunks in %d tables, parallelism %d%s", queue.size(), states.size(),
                full.parallelism(), checksummed > 0 ? ", chunk checksums computed by each database first" : ""));
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(Workers.daemon("tideway-verify-progress"));
        reporter.scheduleAtFixedRate(this::tellProgress, 500, 500, TimeUnit.MILLISECONDS);
        try {
            int workers = Math.max(1, Math.min(full.parallelism(), queue.size()));
            ExecutorService pool = Executors.newFixedThreadPool(workers, Workers.daemon("tideway-verify-worker"));
            // same family: each chunk's destination checksum runs while the worker computes the source's
            ExecutorService destinationSide = ctx.ends.sameFamily()
                    ? Executors.newFixedThreadPool(workers, Workers.daemon("tideway-verify-destination")) : null;
            comparer = new ChunkComparer(ctx, destinationSide);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(pool.submit(() -> workLoop(queue)));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            } finally {
                pool.shutdownNow();
                if (destinationSide != null) {
                    destinationSide.shutdownNow();
                }
            }
            rethrowFailure();
            for (TableState s : states) {
                s.finishPending();
            }
            inFlight = new Rechecker(ctx, comparer).recheck(states, false);
        } finally {
            // not shutdownNow: the listener may be writing to the MetaDB, whose embedded H2 closes on an interrupt
            reporter.shutdown();
            try {
                reporter.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tellProgress();
        }
        return report(started);
    }

    private void workLoop(LinkedBlockingQueue<Work> queue) {
        Connection sc = null;
        Connection dc = null;
        try {
            Work w;
            while (failure.get() == null && (w = queue.poll()) != null) {
                if (ctx.stop.getAsBoolean()) {
                    throw new Stopped();
                }
                MDC.put("table", w.table().plan.label());
                w.table().tp.state("VERIFYING");
                for (int attempt = 1; ; attempt++) {
                    ChunkOutcome o = new ChunkOutcome(w.table());
                    try {
                        if (sc == null) {
                            sc = ctx.ends.connectSource();
                        }
                        if (dc == null) {
                            dc = ctx.ends.connectDestination();
                        }
                        if (w.range() == null) {
                            comparer.compareKeyless(sc, dc, o);
                        } else {
                            comparer.compareChunk(sc, dc, w.range(), o);
                        }
                        w.table().apply(o);
                        break;
                    } catch (TidewayException e) {
                        w.table().tp.add(-o.progressRows, 0);
                        if (!e.code().retriable() || attempt >= MAX_ATTEMPTS) {
                            throw e;
                        }
                        LOG.warn("{} {} attempt {} failed, retrying: {}", w.table().plan.label(), w.range(), attempt, e.getMessage());
                        sc = Workers.closeQuietly(sc);
                        dc = Workers.closeQuietly(dc);
                        Thread.sleep(1000L << (attempt - 1));
                    }
                }
                if (w.table().remaining.decrementAndGet() == 0) {
                    w.table().tp.state("DONE");
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            Workers.closeQuietly(sc);
            Workers.closeQuietly(dc);
            MDC.remove("table");
        }
    }

    private void rethrowFailure() {
        Throwable f = failure.get();
        if (f == null) {
            return;
        }
        if (f instanceof TidewayException te) {
            throw te;
        }
        if (f instanceof Stopped s) {
            throw s;
        }
        throw new TidewayException(ErrorCode.INTERNAL, "verification failed: " + f, f);
    }

    // ------------------------------------------------------------------ repair

    /** What a repair wrote. */
    public record Repair(long rowsWritten, long rowsDeleted) { }

    /**
     * Makes the destination rows that {@code report} lists equal to the source ({@link Repairer}),
     * then reads the rows again and returns what still differs.
     */
    public VerifyReport repair(VerifyReport report, AtomicReference<Repair> done) {
        Instant started = Instant.now();
        done.set(new Repairer(ctx).repair(states));
        inFlight = new Rechecker(ctx, comparer).recheck(states, true);
        return report(started);
    }

    // ------------------------------------------------------------------ results

    private VerifyReport report(Instant started) {
        List<TableReport> out = new ArrayList<>();
        for (TableState s : states) {
            TablePlan p = s.plan;
            out.add(new TableReport(p.label(), p.destinationCompared().id().toString(), p.keyed(), s.sourceRows.get(),
                    s.destinationRows.get(), s.chunks, s.chunksCompared, s.chunksEqualByChecksum.get(), s.matchedAcrossChunks, p.excluded(),
                    s.differences, s.unlisted, inFlight != null && !(s.differences.isEmpty() && s.unlisted == 0)));
        }
        return new VerifyReport(ctx.project, started, Instant.now(), out, new ArrayList<>(ctx.warnings), inFlight);
    }

    private void tellProgress() {
        try {
            ctx.listener.progress(ctx.progress.snapshot());
        } catch (RuntimeException e) {
            LOG.debug("progress report failed: {}", e.toString());
        }
    }

}

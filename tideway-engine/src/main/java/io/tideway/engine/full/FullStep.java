package io.tideway.engine.full;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Step;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.WriteResult;
import io.tideway.engine.Progress;
import io.tideway.engine.RunContext;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.TableStates;
import io.tideway.engine.Throttle;
import io.tideway.engine.Workers;
import io.tideway.engine.component.ComponentConfig;
import io.tideway.engine.component.ComponentKind;
import io.tideway.engine.component.ComponentRun;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.engine.incremental.HeldTable;
import io.tideway.engine.incremental.Store;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.core.change.HeldPositions;
import io.tideway.metadb.ChunkRecord;
import io.tideway.metadb.TableRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full step: copies every existing row of every selected table.
 *
 * <ol>
 *   <li>Each table's chunk plan is made once and saved in the MetaDB (a rerun reuses it).</li>
 *   <li>Chunks of all tables go into one queue served by {@code parallelism} workers, each with its
 *       own source and destination connection.</li>
 *   <li>A chunk is read as a stream and written with the destination's bulk path in one
 *       destination transaction; only after the commit is it checkpointed DONE.</li>
 *   <li>A chunk that was STARTED before (the process died while it was in flight) is redone:
 *       its key range is deleted first in the same transaction when the key orders the same on
 *       both sides, otherwise its rows are upserted; a keyless table is truncated and recopied.</li>
 *   <li>When a table's last chunk is done, its unique keys and secondary indexes are created.</li>
 * </ol>
 */
public final class FullStep {
    private static final Logger LOG = LoggerFactory.getLogger(FullStep.class);

    private final RunContext ctx;
    private final int parallelism;
    private final int chunkSize;
    /**
     * How long a chunk keeps being retried after failures that may pass (a lost connection, a
     * server restarting, a deadlock), backing off up to {@link #maxBackoffMillis} between attempts,
     * as the change capture waits for its source.
     */
    private final long retryForMillis;
    private final long maxBackoffMillis;
    private final Progress progress = new Progress(Step.FULL.id());
    private final Throttle throttle;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<String, AtomicInteger> remaining = new ConcurrentHashMap<>();
    /** Lossy conversions already reported (each is told once). */
    private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();

    private record Work(MappedTable table, ChunkRecord chunk, boolean chunked, Progress.TableProgress progress) { }

    /**
     * With the incremental step: where a table without a key records the log place its copy was read
     * at, in the destination transaction that writes the copy (the Connector applies that table's
     * changes from there on, never one the copy already holds); null without the incremental step.
     */
    private final HeldTable held;
    /** The source's change capture, which reads a table without a key at a known log place (with {@link #held}). */
    private final io.tideway.core.change.ChangeCapture capture;

    /** A full step configured as the project's Full-Import component {@code c} is. */
    private FullStep(RunContext ctx, ComponentConfig c) {
        this.ctx = ctx;
        this.parallelism = Math.toIntExact(c.get(ComponentSettings.PARALLELISM));
        this.chunkSize = Math.toIntExact(c.get(ComponentSettings.CHUNK_SIZE));
        this.retryForMillis = c.get(ComponentSettings.RETRY_FOR).toMillis();
        this.maxBackoffMillis = c.get(ComponentSettings.RETRY_MAX_BACKOFF).toMillis();
        this.throttle = new Throttle(c.get(ComponentSettings.THROTTLE_ROWS), c.get(ComponentSettings.THROTTLE_MB));
        this.held = ctx.config().has(Step.INCREMENTAL) && HeldTable.anyKeyless(ctx.tables())
                ? HeldTable.of(ctx.config().name(), Store.FORWARD, ctx.tables()) : null;
        this.capture = held == null ? null : Store.captureFor(ctx.ends().source().type());
    }

    /** Runs the full copy as the project's Full-Import component (configured, started, then stopped or failed). */
    public static String run(RunContext ctx) {
        ComponentRun component = ComponentRun.configure(ctx, ComponentKind.FULL_IMPORT, null);
        FullStep step = new FullStep(ctx, component.config());
        component.start();
        boolean failed = true;
        try {
            String summary = step.execute();
            failed = false;
            return summary;
        } finally {
            try {
                Progress.Snapshot s = step.progress.snapshot();
                component.position(String.format("%,d of %,d rows", s.rowsDone(), s.rowsTotal()));
            } catch (RuntimeException e) {
                LOG.warn("recording the Full-Import's position: {}", e.toString());
            }
            if (failed) {
                component.fail();
            } else {
                component.stop();
            }
        }
    }

    private String execute() {
        long t0 = System.nanoTime();
        List<MappedTable> tables = new ArrayList<>(ctx.tables());
        tables.sort(Comparator.comparingLong((MappedTable m) -> m.source().estimatedRows()).reversed());
        LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
        List<MappedTable> toIndex = new ArrayList<>();
        // 1. plans
        try (Connection src = ctx.ends().connectSource()) {
            for (MappedTable m : tables) {
                planTable(src, m, queue, toIndex);
            }
        } catch (SQLException e) {
            throw ctx.ends().sourceDialect().errors().classify(e, "planning chunks");
        }
        ctx.listener().info("full: " + queue.size() + " chunks to copy in " + tables.size() + " tables, parallelism "
                + parallelism);
        if (held != null) {
            try (Connection dst = ctx.ends().connectDestination()) {
                held.ensure(ctx.ends().destinationDialect(), dst, ctx.ends().sourceFamily());
            } catch (SQLException e) {
                throw ctx.ends().destinationDialect().errors().classify(e, "connecting to the destination");
            }
        }
        // tables whose rows were all copied in an earlier run but whose indexes were not made
        for (MappedTable m : toIndex) {
            finishTable(m);
        }
        // 2. workers
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(Workers.daemon("tideway-full-progress"));
        AtomicInteger tick = new AtomicInteger();
        reporter.scheduleAtFixedRate(() -> report(tick.incrementAndGet() % 4 == 0), 500, 500, TimeUnit.MILLISECONDS);
        int workers = Math.max(1, Math.min(parallelism, Math.max(1, queue.size())));
        ExecutorService pool = Executors.newFixedThreadPool(workers, Workers.daemon("tideway-full-worker"));
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
        } catch (java.util.concurrent.ExecutionException e) {
            failure.compareAndSet(null, e.getCause());
        } finally {
            pool.shutdownNow();
            // not shutdownNow: the reporter may be writing to the MetaDB, whose embedded H2 closes on an interrupt
            reporter.shutdown();
            try {
                reporter.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            report(true);
        }
        Throwable f = failure.get();
        if (f != null) {
            if (f instanceof TidewayException te) {
                throw te;
            }
            throw new TidewayException(ErrorCode.INTERNAL, "full copy failed: " + f, f);
        }
        Progress.Snapshot s = progress.snapshot();
        double secs = (System.nanoTime() - t0) / 1e9;
        return String.format("%,d rows in %d tables copied in %.1f s (%,.0f rows/s)", s.rowsDone(), tables.size(), secs,
                s.rowsDone() / Math.max(secs, 1e-3));
    }

    private void planTable(Connection src, MappedTable m, LinkedBlockingQueue<Work> queue, List<MappedTable> toIndex)
            throws SQLException {
        var cp = ctx.metaDb().checkpoints();
        long pid = ctx.projectId();
        Table st = m.source();
        TableRecord rec = cp.table(pid, st.id()).orElse(null);
        if (rec == null) {
            cp.upsertTable(pid, st.id(), m.destination().id(), TableStates.CREATED, st.estimatedRows());
            rec = cp.table(pid, st.id()).orElseThrow();
        }
        Progress.TableProgress tp = progress.table(m.label(), Math.max(st.estimatedRows(), rec.rowsDone()));
        if (TableStates.DONE.equals(rec.state())) {
            tp.add(rec.rowsDone(), rec.bytesDone());
            tp.state("DONE");
            return;
        }
        boolean chunked = !st.rowKey().isEmpty();
        List<ChunkRecord> chunks = cp.chunks(pid, st.id());
        if (chunks.isEmpty()) {
            List<KeyRange> ranges = chunked ? ChunkPlanner.plan(ctx.ends().sourceDialect(), src, st, chunkSize)
                    : List.of(KeyRange.ALL);
            cp.saveChunkPlan(pid, st.id(), ranges);
            chunks = cp.chunks(pid, st.id());
            if (!chunked) {
                ctx.event("WARN", "full", st.id() + " has no primary or unique key: copied in one stream, not resumable per chunk");
            }
            LOG.info("{}: {} chunks planned", st.id(), chunks.size());
        }
        cp.setTableState(pid, st.id(), TableStates.COPYING);
        int open = 0;
        for (ChunkRecord c : chunks) {
            if ("DONE".equals(c.state())) {
                tp.add(c.rows(), c.bytes());
            } else {
                open++;
                queue.add(new Work(m, c, chunked, tp));
            }
        }
        if (open == 0) {
            toIndex.add(m);
        } else {
            tp.state("COPYING");
            remaining.put(m.label(), new AtomicInteger(open));
        }
    }

    private void workLoop(LinkedBlockingQueue<Work> queue) {
        Connection src = null;
        Connection dst = null;
        try {
            Work w;
            while (failure.get() == null && (w = queue.poll()) != null) {
                org.slf4j.MDC.put("table", w.table().label());
                int attempt = 1;
                long firstFailure = 0;
                while (true) {
                    try {
                        if (src == null) {
                            src = ctx.ends().connectSource();
                        }
                        if (dst == null) {
                            dst = ctx.ends().connectDestination();
                        }
                        copyChunk(src, dst, w, attempt > 1);
                        break;
                    } catch (TidewayException e) {
                        rollback(dst);
                        long now = System.currentTimeMillis();
                        firstFailure = firstFailure == 0 ? now : firstFailure;
                        if (!e.code().retriable() || now - firstFailure >= retryForMillis) {
                            throw e;
                        }
                        long backoff = Math.min(maxBackoffMillis, 1000L << Math.min(attempt - 1, 5));
                        LOG.warn("{} chunk {} attempt {} failed, retrying in {} ms: {}", w.table().label(), w.chunk().chunkNo(),
                                attempt, backoff, e.getMessage());
                        if (attempt == 1 || attempt % 5 == 0) {
                            ctx.event("WARN", "full", w.table().label() + " chunk " + w.chunk().chunkNo() + ": attempt " + attempt
                                    + " failed, retrying for up to "
                                    + ComponentSettings.RETRY_FOR.type().format(java.time.Duration.ofMillis(retryForMillis)) + ": " + e.getMessage());
                        }
                        src = Workers.closeQuietly(src);
                        dst = Workers.closeQuietly(dst);
                        Thread.sleep(backoff);
                        attempt++;
                    }
                }
                if (remaining.get(w.table().label()).decrementAndGet() == 0) {
                    finishTable(w.table());
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            Workers.closeQuietly(src);
            Workers.closeQuietly(dst);
            org.slf4j.MDC.remove("table");
        }
    }

    private void copyChunk(Connection src, Connection dst, Work w, boolean retry) {
        var cp = ctx.metaDb().checkpoints();
        Dialect sd = ctx.ends().sourceDialect();
        Dialect dd = ctx.ends().destinationDialect();
        Table st = w.table().source();
        Table dt = w.table().destination();
        ChunkRecord chunk = w.chunk();
        boolean redo = retry || "STARTED".equals(chunk.state());
        if (!redo) {
            cp.markChunkStarted(ctx.projectId(), st.id(), chunk.chunkNo());
        }
        boolean portable = st.rowKeyColumns().stream().allMatch(c -> c.type().hasPortableOrder()) || ctx.ends().sameFamily()
                && st.rowKeyColumns().stream().allMatch(c -> c.type().isInteger() || c.type().isBinary());
        boolean upsert = redo && w.chunked() && !portable;
        ReadOptions ro = new ReadOptions(ctx.zeroDates(), msg -> {
            if (warned.add(msg)) {
                ctx.event("WARN", "full", msg);
            }
        });
        WriteResult result;
        RowStream rows = null;
        boolean consistent = held != null && !w.chunked();
        String snapshotPoint = null;
        try {
            if (redo && !w.chunked()) {
                try (Statement s = dst.createStatement()) {
                    s.execute(dd.schema().truncateSql(dt.id()));
                }
            }
            dst.setAutoCommit(false);
            if (consistent) {
                // a table without a key: read at a known log place, which the copy's transaction records
                src.setAutoCommit(false);
                try {
                    snapshotPoint = capture.beginConsistentRead(ctx.ends().source().type(),
                            src, ctx.ends()::connectSource, st.id());
                } catch (SQLException | RuntimeException e) {
                    throw new RowStream.SourceReadException(e);
                }
                LOG.info("{}: read at log place {} (its changes before it are in the copy)", st.id(), snapshotPoint);
            }
            if (redo && w.chunked() && !upsert) {
                long deleted = dd.writer().deleteRange(dst, dt, chunk.range());
                LOG.info("{} chunk {} {}: redone, {} rows of an earlier attempt deleted first", dt.id(), chunk.chunkNo(),
                        chunk.range(), deleted);
            } else if (upsert) {
                LOG.info("{} chunk {} {}: redone as upserts (its key orders differently on the two sides)", dt.id(),
                        chunk.chunkNo(), chunk.range());
            }
            RowCursor opened;
            try {
                opened = sd.rows().openRows(src, st, chunk.range(), ro);
            } catch (SQLException | RuntimeException e) {
                throw new RowStream.SourceReadException(e);
            }
            try (RowCursor cur = opened) {
                rows = new RowStream(cur, w.progress(), throttle, upsert);
                result = upsert ? dd.writer().upsert(dst, dt, rows) : dd.writer().bulkInsert(dst, dt, rows);
                if (rows.rows() != result.rows()) {
                    throw new TidewayException(ErrorCode.INTERNAL, dt.id() + " chunk " + chunk.chunkNo() + ": read "
                            + rows.rows() + " rows but the destination took " + result.rows());
                }
            }
            if (consistent) {
                held.write(dd, dst, st.id(), new HeldPositions.Held(snapshotPoint, null));
            }
            dst.commit();
            dst.setAutoCommit(true);
            if (consistent) {
                src.commit();
                src.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            if (consistent) {
                rollback(src);
            }
            if (rows != null) {
                rows.retractProgress();
            }
            // a source failure may reach us wrapped by the destination driver that was pulling rows
            if (rows != null && rows.sourceFailure() != null) {
                throw classifySource(sd, rows.sourceFailure(), st);
            }
            if (e instanceof RowStream.SourceReadException sre) {
                throw classifySource(sd, (Exception) sre.getCause(), st);
            }
            if (e instanceof SQLException se) {
                throw dd.errors().classify(se, "writing " + dt.id() + " chunk " + chunk.chunkNo());
            }
            throw (RuntimeException) e;
        }
        // the chunk's rows are committed: only now is it checkpointed
        io.tideway.engine.FaultPoints.hit("full.after-commit");
        cp.markChunkDone(ctx.projectId(), st.id(), chunk.chunkNo(), result.rows(), result.bytes());
    }

    private TidewayException classifySource(Dialect sd, Exception e, Table st) {
        TidewayException te = e instanceof TidewayException t ? t
                : e instanceof SQLException se ? sd.errors().classify(se, "reading " + st.id())
                : new TidewayException(ErrorCode.INTERNAL, "reading " + st.id() + ": " + e, e);
        if (te.code() == ErrorCode.TABLE_VANISHED) {
            return new TidewayException(ErrorCode.TABLE_VANISHED, "source table " + st.id()
                    + " disappeared during the full copy; exclude it (tables.exclude) or restore it, then run again", e);
        }
        return te;
    }

    private void finishTable(MappedTable m) {
        var cp = ctx.metaDb().checkpoints();
        long pid = ctx.projectId();
        long rows = 0;
        long bytes = 0;
        for (ChunkRecord c : cp.chunks(pid, m.source().id())) {
            rows += c.rows();
            bytes += c.bytes();
        }
        cp.setTableProgress(pid, m.source().id(), rows, bytes);
        cp.setTableState(pid, m.source().id(), TableStates.COPIED);
        Progress.TableProgress tp = progress.table(m.label(), rows);
        tp.state("INDEXING");
        int n = SchemaStep.createIndexes(ctx, m);
        if (n > 0) {
            LOG.info("{}: {} indexes created", m.destination().id(), n);
        }
        cp.setTableState(pid, m.source().id(), TableStates.DONE);
        tp.state("DONE");
    }

    private void report(boolean persist) {
        try {
            Progress.Snapshot s = progress.snapshot();
            ctx.listener().progress(s);
            if (persist) {
                ctx.metaDb().projects().setStepProgress(ctx.projectId(), Step.FULL.id(), String.format(
                        "{\"rowsDone\":%d,\"rowsTotal\":%d,\"bytesDone\":%d,\"rowsPerSecond\":%.0f,\"etaSeconds\":%d}",
                        s.rowsDone(), s.rowsTotal(), s.bytesDone(), s.rowsPerSecond(), s.etaSeconds()));
                for (Progress.TableLine t : s.tables()) {
                    MappedTable m = ctx.tables().stream().filter(x -> x.label().equals(t.name())).findFirst().orElse(null);
                    if (m != null && !"DONE".equals(t.state())) {
                        ctx.metaDb().checkpoints().setTableProgress(ctx.projectId(), m.source().id(), t.rowsDone(), 0);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("progress report failed: {}", e.toString());
        }
    }

    private static void rollback(Connection c) {
        if (c != null) {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            } catch (SQLException ignored) {
                // the connection is discarded on retry anyway
            }
        }
    }
}

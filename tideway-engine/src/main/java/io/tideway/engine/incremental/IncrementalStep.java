package io.tideway.engine.incremental;

import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.engine.RunContext;
import io.tideway.engine.Throttle;
import io.tideway.engine.component.ComponentKind;
import io.tideway.engine.component.ComponentConfig;
import io.tideway.engine.component.ComponentRun;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.engine.store.Spool;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incremental step: runs the Connector ({@link Applier}) over the Store's spool until told to
 * stop, or, with {@code untilSynced}, until the lag is under the threshold.
 *
 * <p>Lag is now minus the source commit time of the newest applied change while changes are
 * waiting; once everything spooled is applied, it is now minus the time of the newest event the
 * capture delivered (its heartbeats keep that fresh on an idle source).
 */
public final class IncrementalStep {
    private static final Logger LOG = LoggerFactory.getLogger(IncrementalStep.class);
    /** The lag under which the step is MONITORING unless the caller or the Connector's configuration says otherwise. */
    public static final Duration DEFAULT_LAG_THRESHOLD = ComponentSettings.LAG_THRESHOLD.defaultValue();
    /*
     * The Connector's batching (its settings, see ComponentSettings): a batch holds at most
     * coordinator.batchMaxRows changes (one destination transaction per lane) and ends once it takes
     * coordinator.batchMaxHeapShare of the heap (Applier.BatchLimits); while catching up, large
     * batches collapse repeated changes of a key and
     * let each lane write one range of keys in key order. While the capture reads a backlog (its
     * newest change older than coordinator.behindAfter, the end of the source's log not reached), a
     * batch fills for up to coordinator.batchFill as long as the capture keeps adding to it (the spool
     * grew within coordinator.quietAfter): a full batch writes each destination page once, where the
     * small batches of a slow capture rewrite the same pages again and again. A change that is
     * already that far behind loses nothing by waiting; a live one never waits. docs/BENCHMARKS.md
     * has the runs that chose the defaults.
     */

    /**
     * Figures of the incremental step at one moment.
     *
     * @param captureReconnecting while the Store reconnects a lost capture: how far it is; null while the capture streams
     */
    /** One progress report; {@code batch} says how far a batch under way has come (null between batches). */
    public record Status(String state, long lagMillis, long eventsApplied, double eventsPerSecond, String capturePosition,
                         long spoolBytes, boolean paused, String captureReconnecting, String batch) { }

    private IncrementalStep() { }

    /**
     * @param commands a PAUSE/RESUME/STOP left by another process, taken when read
     * @param stop true once the process is asked to stop (SIGTERM)
     * @return a one-line summary
     */
    public static String run(RunContext ctx, Store store, boolean untilSynced, Duration lagThreshold,
                             AtomicReference<String> commands, BooleanSupplier stop) {
        return run(ctx, store, untilSynced, lagThreshold, commands, stop, Direction.FORWARD);
    }

    /**
     * Like {@link #run(RunContext, Store, boolean, Duration, AtomicReference, BooleanSupplier)} for one
     * direction; {@code ctx} is that direction's context ({@link Direction#context}). Its figures go to
     * the direction's step row ({@code incremental} or {@code reverse}).
     */
    public static String run(RunContext ctx, Store store, boolean untilSynced, Duration lagThreshold,
                             AtomicReference<String> commands, BooleanSupplier stop, Direction direction) {
        ComponentRun connector = ComponentRun.configure(ctx, ComponentKind.CONNECTOR, direction).start();
        boolean failed = true;
        try {
            String summary = run(ctx, store, untilSynced, lagThreshold, commands, stop, direction, connector);
            failed = false;
            return summary;
        } finally {
            if (failed) {
                connector.fail();
            } else {
                connector.stop();
            }
        }
    }

    private static String run(RunContext ctx, Store store, boolean untilSynced, Duration lagThresholdAsked,
                              AtomicReference<String> commands, BooleanSupplier stop, Direction direction, ComponentRun connector) {
        String step = direction.stepId();
        long pid = ctx.projectId();
        // a threshold the caller chose wins over the Connector's (live) configuration
        boolean ownThreshold = !lagThresholdAsked.equals(DEFAULT_LAG_THRESHOLD);
        Duration lagThreshold = ownThreshold ? lagThresholdAsked : connector.get(ComponentSettings.LAG_THRESHOLD);
        boolean monitoring = false;
        boolean paused = false;
        int attempt = 0;
        long lastReport = 0;
        long lastPurge = System.currentTimeMillis();
        long windowStart = System.currentTimeMillis();
        long windowEvents = 0;
        double rate = 0;
        long epoch = epoch(ctx);
        Applier applier = newApplier(ctx, store, direction, connector, epoch);
        Throttle throttle = new Throttle(connector.get(ComponentSettings.THROTTLE_ROWS), 0);
        try {
            while (!stop.getAsBoolean()) {
                if (!ownThreshold) {
                    lagThreshold = connector.get(ComponentSettings.LAG_THRESHOLD);
                }
                String cmd = commands.getAndSet(null);
                if ("PAUSE".equals(cmd) && !paused) {
                    paused = true;
                    ctx.metaDb().projects().setStepState(pid, step, State.PAUSED, null);
                    ctx.event("INFO", step, "paused: changes are still captured and spooled, none applied");
                } else if ("RESUME".equals(cmd) && paused) {
                    paused = false;
                    monitoring = false;
                    ctx.metaDb().projects().setStepState(pid, step, State.RUNNING, null);
                    ctx.event("INFO", step, "resumed");
                } else if ("STOP".equals(cmd)) {
                    ctx.event("INFO", step, "stop requested");
                    break;
                }
                store.check();
                if (paused) {
                    sleep(200);
                    continue;
                }
                if (behind(store, connector)) {
                    try {
                        Applier filling = applier;
                        boolean mon = monitoring;
                        fill(store, connector, applier.address(), () -> stop.getAsBoolean() || commands.get() != null,
                                () -> report(ctx, store, filling, step, pid, mon, lagOf(filling), 0));
                        lastReport = System.currentTimeMillis();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                Applier.Batch b;
                try {
                    // a large batch takes seconds to read and write: the console and `status` keep moving meanwhile
                    Applier applying = applier;
                    boolean mon = monitoring;
                    double r = rate;
                    applier.whileApplying(() -> report(ctx, store, applying, step, pid, mon, lagOf(applying), r));
                    b = applier.applyNext();
                    attempt = 0;
                } catch (TidewayException e) {
                    if (!e.code().retriable()) {
                        throw e;
                    }
                    attempt++;
                    long backoff = Math.min(connector.get(ComponentSettings.RETRY_MAX_BACKOFF).toMillis(), 500L << Math.min(attempt, 6));
                    LOG.warn("apply failed (attempt {}), retrying in {} ms from the last checkpoint: {}", attempt, backoff, e.getMessage());
                    if (attempt == 1 || attempt % 10 == 0) {
                        ctx.event("WARN", step, "apply failed, retrying with backoff: " + e.getMessage());
                    }
                    applier.close();
                    sleep(backoff);
                    applier = newApplier(ctx, store, direction, connector, epoch);
                    continue;
                }
                if (b.events() > 0 && !throttle.unlimited()) {
                    try {
                        throttle.acquire(b.events(), 0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                long now = System.currentTimeMillis();
                windowEvents += b.events();
                if (now - windowStart >= 1000) {
                    rate = windowEvents * 1000.0 / (now - windowStart);
                    windowStart = now;
                    windowEvents = 0;
                }
                boolean drained = b.events() == 0;
                long newest = drained ? Math.max(store.spool().lastSourceMillis(), applier.lastSourceMillis()) : b.lastSourceMillis();
                long lag = newest <= 0 ? (drained ? 0 : Long.MAX_VALUE) : Math.max(0, now - newest);
                if (drained && lag >= lagThreshold.toMillis() && store.caughtUp()) {
                    lag = 0;   // everything the source logged is read and applied: an idle source
                }
                if (now - lastReport >= 1000) {
                    lastReport = now;
                    report(ctx, store, applier, step, pid, monitoring, lag, rate);
                }
                // synced only while the capture streams: during a reconnect, changes may wait unread on the source
                if (drained && lag < lagThreshold.toMillis() && store.caughtUpOnce()) {
                    if (!monitoring) {
                        monitoring = true;
                        ctx.metaDb().projects().setStepState(pid, step, State.MONITORING, null);
                        ctx.event("INFO", step, "synced: lag " + lag + " ms, " + applier.eventsApplied() + " changes applied");
                    }
                    if (untilSynced) {
                        break;
                    }
                } else if (monitoring && lag >= 2 * lagThreshold.toMillis()) {
                    monitoring = false;
                    ctx.metaDb().projects().setStepState(pid, step, State.RUNNING, null);
                }
                if (now - lastPurge > 60_000) {
                    lastPurge = now;
                    store.spool().purge(applier.address(), Duration.ofHours(ctx.config().incremental().retentionHours()));
                }
                if (drained) {
                    try {
                        store.spool().awaitData(applier.address(), 200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            return String.format("%,d changes applied, lag %s", applier.eventsApplied(),
                    monitoring ? "under " + lagThreshold.toSeconds() + " s (synced)" : "not yet under the threshold");
        } finally {
            try {
                connector.position(applier.lastPosition());
            } catch (RuntimeException e) {
                LOG.warn("recording the Connector's position: {}", e.toString());
            }
            applier.close();
        }
    }

    /** One progress report: to the console (the listener) and to the step's row, which `status` reads. */
    private static void report(RunContext ctx, Store store, Applier applier, String step, long pid, boolean monitoring,
                               long lag, double rate) {
        String reconnecting = store.reconnecting();
        String batch = applier.batchUnderWay();
        Status s = new Status((monitoring ? State.MONITORING : State.RUNNING).name(), lag, applier.eventsApplied(), rate,
                store.spool().lastPosition(), store.spool().diskBytes(), false, reconnecting, batch);
        ctx.listener().incremental(s);
        LOG.debug("{} changes spooled, {} applied, capture caught up: {}", store.spool().changesAppended(), applier.eventsApplied(), store.caughtUp());
        ctx.metaDb().projects().setStepProgress(pid, step, String.format(
                "{\"lagMillis\":%d,\"eventsApplied\":%d,\"eventsPerSecond\":%.0f,\"capturePosition\":\"%s\","
                        + "\"spoolBytes\":%d,\"appliedPosition\":\"%s\",\"capture\":\"%s\",\"changesSpooled\":%d,"
                        + "\"spoolEnd\":\"%s\",\"retentionHours\":%d,\"captureCaughtUp\":%s%s%s}",
                lag == Long.MAX_VALUE ? -1 : lag, applier.eventsApplied(), rate, json(store.spool().lastPosition()),
                s.spoolBytes(), json(applier.lastPosition()), reconnecting == null ? "STREAMING" : "RECONNECTING",
                store.spool().changesAppended(), store.spool().end().segment() + ":" + store.spool().end().offset(),
                ctx.config().incremental().retentionHours(), store.caughtUp(),
                reconnecting == null ? "" : ",\"captureReconnecting\":\"" + json(reconnecting) + "\"",
                batch == null ? "" : ",\"batch\":\"" + json(batch) + "\""));
    }

    /** The lag as of the newest change applied; unknown (Long.MAX_VALUE) before the first. */
    private static long lagOf(Applier applier) {
        long newest = applier.lastSourceMillis();
        return newest <= 0 ? Long.MAX_VALUE : Math.max(0, System.currentTimeMillis() - newest);
    }

    private static boolean behind(Store store, ComponentRun connector) {
        long newest = store.spool().lastSourceMillis();
        return newest > 0 && System.currentTimeMillis() - newest > connector.get(ComponentSettings.BEHIND_AFTER).toMillis()
                && !store.caughtUp();
    }

    /**
     * Waits (up to the Connector's coordinator.batchFill) for a full batch after {@code at} while the capture keeps
     * adding to the spool and is still behind (a capture that has come up to live changes, as one
     * that starts on a busy source does within a second, ends the wait); {@code interrupt} (a stop,
     * or a pause from another shell) ends it too. {@code progress} reports the step about once a second meanwhile.
     */
    private static void fill(Store store, ComponentRun connector, Spool.Address at, BooleanSupplier interrupt, Runnable progress)
            throws InterruptedException {
        long until = System.currentTimeMillis() + connector.get(ComponentSettings.BATCH_FILL).toMillis();
        long full = batchLimits(connector.config()).heapBytes();
        long had = store.spool().bytesAfter(at);
        while (had < full && System.currentTimeMillis() < until && !interrupt.getAsBoolean()) {
            store.spool().awaitBytes(at, full, connector.get(ComponentSettings.QUIET_AFTER).toMillis());
            progress.run();   // a fill lasts up to coordinator.batchFill: the console and `status` keep moving
            long now = store.spool().bytesAfter(at);
            if (now == had || !behind(store, connector)) {
                return;
            }
            had = now;
        }
    }

    /**
     * The epoch of this process's run of the project: the project's run counter as its run lease
     * took it, read once when the step starts, so that a run that took the lease since (over this
     * one, or after a release) holds a newer one and fences this one.
     */
    private static long epoch(RunContext ctx) {
        String owner = io.tideway.engine.Engine.owner();
        return ctx.metaDb().incremental().runEpoch(ctx.projectId(), owner).orElseThrow(() -> new TidewayException(
                io.tideway.core.model.ErrorCode.SINK_FENCED, "project " + ctx.config().name() + ": the run of the project"
                        + " is no longer held by this process (" + owner + "): another run took it over; this one stops"));
    }

    /**
     * The Connector's batch limits from its configuration (coordinator.batchMaxRows,
     * coordinator.batchMaxHeapShare, coordinator.throttleRows; none of them live).
     */
    static Applier.BatchLimits batchLimits(ComponentConfig connector) {
        long throttleRows = connector.get(ComponentSettings.THROTTLE_ROWS);
        long maxRows = connector.get(ComponentSettings.BATCH_MAX_ROWS);
        // under a throttle, batches of about a quarter second's worth keep the pace even
        int maxBatch = (int) (throttleRows > 0 ? Math.max(1, Math.min(maxRows, throttleRows / 4)) : maxRows);
        return Applier.BatchLimits.of(maxBatch, connector.get(ComponentSettings.BATCH_MAX_HEAP_SHARE));
    }

    private static Applier newApplier(RunContext ctx, Store store, Direction direction, ComponentRun connector, long epoch) {
        return new Applier(ctx.ends(), ctx.metaDb(), ctx.projectId(), direction.captureName(),
                HeldTable.of(ctx.config().name(), direction.captureName(), ctx.tables()),
                SinkTable.of(ctx.config().name(), direction.captureName(), ctx.tables()), epoch, ctx.tables(), store.spool(),
                Math.toIntExact(connector.get(ComponentSettings.LANES)), batchLimits(connector.config()), w -> ctx.event("WARN", direction.stepId(), w),
                direction.landing(ctx), direction.selects(ctx),
                ctx.config().incremental(), ctx.zeroDates());
    }

    private static String json(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if (c == '\\' || c == '"') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

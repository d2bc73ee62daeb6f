package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.full.FullStep;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.IncrementalStep;
import io.tideway.engine.incremental.Store;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.StepRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The engine's operations, one call each, shared by the CLI today and the REST API tomorrow.
 * All state lives in the MetaDB (and the spool it points to): a rerun of {@link #run} resumes
 * where the last one stopped.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Steps this version can run. */
    public static final Set<Step> AVAILABLE_STEPS = EnumSet.of(Step.SCHEMA, Step.FULL, Step.INCREMENTAL, Step.VERIFY);
    private static final long STALE_RUN_MILLIS = 30_000;

    private final MetaDb metaDb;
    private final Path dataDir;
    private volatile boolean stopRequested;
    /** Set when a switchover asks this run to stop its forward apply (sub-step 5). */
    private volatile boolean switchoverRequested;

    public Engine(MetaDb metaDb, Path dataDir) {
        this.metaDb = metaDb;
        this.dataDir = dataDir;
    }

    /** How a run ends: {@code untilSynced} returns once the steps before incremental are done and the lag is under the threshold. */
    public record RunOptions(boolean untilSynced, Duration lagThreshold) {
        public static final RunOptions UNTIL_SYNCED = new RunOptions(true, IncrementalStep.DEFAULT_LAG_THRESHOLD);
        public static final RunOptions FOREVER = new RunOptions(false, IncrementalStep.DEFAULT_LAG_THRESHOLD);
    }

    /** Runs the precheck of a project without changing anything. */
    public Precheck.Report precheck(ProjectConfig cfg) {
        Endpoints ends = Endpoints.of(cfg);
        Set<String> resumed = metaDb.projects().find(cfg.name())
                .map(p -> startedTables(p.id())).orElse(Set.of());
        return Precheck.run(cfg, ends, resumed);
    }

    /**
     * Moves the Connector's checkpoint past the DDL that stopped it, after the DBA applied that
     * change to the destination by hand (after a switchover: the reverse sync's, the change applied
     * to the source). Refused while the project runs, and when the next change is not a DDL.
     * Returns the statement skipped.
     */
    public String skipDdl(ProjectConfig cfg) {
        long pid = metaDb.projects().find(cfg.name()).orElseThrow(() -> new TidewayException(ErrorCode.CONFIG_INVALID,
                "project " + cfg.name() + " has not run yet")).id();
        metaDb.incremental().run(pid).ifPresent(r -> {
            if (!isDead(r.owner())) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " is running in " + r.owner()
                        + "; skip-ddl applies to a project stopped on a DDL");
            }
        });
        // after a switchover: the reverse sync's Connector
        Direction dir = Switchover.forwardHalted(metaDb, pid) ? Direction.REVERSE : Direction.FORWARD;
        String stepId = dir.stepId();
        var cp = metaDb.incremental().applyCheckpoint(pid, dir.captureName()).orElseThrow(() -> new TidewayException(
                ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " has applied no change yet: there is no DDL to skip"));
        var from = new io.tideway.engine.store.Spool.Address(cp.segment(), cp.offset());
        try (var reader = new io.tideway.engine.store.Spool.Reader(Store.spoolDir(dataDir, cfg.name(), dir), from)) {
            var e = reader.readOne();
            if (e == null || e.op() != io.tideway.core.change.ChangeEvent.Op.DDL) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "the next change of project " + cfg.name() + " is "
                        + (e == null ? "not spooled yet" : "a " + e.op() + " of " + e.table() + ", not a DDL")
                        + ": nothing to skip; if the destination was fixed by hand, run the project again");
            }
            var after = reader.address();
            metaDb.incremental().saveApplyCheckpoint(pid, dir.captureName(), new io.tideway.metadb.Incremental.ApplyCheckpoint(
                    after.segment(), after.offset(), e.position(), Math.max(cp.sourceMillis(), e.sourceMillis()),
                    cp.eventsApplied() + 1, null));
            metaDb.events().add(pid, "WARN", stepId, "DDL skipped by the user: " + e.ddl());
            if (State.of(metaDb.projects().step(pid, stepId).state()) == State.FAILED) {
                metaDb.projects().setStepState(pid, stepId, State.PAUSED, null);
            }
            return e.ddl();
        } catch (java.io.IOException ex) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the spool of " + cfg.name() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Compares the project's source and destination tables ({@code tideway verify}), with a repair
     * of the differing rows when asked. Works whether or not the project runs elsewhere: while
     * another process applies its incremental changes, rows found different are read again a few
     * rounds before they are reported. Writes report.json and the correction SQL files under
     * {@code DATA_DIR/verify/<project>/}.
     */
    public io.tideway.engine.verify.VerifyStep.Outcome verify(ProjectConfig cfg, ProgressListener listener, boolean repair) {
        Endpoints ends = Endpoints.of(cfg);
        List<MappedTable> tables;
        try (java.sql.Connection c = ends.connectSource()) {
            tables = TableMapper.map(cfg, ends.sourceDialect(), c);
        } catch (java.sql.SQLException e) {
            throw ends.sourceDialect().classify(e, "reading the source catalog");
        }
        if (tables.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "no source table matches the project's tables.include patterns;"
                    + " nothing to verify");
        }
        var project = metaDb.projects().find(cfg.name());
        // after a switchover the reverse sync is the one applying changes (to the source)
        io.tideway.engine.verify.Verifier.Sync sync = project
                .map(p -> Switchover.forwardHalted(metaDb, p.id())
                        ? io.tideway.engine.verify.VerifyStep.watch(metaDb, p.id(), () -> incrementalRunLive(p.id())
                                && syncing(State.of(metaDb.projects().step(p.id(), Direction.REVERSE.stepId()).state())),
                                Direction.REVERSE.stepId())
                        : io.tideway.engine.verify.VerifyStep.watch(metaDb, p.id(), () -> incrementalRunning(p.id())))
                .orElse(io.tideway.engine.verify.Verifier.Sync.NONE);
        var outcome = io.tideway.engine.verify.VerifyStep.verify(cfg, ends, tables, dataDir, listener, sync, repair,
                () -> stopRequested);
        project.ifPresent(p -> metaDb.events().add(p.id(), outcome.equalNow() ? "INFO" : "WARN", Step.VERIFY.id(),
                "tideway verify" + (repair ? " --repair" : "") + ": " + outcome.report().summary()
                        + (outcome.afterRepair() == null ? "" : "; after the repair: " + outcome.afterRepair().summary())));
        return outcome;
    }

    /** Whether a live process runs the project's incremental step now (applying changes, or paused with changes held back). */
    private boolean incrementalRunning(long pid) {
        var run = metaDb.incremental().run(pid);
        if (run.isEmpty() || isDead(run.get().owner())
                || System.currentTimeMillis() - run.get().heartbeatAt().toEpochMilli() > STALE_RUN_MILLIS) {
            return false;
        }
        return syncing(stepState(pid, Step.INCREMENTAL));
    }

    /** A sync step in this state has changes to apply to the destination, now or once resumed. */
    private static boolean syncing(State s) {
        return s.active() || s == State.PAUSED;
    }

    /** Outcome of a run: a one-line summary per step. */
    public record RunResult(List<String> summaries) { }

    /** Asks a running {@link #run} to stop cleanly (final checkpoints written); it returns soon after. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Creates or resumes the project and runs its steps in order. Steps COMPLETED in an earlier
     * run are skipped. With the incremental step, the Store starts (fixing T0) before the full
     * copy; the Connector starts after it. Throws {@link TidewayException} naming what failed; the
     * step is then FAILED in the MetaDB and a rerun retries it.
     */
    public RunResult run(ProjectConfig cfg, ProgressListener listener, RunOptions options) {
        for (Step s : cfg.steps()) {
            if (!AVAILABLE_STEPS.contains(s)) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "step '" + s.id() + "' is not available in Tideway "
                        + Version.current() + "; available: " + AVAILABLE_STEPS.stream().map(Step::id).collect(Collectors.joining(", ")));
            }
        }
        metaDb.projects().find(cfg.name()).ifPresent(p -> {
            if (State.of(p.state()) == State.RELEASED || State.of(p.state()) == State.RELEASING) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " was released (state "
                        + p.state() + "): it cannot run again; to start afresh, give the project a new name in its file");
            }
        });
        Endpoints ends = Endpoints.of(cfg);
        long pid = metaDb.projects().upsert(cfg.name(), cfg.source(), cfg.destination(), ProjectFiles.toYamlWithoutSecrets(cfg));
        String owner = owner();
        metaDb.incremental().acquireRun(pid, owner, STALE_RUN_MILLIS, Engine::isDead);
        AtomicReference<String> commands = new AtomicReference<>();
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideway-run-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat.scheduleWithFixedDelay(() -> {
            try {
                String c = metaDb.incremental().heartbeat(pid, owner);
                if (Switchover.COMMAND.equals(c)) {
                    switchoverRequested = true;
                } else if (c != null) {
                    commands.set(c);
                }
            } catch (RuntimeException e) {
                LOG.warn("run heartbeat failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        MDC.put("project", cfg.name());
        Store store = null;
        // with verify listed after incremental, the Connector applies changes in the background while verify compares
        io.tideway.engine.verify.BackgroundSync sync = null;
        try {
            if (Switchover.forwardHalted(metaDb, pid)) {
                return runReverse(cfg, ends, pid, listener, options, commands);
            }
            Precheck.Report report = Precheck.run(cfg, ends, startedTables(pid));
            listener.precheck(report.items());
            if (!report.passed()) {
                CheckResult first = report.blocking().get(0);
                String more = report.blocking().size() > 1 ? " (and " + (report.blocking().size() - 1) + " more)" : "";
                throw new TidewayException(ErrorCode.PRECHECK_FAILED, "precheck failed: " + first.item() + ": " + first.detail()
                        + (first.fix() == null ? "" : " -> " + first.fix()) + more);
            }
            List<MappedTable> tables = report.tables();
            RunContext ctx = new RunContext(cfg, ends, metaDb, pid, tables, listener);
            metaDb.projects().setState(pid, State.RUNNING);
            List<String> summaries = new ArrayList<>();
            for (Step step : cfg.steps()) {
                if (halting()) {
                    break;
                }
                if (step == Step.FULL && cfg.has(Step.INCREMENTAL)) {
                    store = startStore(ctx, listener);
                }
                if (step == Step.INCREMENTAL && store == null) {
                    store = startStore(ctx, listener);
                }
                StepRecord rec = metaDb.projects().step(pid, step.id());
                State recState = State.of(rec.state());
                if (recState == State.SKIPPED) {
                    summaries.add(step.id() + ": skipped by the user");
                    continue;
                }
                if (recState == State.COMPLETED && step != Step.VERIFY) {   // verification is redone on every run
                    summaries.add(step.id() + ": already completed");
                    continue;
                }
                warnAfterSkipped(ctx, step);
                MDC.put("step", step.id());
                listener.stepStarted(step.id());
                metaDb.projects().setStepState(pid, step.id(), State.RUNNING, null);
                metaDb.events().add(pid, "INFO", step.id(), "step started");
                try {
                    if (step == Step.INCREMENTAL && cfg.has(Step.VERIFY)) {
                        Store s = store;
                        sync = io.tideway.engine.verify.BackgroundSync.start(ctx, until -> IncrementalStep.run(ctx, s, false,
                                options.lagThreshold(), commands, () -> halting() || until.getAsBoolean()));
                        continue;   // it ends after verify
                    }
                    String summary = switch (step) {
                        case SCHEMA -> SchemaStep.run(ctx) + (cfg.has(Step.FULL) ? "" : "; " + indexAll(ctx));
                        case FULL -> FullStep.run(ctx);
                        case INCREMENTAL -> IncrementalStep.run(ctx, store, options.untilSynced(), options.lagThreshold(), commands,
                                this::halting);
                        case VERIFY -> io.tideway.engine.verify.VerifyStep.run(ctx, dataDir, sync, this::halting);
                        default -> throw new IllegalStateException(step.id());
                    };
                    if (step != Step.INCREMENTAL) {
                        metaDb.projects().setStepState(pid, step.id(), State.COMPLETED, null);
                    }
                    metaDb.events().add(pid, "INFO", step.id(), "step " + (step == Step.INCREMENTAL ? "stopped" : "completed")
                            + ": " + summary);
                    listener.stepFinished(step.id(), summary);
                    summaries.add(step.id() + ": " + summary);
                } catch (io.tideway.engine.verify.Verifier.Stopped e) {
                    // asked to stop while verifying: nothing to report, the next run verifies again
                    metaDb.projects().setStepState(pid, step.id(), State.NOT_STARTED, null);
                    if (sync != null && sync.failure() != null) {
                        throw failStep(pid, Step.INCREMENTAL, sync.failure());
                    }
                    break;
                } catch (RuntimeException e) {
                    if (step == Step.VERIFY && sync != null && sync.failure() != null) {
                        failStep(pid, Step.INCREMENTAL, sync.failure());
                    }
                    boolean keepSyncing = step == Step.VERIFY && sync != null && !options.untilSynced()
                            && e instanceof TidewayException te && te.code() == ErrorCode.DATA_DIFFERENT;
                    if (keepSyncing) {
                        // differences do not stop the sync; `run --until synced` fails on them
                        metaDb.projects().setStepState(pid, step.id(), State.FAILED, e.getMessage());
                        ctx.event("WARN", step.id(), e.getMessage() + "; incremental sync goes on");
                        continue;
                    }
                    throw failStep(pid, step, e);
                } finally {
                    MDC.remove("step");
                }
            }
            if (sync != null) {
                MDC.put("step", Step.INCREMENTAL.id());
                try {
                    if (options.untilSynced()) {
                        awaitSyncedAtEnd(pid, sync, listener);
                    }
                    String summary = options.untilSynced() ? sync.stop() : sync.await();
                    metaDb.events().add(pid, "INFO", Step.INCREMENTAL.id(), "step stopped: " + summary);
                    listener.stepFinished(Step.INCREMENTAL.id(), summary);
                    summaries.add(Step.INCREMENTAL.id() + ": " + summary);
                } catch (RuntimeException e) {
                    throw failStep(pid, Step.INCREMENTAL, e);
                } finally {
                    MDC.remove("step");
                }
            }
            if (switchoverRequested && !stopRequested) {
                // switchover sub-step 5: forward apply has stopped (its last batch committed and checkpointed)
                if (stepState(pid, Step.INCREMENTAL) == State.PAUSED) {
                    metaDb.projects().setStepState(pid, Step.INCREMENTAL.id(), State.RUNNING, null);
                }
                metaDb.projects().setStepState(pid, Step.INCREMENTAL.id(), State.COMPLETED, null);
                if (store != null) {
                    store.close();   // the forward capture is of no more use
                    store = null;
                }
                ctx.event("INFO", Step.INCREMENTAL.id(), "forward apply stopped for the switchover at source position "
                        + metaDb.incremental().applyCheckpoint(pid, Store.FORWARD).map(c -> c.position()).orElse("(none)"));
                listener.info("forward sync stopped for the switchover; the reverse sync runs here once it is started");
                RunResult reverse = runReverse(cfg, ends, pid, listener, options, commands);
                summaries.addAll(reverse.summaries());
                return new RunResult(summaries);
            }
            metaDb.projects().setState(pid, cfg.has(Step.INCREMENTAL) ? State.MONITORING : State.COMPLETED);
            return new RunResult(summaries);
        } finally {
            if (sync != null && sync.active()) {
                try {
                    sync.stop();
                } catch (RuntimeException e) {
                    LOG.warn("the incremental step failed while stopping: {}", e.toString());
                }
            }
            if (store != null) {
                store.close();
            }
            // not shutdownNow: the heartbeat may be writing to the MetaDB, whose embedded H2 closes on an interrupt
            beat.shutdown();
            try {
                beat.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                metaDb.incremental().releaseRun(pid, owner);
            } catch (RuntimeException e) {
                LOG.warn("releasing the run lock: {}", e.toString());
            }
            MDC.remove("project");
        }
    }

    private boolean halting() {
        return stopRequested || switchoverRequested;
    }

    /**
     * The run of a project whose forward sync a switchover halted: waits until the switchover has
     * started the reverse sync (sub-step 7), then runs the reverse Store and Connector (destination ->
     * source) until asked to stop, or, with {@code untilSynced}, until their lag is under the threshold.
     */
    private RunResult runReverse(ProjectConfig cfg, Endpoints ends, long pid, ProgressListener listener, RunOptions options,
                                 AtomicReference<String> commands) {
        String step = Direction.REVERSE.stepId();
        if (!Switchover.reverseStarted(metaDb, pid)) {
            listener.info("the forward sync is stopped by a switchover; waiting for `tideway switchover` to start the reverse"
                    + " sync (sub-step 7) ...");
            while (!Switchover.reverseStarted(metaDb, pid)) {
                if (stopRequested) {
                    return new RunResult(List.of(step + ": not started (the switchover has not reached sub-step 7)"));
                }
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new RunResult(List.of(step + ": interrupted"));
                }
            }
        }
        List<MappedTable> tables;
        try (java.sql.Connection c = ends.connectSource()) {
            tables = TableMapper.map(cfg, ends.sourceDialect(), c);
        } catch (java.sql.SQLException e) {
            throw ends.sourceDialect().classify(e, "reading the source catalog");
        }
        RunContext rctx = Direction.REVERSE.context(new RunContext(cfg, ends, metaDb, pid, tables, listener));
        MDC.put("step", step);
        metaDb.projects().setState(pid, State.RUNNING);
        metaDb.projects().setStepState(pid, step, State.RUNNING, null);
        metaDb.events().add(pid, "INFO", step, "reverse sync started (destination -> source)");
        listener.stepStarted(step);
        Store rs = null;
        try {
            rs = Store.start(rctx, dataDir, Duration.ofMinutes(3), Direction.REVERSE);
            listener.info("reverse capture of the destination streaming from " + rs.session().startPosition());
            String summary = IncrementalStep.run(rctx, rs, options.untilSynced(), options.lagThreshold(), commands,
                    () -> stopRequested, Direction.REVERSE);
            metaDb.events().add(pid, "INFO", step, "step stopped: " + summary);
            listener.stepFinished(step, summary);
            metaDb.projects().setState(pid, State.MONITORING);
            return new RunResult(List.of(step + ": " + summary));
        } catch (RuntimeException e) {
            String msg = e instanceof TidewayException ? e.getMessage() : e.toString();
            metaDb.projects().setStepState(pid, step, State.FAILED, msg);
            metaDb.projects().setState(pid, State.FAILED);
            metaDb.events().add(pid, "ERROR", step, msg);
            LOG.error("the reverse sync failed", e);
            throw e;
        } finally {
            if (rs != null) {
                rs.close();
            }
            MDC.remove("step");
        }
    }

    /**
     * Switches the project over ({@code tideway switchover}): runs the sub-steps of {@link Switchover}
     * not yet done, each recorded in the MetaDB, and returns the report of the last one. The forward
     * sync must run meanwhile in a live {@code tideway run} (it applies the last changes, then stops
     * its forward apply when asked and runs the reverse sync). A failed sub-step is recorded FAILED and
     * thrown; calling again retries it. Two switchovers of one project at once are refused.
     */
    public Switchover.Report switchover(ProjectConfig cfg, Switchover.Options options, Switchover.Confirmer confirmer,
                                        ProgressListener listener) {
        var p = stored(cfg, "switch over");
        if (State.of(p.state()) == State.RELEASED || State.of(p.state()) == State.RELEASING) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " was released: it cannot switch over");
        }
        Path lock = dataDir.resolve("switchover-" + cfg.name() + ".lock");
        try {
            java.nio.file.Files.createDirectories(dataDir);
            try (var ch = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE); var fl = ch.tryLock()) {
                if (fl == null) {
                    throw new TidewayException(ErrorCode.CONFIG_INVALID, "a switchover of project " + cfg.name()
                            + " is already running on this data directory");
                }
                MDC.put("project", cfg.name());
                MDC.put("step", "switchover");
                try {
                    return new Switchover(metaDb, dataDir, cfg, p.id(), options, confirmer, listener,
                            () -> incrementalRunLive(p.id())).run();
                } finally {
                    MDC.remove("step");
                    MDC.remove("project");
                }
            }
        } catch (java.io.IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot lock " + lock + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code run --until synced}: the run ends synced only. Changes may have arrived while the verify
     * step compared (a sync paused meanwhile holds them back), so the incremental step must be under
     * its lag threshold again before it is stopped; a paused sync is waited for until resumed.
     */
    private void awaitSyncedAtEnd(long pid, io.tideway.engine.verify.BackgroundSync sync, ProgressListener listener) {
        boolean told = false;
        while (!sync.synced() && sync.active() && !halting()) {
            sync.check();
            if (!told) {
                told = true;
                listener.info("waiting for the incremental sync (" + stepState(pid, Step.INCREMENTAL) + ") to catch up before"
                        + " the run ends synced ...");
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether a live process runs the project (its heartbeat fresh, its process alive). */
    private boolean incrementalRunLive(long pid) {
        var run = metaDb.incremental().run(pid);
        return run.isPresent() && !isDead(run.get().owner())
                && System.currentTimeMillis() - run.get().heartbeatAt().toEpochMilli() <= STALE_RUN_MILLIS;
    }

    /** The sub-steps of the project's switchover as recorded (empty before one began). */
    public List<io.tideway.metadb.Switchovers.SubStep> switchoverSteps(long pid) {
        return metaDb.switchovers().steps(pid);
    }

    /** Records a step's failure (step and project FAILED, an ERROR event) and returns the exception to throw. */
    private RuntimeException failStep(long pid, Step step, RuntimeException e) {
        String msg = e instanceof TidewayException ? e.getMessage() : e.toString();
        metaDb.projects().setStepState(pid, step.id(), State.FAILED, msg);
        metaDb.projects().setState(pid, State.FAILED);
        metaDb.events().add(pid, "ERROR", step.id(), msg);
        LOG.error("step {} failed", step.id(), e);
        return e;
    }

    /**
     * Starts the Store. The first time, T0 is fixed here, before the full copy reads a row. If the
     * full copy already began without a saved capture position (a crash between the two), the
     * changes between can no longer be told apart: the copy is started again from scratch.
     */
    private Store startStore(RunContext ctx, ProgressListener listener) {
        long pid = ctx.projectId();
        var capture = Store.captureFor(ctx.ends().source().type());
        boolean hadOffsets = capture.resumesFrom(metaDb.incremental().captureState(pid, Store.FORWARD).loadOffsets());
        StepRecord full = metaDb.projects().step(pid, Step.FULL.id());
        State fullState = State.of(full.state());
        if (!hadOffsets && fullState != State.NOT_STARTED && fullState != State.SKIPPED) {
            if (fullState == State.COMPLETED) {
                throw new TidewayException(ErrorCode.INTERNAL, "the change capture position of project " + ctx.config().name()
                        + " is lost while its full copy is complete; changes since then cannot be recovered:"
                        + " drop the destination tables and run the project again under a new name");
            }
            ctx.event("WARN", "full", "the full copy began without a saved capture position: it starts again from scratch");
            resetFull(ctx);
        }
        listener.info("starting change capture (the Store) before the full copy ...");
        Store s = Store.start(ctx, dataDir, Duration.ofMinutes(3));
        if (!hadOffsets) {
            // T0 must be durable before the copy reads a row: a restart must resume from it, not from a later point
            // (a MySQL-family capture's first saved offset is its schema snapshot's, which a restart does not resume from)
            var state = metaDb.incremental().captureState(pid, Store.FORWARD);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!capture.resumesFrom(state.loadOffsets())) {
                if (System.currentTimeMillis() > deadline) {
                    s.close();
                    throw new TidewayException(ErrorCode.INTERNAL, "the change capture did not save its start position within"
                            + " 60 s; the full copy is not started (see the log in the data directory)");
                }
                s.check();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    s.close();
                    throw new TidewayException(ErrorCode.INTERNAL, "interrupted while the capture started", e);
                }
            }
        }
        listener.info("change capture streaming from " + s.session().startPosition());
        return s;
    }

    private void resetFull(RunContext ctx) {
        long pid = ctx.projectId();
        try (var c = ctx.ends().connectDestination(); var st = c.createStatement()) {
            for (MappedTable m : ctx.tables()) {
                metaDb.checkpoints().deleteChunks(pid, m.source().id());
                metaDb.checkpoints().setTableProgress(pid, m.source().id(), 0, 0);
                metaDb.checkpoints().setTableState(pid, m.source().id(), TableStates.CREATED);
                st.execute(ctx.ends().destinationDialect().truncateSql(m.destination().id()));
            }
        } catch (java.sql.SQLException e) {
            throw ctx.ends().destinationDialect().classify(e, "restarting the full copy");
        }
        metaDb.projects().setStepState(pid, Step.FULL.id(), State.NOT_STARTED, null);
    }

    private static String indexAll(RunContext ctx) {
        int n = 0;
        for (MappedTable m : ctx.tables()) {
            n += SchemaStep.createIndexes(ctx, m);
        }
        return n + " indexes created";
    }

    private Set<String> startedTables(long pid) {
        return metaDb.checkpoints().tables(pid).stream()
                .filter(t -> !TableStates.PENDING.equals(t.state()))
                .map(t -> t.source().toString())
                .collect(Collectors.toSet());
    }

    private State stepState(long pid, Step step) {
        return State.of(metaDb.projects().step(pid, step.id()).state());
    }

    /** Warns loudly when {@code step} runs after a step the user skipped: what that step does was not done by Tideway. */
    private void warnAfterSkipped(RunContext ctx, Step step) {
        for (Step before : ctx.config().steps()) {
            if (before == step) {
                return;
            }
            if (stepState(ctx.projectId(), before) != State.SKIPPED) {
                continue;
            }
            String reason = metaDb.events().lastMessage(ctx.projectId(), before.id(), SKIP_EVENT_PREFIX).orElse(SKIP_EVENT_PREFIX);
            String what = before == Step.FULL && step == Step.INCREMENTAL
                    ? "the full copy was skipped: only changes from now on are applied; rows the source had before are missing"
                            + " from the destination unless they were loaded by other means"
                    : "step " + before.id() + " was skipped: step " + step.id() + " assumes what it does was done by other means";
            ctx.event("WARN", step.id(), "WARNING: " + what + " (" + reason + ")");
        }
    }

    /** The message of the event recording a skip starts with this, then the user's reason. */
    public static final String SKIP_EVENT_PREFIX = "skipped by the user: ";

    /** The project as stored, or a refusal saying it has not run yet. */
    private io.tideway.metadb.ProjectRecord stored(ProjectConfig cfg, String operation) {
        return metaDb.projects().find(cfg.name()).orElseThrow(() -> new TidewayException(ErrorCode.CONFIG_INVALID,
                "project " + cfg.name() + " has not run yet: nothing to " + operation));
    }

    /** Refuses the operation while a live process runs the project. */
    private void requireNotRunning(long pid, String name, String operation) {
        metaDb.incremental().run(pid).ifPresent(r -> {
            boolean stale = System.currentTimeMillis() - r.heartbeatAt().toEpochMilli() > STALE_RUN_MILLIS;
            if (!isDead(r.owner()) && !stale) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + name + " is running in " + r.owner()
                        + " (heartbeat at " + r.heartbeatAt() + "); stop that run before " + operation);
            }
        });
    }

    private Step stepOf(ProjectConfig cfg, String stepId) {
        for (Step s : cfg.steps()) {
            if (s.id().equals(stepId)) {
                return s;
            }
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " has no step '" + stepId + "'; its steps: "
                + cfg.steps().stream().map(Step::id).collect(Collectors.joining(", ")));
    }

    /**
     * Sets FAILED steps back to NOT_STARTED ({@code tideway retry}): the next run runs them again,
     * resuming from their checkpoints. With {@code stepId} null, every FAILED step of the project;
     * else that step, refused unless it is FAILED. Refused while the project runs. Returns the
     * steps reset.
     */
    public List<String> retry(ProjectConfig cfg, String stepId) {
        var p = stored(cfg, "retry");
        requireNotRunning(p.id(), cfg.name(), "retrying a step");
        List<Step> steps = stepId == null ? cfg.steps() : List.of(stepOf(cfg, stepId));
        List<String> reset = new ArrayList<>();
        for (Step s : steps) {
            StepRecord rec = metaDb.projects().step(p.id(), s.id());
            State st = State.of(rec.state());
            if (st != State.FAILED) {
                if (stepId != null) {
                    throw new TidewayException(ErrorCode.CONFIG_INVALID, "step " + s.id() + " of project " + cfg.name() + " is "
                            + st + ", not FAILED: only a failed step can be retried"
                            + (st == State.NOT_STARTED || st == State.RUNNING || st == State.PAUSED
                            ? "; `tideway run` runs or resumes it" : ""));
                }
                continue;
            }
            metaDb.projects().setStepState(p.id(), s.id(), State.NOT_STARTED, null);
            metaDb.events().add(p.id(), "INFO", s.id(), "retry requested by the user; the failure was: " + rec.error());
            reset.add(s.id());
        }
        if (reset.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " has no FAILED step to retry");
        }
        return reset;
    }

    /**
     * Marks a step not yet done SKIPPED ({@code tideway skip}): runs pass over it, as over a
     * completed one, and a later step that relies on it warns. The reason is recorded as an event.
     * Refused while the project runs, for a COMPLETED or SKIPPED step, and without a reason.
     */
    public void skip(ProjectConfig cfg, String stepId, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "skipping a step needs a reason (--reason \"...\"): it is kept"
                    + " in the project's history and shown by `tideway status`");
        }
        Step step = stepOf(cfg, stepId);
        long pid = metaDb.projects().upsert(cfg.name(), cfg.source(), cfg.destination(), ProjectFiles.toYamlWithoutSecrets(cfg));
        requireNotRunning(pid, cfg.name(), "skipping a step");
        State st = stepState(pid, step);
        if (st.done()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "step " + step.id() + " of project " + cfg.name() + " is " + st
                    + ": only a step not yet done can be skipped");
        }
        metaDb.projects().setStepState(pid, step.id(), State.SKIPPED, null);
        metaDb.events().add(pid, "WARN", step.id(), SKIP_EVENT_PREFIX + reason.strip());
    }

    /** The reason a SKIPPED step was skipped, from its event; empty when it has none. */
    public java.util.Optional<String> skipReason(long pid, String stepId) {
        return metaDb.events().lastMessage(pid, stepId, SKIP_EVENT_PREFIX).map(m -> m.substring(SKIP_EVENT_PREFIX.length()));
    }

    /**
     * Releases the project ({@code tideway release}): refused while a run is active (the run lock is
     * held meanwhile, so none starts); the project becomes RELEASING, what Tideway made on the source
     * for the change capture is dropped (PostgreSQL: replication slot and publication), the spool
     * directory is deleted, and the project becomes RELEASED. The MetaDB history is kept; a released
     * project cannot run again. A release that failed half-way can be asked again. Returns what was done.
     */
    public List<String> release(ProjectConfig cfg) {
        var p = stored(cfg, "release");
        if (State.of(p.state()) == State.RELEASED) {
            return List.of("project " + cfg.name() + " was already released");
        }
        requireNotRunning(p.id(), cfg.name(), "releasing it");
        String owner = owner();
        metaDb.incremental().acquireRun(p.id(), owner, STALE_RUN_MILLIS, Engine::isDead);
        try {
            List<String> done = new ArrayList<>();
            metaDb.projects().setState(p.id(), State.RELEASING);
            metaDb.events().add(p.id(), "INFO", null, "release started");
            boolean captured = cfg.has(Step.INCREMENTAL)
                    || !metaDb.incremental().captureState(p.id(), Store.FORWARD).loadOffsets().isEmpty();
            if (captured) {
                RunContext ctx = new RunContext(cfg, Endpoints.of(cfg), metaDb, p.id(), List.of(), ProgressListener.NONE);
                var spec = Store.spec(ctx, dataDir);
                Store.captureFor(cfg.source().type()).release(spec);
                done.add("change capture " + spec.name() + " released on the source");
            }
            if (!metaDb.incremental().captureState(p.id(), Store.REVERSE).loadOffsets().isEmpty()
                    || !metaDb.switchovers().steps(p.id()).isEmpty()) {
                RunContext ctx = Direction.REVERSE.context(new RunContext(cfg, Endpoints.of(cfg), metaDb, p.id(), List.of(),
                        ProgressListener.NONE));
                var spec = Store.spec(ctx, dataDir, Direction.REVERSE);
                Store.captureFor(cfg.destination().type()).release(spec);
                done.add("reverse change capture " + spec.name() + " released on the destination");
            }
            done.addAll(dropOwnTables(cfg));
            metaDb.switchovers().clearMarkers(p.id());
            Path spool = dataDir.resolve("spool").resolve(cfg.name());
            if (java.nio.file.Files.exists(spool)) {
                deleteTree(spool);
                done.add("spool " + spool + " deleted");
            }
            metaDb.projects().setState(p.id(), State.RELEASED);
            metaDb.events().add(p.id(), "INFO", null, "released: " + (done.isEmpty() ? "nothing to drop" : String.join("; ", done)));
            return done;
        } catch (RuntimeException e) {
            metaDb.events().add(p.id(), "ERROR", null, "release failed (ask again once fixed): "
                    + (e instanceof TidewayException ? e.getMessage() : e.toString()));
            throw e;
        } finally {
            metaDb.incremental().releaseRun(p.id(), owner);
        }
    }

    /**
     * Drops the tables Tideway created on either end ({@link io.tideway.core.project.TidewayTables}: the
     * marker table, the positions of tables without a key), in the schema where each direction writes
     * them; what was dropped.
     */
    private List<String> dropOwnTables(ProjectConfig cfg) {
        Endpoints ends = Endpoints.of(cfg);
        List<MappedTable> tables;
        try (java.sql.Connection c = ends.connectSource()) {
            tables = TableMapper.map(cfg, ends.sourceDialect(), c);
        } catch (java.sql.SQLException e) {
            throw ends.sourceDialect().classify(e, "reading the source catalog");
        }
        List<String> done = new ArrayList<>();
        var dst = Direction.markerOf(tables);
        var src = Direction.markerOf(tables.stream().map(m -> new MappedTable(m.destination(), m.source())).toList());
        for (String name : io.tideway.core.project.TidewayTables.NAMES) {
            if (dst != null && dropIfPresent(ends.destinationDialect(), ends::connectDestination,
                    new io.tideway.core.model.TableId(dst.schema(), name))) {
                done.add(dst.schema() + "." + name + " dropped on the destination");
            }
            if (src != null && dropIfPresent(ends.sourceDialect(), ends::connectSource,
                    new io.tideway.core.model.TableId(src.schema(), name))) {
                done.add(src.schema() + "." + name + " dropped on the source");
            }
        }
        return done;
    }

    private static boolean dropIfPresent(io.tideway.core.spi.Dialect d, java.util.function.Supplier<java.sql.Connection> connect,
                                         io.tideway.core.model.TableId id) {
        try (java.sql.Connection c = connect.get()) {
            if (SchemaStep.find(d, c, id).isEmpty()) {
                return false;
            }
            try (java.sql.Statement st = c.createStatement()) {
                st.execute(d.dropTableSql(id));
            }
            return true;
        } catch (java.sql.SQLException e) {
            throw d.classify(e, "dropping " + id);
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path f : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(f);
            }
        } catch (java.io.IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "deleting " + root + ": " + e.getMessage()
                    + "; delete it by hand, then release again", e);
        }
    }

    /**
     * Asks the process running the project to pause applying changes ({@code tideway pause});
     * refused unless the incremental step is RUNNING or MONITORING in a live run.
     */
    public void pause(ProjectConfig cfg) {
        control(cfg, "PAUSE", java.util.EnumSet.of(State.RUNNING, State.MONITORING));
    }

    /** Asks the process running the project to resume applying changes; refused unless the incremental step is PAUSED. */
    public void resume(ProjectConfig cfg) {
        control(cfg, "RESUME", java.util.EnumSet.of(State.PAUSED));
    }

    private void control(ProjectConfig cfg, String command, Set<State> from) {
        var p = metaDb.projects().find(cfg.name()).orElseThrow(() -> new TidewayException(ErrorCode.CONFIG_INVALID,
                "project " + cfg.name() + " is not running; start it with `tideway run`"));
        // after a switchover the commands go to the reverse sync
        String stepId = Switchover.forwardHalted(metaDb, p.id()) ? Direction.REVERSE.stepId() : Step.INCREMENTAL.id();
        State st = State.of(metaDb.projects().step(p.id(), stepId).state());
        if (!from.contains(st)) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "step " + stepId + " of project " + cfg.name() + " is " + st
                    + ": " + command.toLowerCase(java.util.Locale.ROOT) + " applies only when it is "
                    + from.stream().map(Enum::name).collect(Collectors.joining(" or ")));
        }
        if (!metaDb.incremental().sendCommand(p.id(), command)) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "project " + cfg.name() + " is not running; start it with"
                    + " `tideway run`");
        }
    }

    /** This process, as "host:pid". */
    public static String owner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** A run owned by a process of this host that no longer exists. */
    static boolean isDead(String owner) {
        int colon = owner.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        String host = owner.substring(0, colon);
        if (!owner().startsWith(host + ":")) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(owner.substring(colon + 1))).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

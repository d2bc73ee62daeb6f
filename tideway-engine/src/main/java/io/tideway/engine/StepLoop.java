package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.engine.Engine.RunOptions;
import io.tideway.engine.Engine.RunResult;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.full.FullStep;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.IncrementalStep;
import io.tideway.engine.incremental.Store;
import io.tideway.engine.result.StepResult;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.StepRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The steps of one run of a project, in order, under the run's lease: the precheck, then each step
 * not yet done (the Store started before the full copy when the incremental step follows; the
 * incremental step in the background while verify compares), then, after a switchover's request,
 * the reverse sync.
 */
final class StepLoop {
    private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

    private final MetaDb metaDb;
    private final Path dataDir;
    private final ProjectConfig cfg;
    private final Endpoints ends;
    private final long pid;
    private final ProgressListener listener;
    private final RunOptions options;
    private final RunCommands commands;
    /** Whether the user asked the run to stop. */
    private final BooleanSupplier stop;

    StepLoop(MetaDb metaDb, Path dataDir, ProjectConfig cfg, Endpoints ends, long pid, ProgressListener listener,
             RunOptions options, RunCommands commands, BooleanSupplier stop) {
        this.metaDb = metaDb;
        this.dataDir = dataDir;
        this.cfg = cfg;
        this.ends = ends;
        this.pid = pid;
        this.listener = listener;
        this.options = options;
        this.commands = commands;
        this.stop = stop;
    }

    /** Runs the steps; throws naming what failed, the step then FAILED in the MetaDB. */
    RunResult run() {
        Store store = null;
        // with verify listed after incremental, the Connector applies changes in the background while verify compares
        io.tideway.engine.verify.BackgroundSync sync = null;
        try {
            if (Switchover.forwardHalted(metaDb, pid)) {
                return runReverse();
            }
            Precheck.Report report = Precheck.run(cfg, ends, startedTables(metaDb, pid));
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
            List<StepResult> steps = new ArrayList<>();
            for (Step step : cfg.steps()) {
                if (halting()) {
                    break;
                }
                if (step == Step.FULL && cfg.has(Step.INCREMENTAL)) {
                    store = startStore(ctx);
                }
                if (step == Step.INCREMENTAL && store == null) {
                    store = startStore(ctx);
                }
                StepRecord rec = metaDb.projects().step(pid, step.id());
                State recState = State.of(rec.state());
                if (recState == State.SKIPPED) {
                    steps.add(new StepResult(step.id(), StepResult.SKIPPED, "skipped by the user"));
                    continue;
                }
                if (recState == State.COMPLETED && step != Step.VERIFY) {   // verification is redone on every run
                    steps.add(new StepResult(step.id(), StepResult.ALREADY_COMPLETED, "already completed"));
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
                                options.lagThreshold(), commands.pending(), () -> halting() || until.getAsBoolean()));
                        continue;   // it ends after verify
                    }
                    String summary = switch (step) {
                        case SCHEMA -> SchemaStep.run(ctx) + (cfg.has(Step.FULL) ? "" : "; " + indexAll(ctx));
                        case FULL -> FullStep.run(ctx);
                        case INCREMENTAL -> IncrementalStep.run(ctx, store, options.untilSynced(), options.lagThreshold(),
                                commands.pending(), this::halting);
                        case VERIFY -> io.tideway.engine.verify.VerifyStep.run(ctx, dataDir, sync, this::halting);
                        default -> throw new IllegalStateException(step.id());
                    };
                    if (step != Step.INCREMENTAL) {
                        metaDb.projects().setStepState(pid, step.id(), State.COMPLETED, null);
                    }
                    metaDb.events().add(pid, "INFO", step.id(), "step " + (step == Step.INCREMENTAL ? "stopped" : "completed")
                            + ": " + summary);
                    listener.stepFinished(step.id(), summary);
                    steps.add(new StepResult(step.id(), step == Step.INCREMENTAL ? StepResult.STOPPED : StepResult.COMPLETED,
                            summary));
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
                        steps.add(new StepResult(step.id(), StepResult.DIFFERENCES, e.getMessage()));
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
                        awaitSyncedAtEnd(sync);
                    }
                    String summary = options.untilSynced() ? sync.stop() : sync.await();
                    metaDb.events().add(pid, "INFO", Step.INCREMENTAL.id(), "step stopped: " + summary);
                    listener.stepFinished(Step.INCREMENTAL.id(), summary);
                    steps.add(new StepResult(Step.INCREMENTAL.id(), StepResult.STOPPED, summary));
                } catch (RuntimeException e) {
                    throw failStep(pid, Step.INCREMENTAL, e);
                } finally {
                    MDC.remove("step");
                }
            }
            if (commands.switchoverRequested() && !stop.getAsBoolean()) {
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
                RunResult reverse = runReverse();
                steps.addAll(reverse.steps());
                return result(State.valueOf(reverse.state()), steps);
            }
            metaDb.projects().setState(pid, cfg.has(Step.INCREMENTAL) ? State.MONITORING : State.COMPLETED);
            return result(cfg.has(Step.INCREMENTAL) ? State.MONITORING : State.COMPLETED, steps);
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
        }
    }

    private RunResult result(State state, List<StepResult> steps) {
        return new RunResult(cfg.name(), state.name(), List.copyOf(steps));
    }

    private boolean halting() {
        return stop.getAsBoolean() || commands.switchoverRequested();
    }

    private State stepState(long pid, Step step) {
        return State.of(metaDb.projects().step(pid, step.id()).state());
    }

    /**
     * The run of a project whose forward sync a switchover halted: waits until the switchover has
     * started the reverse sync (sub-step 7), then runs the reverse Store and Connector (destination ->
     * source) until asked to stop, or, with {@code untilSynced}, until their lag is under the threshold.
     */
    private RunResult runReverse() {
        String step = Direction.REVERSE.stepId();
        if (!Switchover.reverseStarted(metaDb, pid)) {
            listener.info("the forward sync is stopped by a switchover; waiting for `tideway switchover` to start the reverse"
                    + " sync (sub-step 7) ...");
            while (!Switchover.reverseStarted(metaDb, pid)) {
                if (stop.getAsBoolean()) {
                    return result(State.of(metaDb.projects().find(cfg.name()).orElseThrow().state()), List.of(new StepResult(step,
                            StepResult.STOPPED, "not started (the switchover has not reached sub-step 7)")));
                }
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return result(State.of(metaDb.projects().find(cfg.name()).orElseThrow().state()),
                            List.of(new StepResult(step, StepResult.STOPPED, "interrupted")));
                }
            }
        }
        List<MappedTable> tables = TableMapper.map(cfg, ends);
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
            String summary = IncrementalStep.run(rctx, rs, options.untilSynced(), options.lagThreshold(), commands.pending(),
                    stop, Direction.REVERSE);
            metaDb.events().add(pid, "INFO", step, "step stopped: " + summary);
            listener.stepFinished(step, summary);
            metaDb.projects().setState(pid, State.MONITORING);
            return result(State.MONITORING, List.of(new StepResult(step, StepResult.STOPPED, summary)));
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
     * {@code run --until synced}: the run ends synced only. Changes may have arrived while the verify
     * step compared (a sync paused meanwhile holds them back), so the incremental step must be under
     * its lag threshold again before it is stopped; a paused sync is waited for until resumed.
     */
    private void awaitSyncedAtEnd(io.tideway.engine.verify.BackgroundSync sync) {
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
    private Store startStore(RunContext ctx) {
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
                st.execute(ctx.ends().destinationDialect().schema().truncateSql(m.destination().id()));
            }
        } catch (java.sql.SQLException e) {
            throw ctx.ends().destinationDialect().errors().classify(e, "restarting the full copy");
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

    /** The tables whose full copy began in an earlier run (by source name). */
    static Set<String> startedTables(MetaDb metaDb, long pid) {
        return metaDb.checkpoints().tables(pid).stream()
                .filter(t -> !TableStates.PENDING.equals(t.state()))
                .map(t -> t.source().toString())
                .collect(Collectors.toSet());
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
            String reason = metaDb.events().lastMessage(ctx.projectId(), before.id(), Engine.SKIP_EVENT_PREFIX)
                    .orElse(Engine.SKIP_EVENT_PREFIX);
            String what = before == Step.FULL && step == Step.INCREMENTAL
                    ? "the full copy was skipped: only changes from now on are applied; rows the source had before are missing"
                            + " from the destination unless they were loaded by other means"
                    : "step " + before.id() + " was skipped: step " + step.id() + " assumes what it does was done by other means";
            ctx.event("WARN", step.id(), "WARNING: " + what + " (" + reason + ")");
        }
    }
}

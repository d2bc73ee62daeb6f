package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.config.ProjectValues;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.IncrementalStep;
import io.tideway.engine.incremental.Store;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.StepRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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

    private final MetaDb metaDb;
    private final Path dataDir;
    private volatile boolean stopRequested;

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
        List<MappedTable> tables = TableMapper.map(cfg, ends);
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
        // run as the project's Checker and kept in the MetaDB once the project is there (a project verified
        // before it ever ran has report.json only, and no component yet)
        var outcome = project.map(p -> io.tideway.engine.verify.VerifyStep.asChecker(
                new RunContext(cfg, ends, metaDb, p.id(), tables, listener),
                checker -> io.tideway.engine.verify.VerifyStep.verify(cfg, ends, tables, dataDir, listener, sync, repair,
                        () -> stopRequested, r -> io.tideway.engine.verify.ReportStore.save(metaDb, p.id(), r), checker)))
                .orElseGet(() -> io.tideway.engine.verify.VerifyStep.verify(cfg, ends, tables, dataDir, listener, sync, repair,
                        () -> stopRequested, r -> { }, null));
        project.ifPresent(p -> metaDb.events().add(p.id(), outcome.equalNow() ? "INFO" : "WARN", Step.VERIFY.id(),
                "tideway verify" + (repair ? " --repair" : "") + ": " + outcome.report().summary()
                        + (outcome.afterRepair() == null ? "" : "; after the repair: " + outcome.afterRepair().summary())));
        return outcome;
    }

    /**
     * The project as it stands ({@code tideway status}): steps with their progress, tables, components,
     * lag, the switchover's sub-steps and recent events; empty when the project has not run yet. Reads
     * only the MetaDB, so it works while the project runs in another process.
     */
    public java.util.Optional<io.tideway.engine.status.ProjectStatus> status(ProjectConfig cfg) {
        return new StatusQuery(metaDb).status(cfg);
    }

    /** The latest verification report of the project stored in the MetaDB (report.json is its export); empty when none. */
    public java.util.Optional<io.tideway.engine.verify.VerificationReport> verificationReport(ProjectConfig cfg) {
        return metaDb.projects().find(cfg.name()).flatMap(p -> io.tideway.engine.verify.ReportStore.latest(metaDb, p.id()));
    }

    /** Whether a live process runs the project's incremental step now (applying changes, or paused with changes held back). */
    private boolean incrementalRunning(long pid) {
        var run = metaDb.incremental().run(pid);
        if (run.isEmpty() || isDead(run.get().owner())
                || System.currentTimeMillis() - run.get().heartbeatAt().toEpochMilli() > RunLease.STALE_MILLIS) {
            return false;
        }
        return syncing(stepState(pid, Step.INCREMENTAL));
    }

    /** A sync step in this state has changes to apply to the destination, now or once resumed. */
    private static boolean syncing(State s) {
        return s.active() || s == State.PAUSED;
    }

    /**
     * What a run did.
     *
     * @param state the project's state as the run ended (MONITORING, COMPLETED)
     * @param steps what each step did, in order (the reverse sync after a switchover last)
     */
    public record RunResult(String project, String state, List<io.tideway.engine.result.StepResult> steps) {
        /** "step: summary" per step, as the CLI prints them. */
        public List<String> summaries() {
            return steps.stream().map(io.tideway.engine.result.StepResult::line).toList();
        }
    }

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
        LOG.info("project {}: settings {}", cfg.name(), ProjectValues.masked(cfg));
        RunCommands commands = new RunCommands();
        MDC.put("project", cfg.name());
        try (RunLease lease = RunLease.take(metaDb, pid, commands)) {
            return new StepLoop(metaDb, dataDir, cfg, ends, pid, listener, options, commands, () -> stopRequested).run();
        } finally {
            MDC.remove("project");
        }
    }

    /**
     * Switches the project over ({@code tideway switchover}): runs the sub-steps of {@link Switchover}
     * not yet done, each recorded in the MetaDB, and returns the report of the last one. The forward
     * sync must run meanwhile in a live {@code tideway run} (it applies the last changes, then stops
     * its forward apply when asked and runs the reverse sync). A failed sub-step is recorded FAILED and
     * thrown; calling again retries it. Two switchovers of one project at once are refused.
     */
    public io.tideway.engine.result.SwitchoverResult switchover(ProjectConfig cfg, Switchover.Options options,
                                                                Switchover.Confirmer confirmer, ProgressListener listener) {
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
                    Switchover.Report report = new Switchover(metaDb, dataDir, cfg, p.id(), options, confirmer, listener,
                            () -> incrementalRunLive(p.id())).run();
                    return switchoverResult(cfg.name(), p.id(), report);
                } finally {
                    MDC.remove("step");
                    MDC.remove("project");
                }
            }
        } catch (java.io.IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot lock " + lock + ": " + e.getMessage(), e);
        }
    }

    /** Whether a live process runs the project (its heartbeat fresh, its process alive). */
    private boolean incrementalRunLive(long pid) {
        return RunLease.live(metaDb, pid);
    }

    private io.tideway.engine.result.SwitchoverResult switchoverResult(String name, long pid, Switchover.Report report) {
        var subSteps = metaDb.switchovers().steps(pid).stream().map(s -> new io.tideway.engine.result.SwitchoverResult.SubStep(
                s.number(), s.name(), s.state(), s.startedAt() == null ? null : s.startedAt().toString(),
                s.finishedAt() == null ? null : s.finishedAt().toString(), s.error())).toList();
        java.util.Map<String, Object> figures;
        try {
            figures = report.json() == null || report.json().isBlank() ? java.util.Map.of()
                    : new com.fasterxml.jackson.databind.ObjectMapper().readValue(report.json(),
                            new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the switchover report: " + e.getMessage(), e);
        }
        return new io.tideway.engine.result.SwitchoverResult(name, subSteps, figures, report.lines());
    }

    /** The sub-steps of the project's switchover as recorded (empty before one began). */
    public List<io.tideway.metadb.Switchovers.SubStep> switchoverSteps(long pid) {
        return metaDb.switchovers().steps(pid);
    }

    private Set<String> startedTables(long pid) {
        return StepLoop.startedTables(metaDb, pid);
    }

    private State stepState(long pid, Step step) {
        return State.of(metaDb.projects().step(pid, step.id()).state());
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
            boolean stale = System.currentTimeMillis() - r.heartbeatAt().toEpochMilli() > RunLease.STALE_MILLIS;
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
     * (A project released before: nothing is done, {@code alreadyReleased} says so.)
     */
    public io.tideway.engine.result.ReleaseResult release(ProjectConfig cfg) {
        var p = stored(cfg, "release");
        if (State.of(p.state()) == State.RELEASED) {
            return new io.tideway.engine.result.ReleaseResult(cfg.name(), State.RELEASED.name(), true,
                    List.of("project " + cfg.name() + " was already released"));
        }
        requireNotRunning(p.id(), cfg.name(), "releasing it");
        return new Release(metaDb, dataDir).release(cfg, p.id());
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

    /** This process, as "host:pid": the owner of the runs it takes. */
    public static String owner() {
        return RunLease.owner();
    }

    private static boolean isDead(String owner) {
        return RunLease.isDead(owner);
    }
}

package io.tideway.engine.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.engine.Endpoints;
import io.tideway.engine.Progress;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.RunContext;
import io.tideway.engine.component.ComponentKind;
import io.tideway.engine.component.ComponentRun;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.IncrementalStep;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verify step of a run, and a verification on its own ({@code tideway verify}).
 *
 * <ol>
 *   <li>With the incremental step running in the background, it first waits until the lag is
 *       under its threshold.</li>
 *   <li>{@link Verifier} compares every table.</li>
 *   <li>With {@code repair}, the differing rows are written again from the source and read again.</li>
 *   <li>{@link VerifyOutput} writes report.json and the correction SQL files.</li>
 * </ol>
 */
public final class VerifyStep {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(VerifyStep.class);
    private VerifyStep() { }

    /**
     * What a verification found and where it wrote it.
     *
     * @param repair what a repair wrote; null when none was asked for or nothing differed
     * @param afterRepair what still differed after the repair; null without one
     * @param document the report as stored in the MetaDB and exported as report.json
     */
    public record Outcome(VerifyReport report, Path directory, Map<String, Path> sqlFiles, Verifier.Repair repair,
                          VerifyReport afterRepair, VerificationReport document) {
        /** Whether source and destination hold the same rows now (after the repair, if any). */
        public boolean equalNow() {
            return afterRepair != null ? afterRepair.equal() : report.equal();
        }

        /** Whether the rows found different are not confirmed, the sync beside the verification being behind. */
        public boolean unconfirmedNow() {
            return afterRepair != null ? afterRepair.unconfirmed() : report.unconfirmed();
        }

        /** The verification as a plain record (what the CLI prints and the API returns), with its exit status. */
        public io.tideway.engine.result.VerifyResult result() {
            var status = equalNow() ? io.tideway.engine.result.VerifyResult.Status.EQUAL
                    : unconfirmedNow() ? io.tideway.engine.result.VerifyResult.Status.UNCONFIRMED
                    : io.tideway.engine.result.VerifyResult.Status.DIFFERENT;
            Map<String, String> files = new java.util.LinkedHashMap<>();
            sqlFiles.forEach((table, file) -> files.put(table, file.toString()));
            return new io.tideway.engine.result.VerifyResult(report.project(), status, status.exitCode(),
                    (afterRepair != null ? afterRepair : report).summary(), directory.toString(), files, document);
        }
    }

    /** How many times the verify step of a run verifies again when rows could not be confirmed (the sync lagged). */
    static final int UNCONFIRMED_ATTEMPTS = 3;

    /**
     * Runs the verify step of a project run. Differences fail it with DATA_DIFFERENT, whose
     * message says how many rows differ and where the report is. Rows not confirmed because the
     * sync fell behind during the verification are verified again once it has caught up, at most
     * {@value #UNCONFIRMED_ATTEMPTS} times in all; then the step fails with DATA_UNCONFIRMED.
     *
     * @param sync the incremental step applying changes meanwhile, or null
     */
    public static String run(RunContext ctx, Path dataDir, BackgroundSync sync, BooleanSupplier stop) {
        return asChecker(ctx, checker -> runChecks(ctx, dataDir, sync, stop, checker));
    }

    /**
     * Runs {@code work} as the project's Checker component: configured (a Checker RUNNING in another
     * live process is refused, naming it), started on this node, then stopped, or failed when the
     * work failed for another reason than rows found different (the Checker did its work then).
     */
    public static <T> T asChecker(RunContext ctx, java.util.function.Function<ComponentRun, T> work) {
        ComponentRun checker = ComponentRun.configure(ctx, ComponentKind.CHECKER, null).start();
        boolean failed = true;
        try {
            T result = work.apply(checker);
            failed = false;
            return result;
        } catch (Verifier.Stopped e) {
            failed = false;
            throw e;
        } catch (TidewayException e) {
            // rows found different: the Checker did its work (the step fails, the component does not)
            failed = e.code() != ErrorCode.DATA_DIFFERENT && e.code() != ErrorCode.DATA_UNCONFIRMED;
            throw e;
        } finally {
            if (failed) {
                checker.fail();
            } else {
                checker.stop();
            }
        }
    }

    private static String runChecks(RunContext ctx, Path dataDir, BackgroundSync sync, BooleanSupplier stop,
                                    ComponentRun checker) {
        Outcome o = null;
        for (int attempt = 1; attempt <= UNCONFIRMED_ATTEMPTS; attempt++) {
            if (o != null) {
                ctx.event("WARN", Step.VERIFY.id(), "verification " + (attempt - 1) + " of " + UNCONFIRMED_ATTEMPTS + ": "
                        + o.report().summary() + "; verifying again once the sync has caught up");
            }
            o = verifyOnce(ctx, dataDir, sync, stop, checker);
            if (!o.unconfirmedNow()) {
                break;
            }
        }
        if (o.unconfirmedNow()) {
            throw new TidewayException(ErrorCode.DATA_UNCONFIRMED, "verification could not confirm the rows it found different in "
                    + UNCONFIRMED_ATTEMPTS + " attempts: " + o.report().summary() + "; report in " + o.directory()
                    + " (no correction SQL for them): let the sync catch up, then run again");
        }
        for (TableReport t : o.report().tables()) {
            if (!t.equal()) {
                ctx.event("WARN", Step.VERIFY.id(), t.summary());
            }
        }
        if (!o.equalNow()) {
            throw new TidewayException(ErrorCode.DATA_DIFFERENT, "verification: " + o.report().summary() + "; report and"
                    + " correction SQL in " + o.directory() + " (or run `tideway verify --repair`)");
        }
        return o.report().summary();
    }

    /** One verification in a run: waits until the sync is under its lag threshold first. */
    private static Outcome verifyOnce(RunContext ctx, Path dataDir, BackgroundSync sync, BooleanSupplier stop,
                                      ComponentRun checker) {
        Verifier.Sync watch = Verifier.Sync.NONE;
        if (sync != null) {
            ctx.listener().info("verify: waiting for the incremental lag to fall under its threshold ...");
            while (!sync.synced()) {
                sync.check();
                if (!sync.active() || stop.getAsBoolean()) {
                    throw new Verifier.Stopped();
                }
                sleep(300);
            }
            watch = sync;
        }
        return verify(ctx.config(), ctx.ends(), ctx.tables(), dataDir, new Persisting(ctx.listener(), s -> ctx.metaDb().projects()
                        .setStepProgress(ctx.projectId(), Step.VERIFY.id(), String.format(
                                "{\"rowsDone\":%d,\"rowsTotal\":%d,\"rowsPerSecond\":%.0f,\"etaSeconds\":%d}",
                                s.rowsDone(), s.rowsTotal(), s.rowsPerSecond(), s.etaSeconds()))),
                watch, false, stop, r -> ReportStore.save(ctx.metaDb(), ctx.projectId(), r), checker);
    }

    /**
     * A verification of {@code tables}, with an optional repair; writes its report and SQL files under {@code dataDir}.
     *
     * @param store keeps the report (in the MetaDB); called once report.json is written
     * @param checker the Checker running it (its coordinator.keyBatch; it records its position and
     *     figures as it goes), or null for a project not yet in the MetaDB (the setting's default)
     */
    public static Outcome verify(ProjectConfig cfg, Endpoints ends, List<MappedTable> tables, Path dataDir, ProgressListener listener,
                                 Verifier.Sync sync, boolean repair, BooleanSupplier stop, Consumer<VerificationReport> store,
                                 ComponentRun checker) {
        int keyBatch = Math.toIntExact(checker == null ? ComponentSettings.KEY_BATCH.defaultValue()
                : checker.get(ComponentSettings.KEY_BATCH));
        AtomicReference<Verifier> running = new AtomicReference<>();
        Persisting figures = checker == null ? null : new Persisting(listener, s -> checker.figures(running.get().position()
                .toString(), String.format("{\"rowsCompared\":%d,\"rowsPerSecond\":%.0f}", s.rowsDone(), Math.max(0, s.rowsPerSecond()))));
        Verifier v = new Verifier(cfg.name(), ends, tables, cfg.full(), cfg.verify(), keyBatch, figures == null ? listener : figures,
                sync, stop);
        running.set(v);
        VerifyReport report;
        try {
            report = v.run();
        } finally {
            if (figures != null) {
                figures.flush();
            }
        }
        Verifier.Repair done = null;
        VerifyReport after = null;
        // rows not confirmed (changes in flight) are not repaired: the sync brings them, or the next verification confirms them
        if (repair && !report.equal() && !report.unconfirmed()) {
            AtomicReference<Verifier.Repair> r = new AtomicReference<>();
            after = v.repair(report, r);
            done = r.get();
        }
        Path dir = VerifyOutput.directory(dataDir, cfg.name());
        VerifyOutput.Written written = VerifyOutput.write(dir, v, report, done, after);
        store.accept(written.report());
        return new Outcome(report, dir, written.sqlFiles(), done, after, written.report());
    }

    /**
     * The incremental step of a project run by another process, as the MetaDB shows it.
     *
     * @param running whether that process runs the step now
     */
    public static Verifier.Sync watch(MetaDb metaDb, long projectId, BooleanSupplier running) {
        return watch(metaDb, projectId, running, Step.INCREMENTAL.id());
    }

    /** Like {@link #watch(MetaDb, long, BooleanSupplier)}, for the sync whose figures are in step row {@code stepId} (e.g. reverse). */
    public static Verifier.Sync watch(MetaDb metaDb, long projectId, BooleanSupplier running, String stepId) {
        return new Verifier.Sync() {
            @Override
            public boolean active() {
                return running.getAsBoolean();
            }

            @Override
            public boolean awaitSynced(Duration max) {
                long deadline = System.currentTimeMillis() + max.toMillis();
                while (System.currentTimeMillis() <= deadline) {
                    if (!running.getAsBoolean()) {
                        return true;
                    }
                    String state = metaDb.projects().step(projectId, stepId).state();
                    if (State.MONITORING.name().equals(state)) {
                        return true;
                    }
                    if (State.PAUSED.name().equals(state)) {
                        return false;   // applies nothing until resumed
                    }
                    sleep(500);
                }
                return false;
            }

            @Override
            public VerifyReport.InFlight inFlight() {
                return inFlightOf(metaDb, projectId, stepId);
            }
        };
    }

    /** The lag and state of a sync step as its row in the MetaDB shows them. */
    static VerifyReport.InFlight inFlightOf(MetaDb metaDb, long projectId, String stepId) {
        var step = metaDb.projects().step(projectId, stepId);
        long lag = -1;
        try {
            if (step.progressJson() != null) {
                lag = JSON.readTree(step.progressJson()).path("lagMillis").asLong(-1);
            }
        } catch (JsonProcessingException e) {
            // unknown
        }
        return new VerifyReport.InFlight(lag, step.state());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Verifier.Stopped();
        }
    }

    /** Passes everything on to a listener, and saves the progress (in the MetaDB) every few seconds. */
    private static final class Persisting implements ProgressListener {
        private final ProgressListener to;
        private final Consumer<Progress.Snapshot> save;
        private long saved;
        private Progress.Snapshot last;

        Persisting(ProgressListener to, Consumer<Progress.Snapshot> save) {
            this.to = to;
            this.save = save;
        }

        @Override
        public void progress(Progress.Snapshot s) {
            to.progress(s);
            long now = System.currentTimeMillis();
            synchronized (this) {
                last = s;
                if (now - saved < 2000) {
                    return;
                }
                saved = now;
            }
            save(s);
        }

        /** Saves the last progress seen, if any (as the work ends). */
        void flush() {
            Progress.Snapshot s;
            synchronized (this) {
                s = last;
            }
            if (s != null) {
                save(s);
            }
        }

        private void save(Progress.Snapshot s) {
            try {
                save.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("saving the verification's progress failed: {}", e.toString());
            }
        }

        @Override
        public void stepStarted(String step) {
            to.stepStarted(step);
        }

        @Override
        public void stepFinished(String step, String summary) {
            to.stepFinished(step, summary);
        }

        @Override
        public void precheck(List<CheckResult> results) {
            to.precheck(results);
        }

        @Override
        public void info(String message) {
            to.info(message);
        }

        @Override
        public void incremental(IncrementalStep.Status status) {
            to.incremental(status);
        }

        @Override
        public void warn(String message) {
            to.warn(message);
        }
    }
}

package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.full.FullStep;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.StepRecord;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The engine's operations, one call each, shared by the CLI today and the REST API tomorrow.
 * All state lives in the MetaDB: a rerun of {@link #run} resumes where the last one stopped.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Steps this version can run. */
    public static final Set<Step> AVAILABLE_STEPS = EnumSet.of(Step.SCHEMA, Step.FULL);

    private final MetaDb metaDb;

    public Engine(MetaDb metaDb) {
        this.metaDb = metaDb;
    }

    /** Runs the precheck of a project without changing anything. */
    public Precheck.Report precheck(ProjectConfig cfg) {
        Endpoints ends = Endpoints.of(cfg);
        Set<String> resumed = metaDb.projects().find(cfg.name())
                .map(p -> startedTables(p.id())).orElse(Set.of());
        return Precheck.run(cfg, ends, resumed);
    }

    /** Outcome of a run: a one-line summary per step. */
    public record RunResult(List<String> summaries) { }

    /**
     * Creates or resumes the project and runs its steps in order. Steps COMPLETED in an earlier
     * run are skipped. Throws {@link TidewayException} naming what failed; the step is then FAILED
     * in the MetaDB and a rerun retries it.
     */
    public RunResult run(ProjectConfig cfg, ProgressListener listener) {
        for (Step s : cfg.steps()) {
            if (!AVAILABLE_STEPS.contains(s)) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "step '" + s.id() + "' is not available in Tideway "
                        + Version.current() + "; available: " + AVAILABLE_STEPS.stream().map(Step::id).collect(Collectors.joining(", ")));
            }
        }
        Endpoints ends = Endpoints.of(cfg);
        long pid = metaDb.projects().upsert(cfg.name(), cfg.source(), cfg.destination(), ProjectFiles.toYamlWithoutSecrets(cfg));
        MDC.put("project", cfg.name());
        try {
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
            metaDb.projects().setState(pid, "RUNNING");
            List<String> summaries = new java.util.ArrayList<>();
            for (Step step : cfg.steps()) {
                StepRecord rec = metaDb.projects().step(pid, step.id());
                if ("COMPLETED".equals(rec.state())) {
                    summaries.add(step.id() + ": already completed");
                    continue;
                }
                MDC.put("step", step.id());
                listener.stepStarted(step.id());
                metaDb.projects().setStepState(pid, step.id(), "RUNNING", null);
                metaDb.events().add(pid, "INFO", step.id(), "step started");
                try {
                    String summary = switch (step) {
                        case SCHEMA -> SchemaStep.run(ctx) + (cfg.has(Step.FULL) ? "" : "; " + indexAll(ctx));
                        case FULL -> FullStep.run(ctx);
                        default -> throw new IllegalStateException(step.id());
                    };
                    metaDb.projects().setStepState(pid, step.id(), "COMPLETED", null);
                    metaDb.events().add(pid, "INFO", step.id(), "step completed: " + summary);
                    listener.stepFinished(step.id(), summary);
                    summaries.add(step.id() + ": " + summary);
                } catch (RuntimeException e) {
                    String msg = e instanceof TidewayException ? e.getMessage() : e.toString();
                    metaDb.projects().setStepState(pid, step.id(), "FAILED", msg);
                    metaDb.projects().setState(pid, "FAILED");
                    metaDb.events().add(pid, "ERROR", step.id(), msg);
                    LOG.error("step {} failed", step.id(), e);
                    throw e;
                } finally {
                    MDC.remove("step");
                }
            }
            metaDb.projects().setState(pid, "COMPLETED");
            return new RunResult(summaries);
        } finally {
            MDC.remove("project");
        }
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
}

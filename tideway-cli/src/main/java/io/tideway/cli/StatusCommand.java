package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.ProjectRecord;
import io.tideway.metadb.StepRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "status", description = "Show a project's steps, their state and figures (works while `tideway run` runs elsewhere).")
final class StatusCommand extends ProjectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            ProjectRecord p = db.projects().find(cfg.name()).orElse(null);
            if (p == null) {
                System.out.println("tideway: project " + cfg.name() + " has not run yet");
                return 1;
            }
            System.out.println("project " + p.name() + ": " + p.state());
            db.incremental().run(p.id()).ifPresentOrElse(
                    r -> System.out.println("   running in " + r.owner() + " since " + r.startedAt() + " (heartbeat " + r.heartbeatAt() + ")"),
                    () -> System.out.println("   not running now"));
            var engine = new io.tideway.engine.Engine(db, main.dataDir);
            for (var step : cfg.steps()) {
                StepRecord s = db.projects().step(p.id(), step.id());
                String skipped = io.tideway.core.project.Lifecycle.State.of(s.state()) == io.tideway.core.project.Lifecycle.State.SKIPPED
                        ? engine.skipReason(p.id(), step.id()).map(r -> "  reason: " + r).orElse("") : "";
                System.out.printf("   %-12s %-12s %s%s%s%n", step.id(), s.state(), s.progressJson() == null ? "" : s.progressJson(),
                        s.error() == null ? "" : "  error: " + s.error(), skipped);
            }
            StepRecord reverse = db.projects().step(p.id(), io.tideway.engine.incremental.Direction.REVERSE.stepId());
            if (!"NOT_STARTED".equals(reverse.state()) || reverse.progressJson() != null) {
                System.out.printf("   %-12s %-12s %s%s%n", "reverse", reverse.state(),
                        reverse.progressJson() == null ? "" : reverse.progressJson(), reverse.error() == null ? "" : "  error: " + reverse.error());
            }
            var sub = engine.switchoverSteps(p.id());
            if (!sub.isEmpty()) {
                System.out.println("   switchover:");
                for (var s : sub) {
                    System.out.printf("     %d %-24s %-10s%s%s%n", s.number(), s.name(), s.state(),
                            s.finishedAt() == null ? "" : "  at " + s.finishedAt(), s.error() == null ? "" : "  error: " + s.error());
                }
            }
            db.incremental().applyCheckpoint(p.id(), io.tideway.engine.incremental.Store.REVERSE).ifPresent(cp ->
                    System.out.println("   reverse connector checkpoint: spool " + cp.segment() + ":" + cp.offset()
                            + ", destination position " + cp.position() + ", " + cp.eventsApplied() + " changes applied, at "
                            + cp.updatedAt()));
            db.incremental().applyCheckpoint(p.id(), io.tideway.engine.incremental.Store.FORWARD).ifPresent(cp ->
                    System.out.println("   connector checkpoint: spool " + cp.segment() + ":" + cp.offset() + ", source position "
                            + cp.position() + ", " + cp.eventsApplied() + " changes applied, at " + cp.updatedAt()));
            return 0;
        }
    }
}

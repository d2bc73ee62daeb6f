package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.result.ReleaseResult;
import io.tideway.metadb.MetaDb;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The lifecycle commands that change a stopped project's state: retry, skip and release. */
final class LifecycleCommands {
    private LifecycleCommands() { }

    @Command(name = "retry", description = "Set a FAILED step (or every FAILED step) back to NOT_STARTED; the next"
            + " `tideway run` runs it again from its checkpoints.")
    static final class Retry extends ProjectCommand implements Callable<Integer> {
        @Parameters(index = "1", arity = "0..1", paramLabel = "STEP", description = "The step to retry (default: every FAILED step).")
        String step;

        @Override
        public Integer call() {
            ProjectConfig cfg = loadProject();
            try (MetaDb db = openMetaDb()) {
                List<String> steps = new Engine(db, main.dataDir).retry(cfg, step);
                System.out.println("tideway: " + String.join(", ", steps) + " of project " + cfg.name()
                        + " will run again on the next `tideway run`");
                return 0;
            }
        }
    }

    @Command(name = "skip", description = "Mark a step not yet done as SKIPPED (runs pass over it; later steps warn);"
            + " the reason is kept in the project's history and shown by `tideway status`.")
    static final class Skip extends ProjectCommand implements Callable<Integer> {
        @Parameters(index = "1", paramLabel = "STEP", description = "The step to skip.")
        String step;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why the step is skipped.")
        String reason;

        @Override
        public Integer call() {
            ProjectConfig cfg = loadProject();
            try (MetaDb db = openMetaDb()) {
                new Engine(db, main.dataDir).skip(cfg, step, reason);
                System.out.println("tideway: step " + step + " of project " + cfg.name() + " is SKIPPED: " + reason.strip());
                return 0;
            }
        }
    }

    @Command(name = "release", description = "Release a stopped project: drop what Tideway made on the source (PostgreSQL"
            + " replication slot and publication) and the project's spool; its history stays; it cannot run again.")
    static final class Release extends ProjectCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            ProjectConfig cfg = loadProject();
            try (MetaDb db = openMetaDb()) {
                ReleaseResult result = new Engine(db, main.dataDir).release(cfg);
                for (String d : result.done()) {
                    System.out.println("tideway: " + d);
                }
                System.out.println("tideway: project " + cfg.name() + " is RELEASED");
                return 0;
            }
        }
    }
}

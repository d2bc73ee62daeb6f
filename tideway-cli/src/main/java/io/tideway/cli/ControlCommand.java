package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.ProjectRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Commands left in the MetaDB for the process that runs a project; it obeys within a second or two. */
abstract class ControlCommand extends ProjectCommand implements Callable<Integer> {
    abstract String command();

    @Override
    public Integer call() {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            ProjectRecord p = db.projects().find(cfg.name()).orElse(null);
            if (p == null || !db.incremental().sendCommand(p.id(), command())) {
                System.err.println("tideway: project " + cfg.name() + " is not running; start it with `tideway run`");
                return 1;
            }
            System.out.println("tideway: " + command().toLowerCase() + " sent to project " + cfg.name());
            return 0;
        }
    }

    @Command(name = "pause", description = "Pause applying changes of a running project (capture and spooling go on).")
    static final class Pause extends ControlCommand {
        @Override
        String command() {
            return "PAUSE";
        }
    }

    @Command(name = "resume", description = "Resume applying changes of a paused project.")
    static final class Resume extends ControlCommand {
        @Override
        String command() {
            return "RESUME";
        }
    }
}

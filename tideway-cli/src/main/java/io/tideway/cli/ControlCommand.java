package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.metadb.MetaDb;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Commands left in the MetaDB for the process that runs a project; it obeys within a second or
 * two. The project lifecycle decides whether they apply (pause when syncing, resume when paused).
 */
abstract class ControlCommand extends ProjectCommand implements Callable<Integer> {
    abstract String command();

    abstract void send(Engine engine, ProjectConfig cfg);

    @Override
    public Integer call() {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            send(new Engine(db, main.dataDir), cfg);
            System.out.println("tideway: " + command() + " sent to project " + cfg.name());
            return 0;
        }
    }

    @Command(name = "pause", description = "Pause applying changes of a running project (capture and spooling go on);"
            + " only while its incremental step is RUNNING or MONITORING.")
    static final class Pause extends ControlCommand {
        @Override
        String command() {
            return "pause";
        }

        @Override
        void send(Engine engine, ProjectConfig cfg) {
            engine.pause(cfg);
        }
    }

    @Command(name = "resume", description = "Resume applying changes of a paused project.")
    static final class Resume extends ControlCommand {
        @Override
        String command() {
            return "resume";
        }

        @Override
        void send(Engine engine, ProjectConfig cfg) {
            engine.resume(cfg);
        }
    }
}

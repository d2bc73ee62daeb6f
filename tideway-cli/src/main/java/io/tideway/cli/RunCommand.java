package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.metadb.MetaDb;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Create or resume a project and run its steps (rerun after a crash resumes).")
final class RunCommand extends ProjectCommand implements Callable<Integer> {

    @Option(names = "--until", paramLabel = "synced",
            description = "'synced': exit 0 once every step before incremental is done, the incremental lag is under its threshold"
                    + " and, with the verify step, verification found no difference.")
    String until;

    @Override
    public Integer call() {
        if (until != null && !until.equals("synced")) {
            System.err.println("tideway: --until takes 'synced', not '" + until + "'");
            return 2;
        }
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            System.out.println("tideway: project " + cfg.name() + ": " + cfg.source() + " -> " + cfg.destination());
            Engine engine = new Engine(db, main.dataDir);
            // SIGTERM / Ctrl-C: stop cleanly, with final checkpoints, before the JVM shuts down (StopSignals);
            // the hook covers other ways the JVM is asked to exit
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread hook = new Thread(() -> {
                engine.requestStop();
                try {
                    done.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "tideway-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try (StopSignals signals = StopSignals.install(engine::requestStop)) {
                Engine.RunResult r = engine.run(cfg, ConsoleProgress.forStdout(),
                        until != null ? Engine.RunOptions.UNTIL_SYNCED : Engine.RunOptions.FOREVER);
                System.out.println("tideway: project " + cfg.name() + (until != null ? " synced" : " stopped"));
                r.summaries().forEach(s -> System.out.println("   " + s));
                return 0;
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down
                }
            }
        }
    }
}

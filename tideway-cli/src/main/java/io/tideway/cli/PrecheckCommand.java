package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Precheck;
import io.tideway.metadb.MetaDb;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "precheck", description = "Check both ends of a project; exit 0 when nothing blocks a run, 1 otherwise.")
final class PrecheckCommand extends ProjectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            Precheck.Report r = new Engine(db, main.dataDir).precheck(cfg);
            ConsoleProgress.printPrecheck(System.out, r.items(), List.copyOf(r.skipped()));
            if (r.passed()) {
                System.out.println("tideway: precheck passed (" + r.tables().size() + " tables)");
                return 0;
            }
            System.err.println("tideway: precheck failed: " + r.blocking().size() + " blocking item(s): "
                    + String.join(", ", r.blocking().stream().map(c -> c.item()).toList()));
            return 1;
        }
    }
}

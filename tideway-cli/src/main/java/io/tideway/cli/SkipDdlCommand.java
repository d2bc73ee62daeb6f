package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.metadb.MetaDb;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "skip-ddl", description = "Skip the DDL that stopped a project's incremental step (after making that change"
        + " on the destination by hand); then run the project again.")
final class SkipDdlCommand extends ProjectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            String ddl = new Engine(db, main.dataDir).skipDdl(cfg);
            System.out.println("tideway: skipped: " + ddl);
            return 0;
        }
    }
}

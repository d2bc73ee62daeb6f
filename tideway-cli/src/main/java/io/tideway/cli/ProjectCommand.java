package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** What the commands that take a project file share. */
abstract class ProjectCommand {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "PROJECT.yaml", description = "The project file.")
    Path projectFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides a setting of the project file, checked"
            + " as the file's own (README, \"Settings\"): e.g. --set full.parallelism=2, --set tables.include=shop.*,crm.users,"
            + " --set tables.rename.schemas.shop=store. Repeatable.")
    List<String> overrides = new ArrayList<>();

    ProjectConfig loadProject() {
        return ProjectFiles.load(projectFile, overrides);
    }

    MetaDb openMetaDb() {
        return main.openMetaDb();
    }
}

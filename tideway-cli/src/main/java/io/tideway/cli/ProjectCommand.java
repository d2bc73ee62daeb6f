package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** What the commands that take a project file share. */
abstract class ProjectCommand {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "PROJECT.yaml", description = "The project file.")
    Path projectFile;

    ProjectConfig loadProject() {
        return ProjectFiles.load(projectFile);
    }

    MetaDb openMetaDb() {
        return main.openMetaDb();
    }
}

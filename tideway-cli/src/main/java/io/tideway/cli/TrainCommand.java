package io.tideway.cli;

import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import picocli.CommandLine.Command;

/**
 * Hidden: the training run behind the launcher's class-data archive. {@code ./tideway} runs it
 * once after a build under {@code -XX:ArchiveClassesAtExit}; it opens a throw-away MetaDB (H2 and
 * Flyway), reads a project file and loads the classes of Tideway and of the drivers a run uses,
 * so that later starts map them from the archive instead of parsing and verifying them again
 * (about a second of CPU per start on this kind of machine). Touches no database but its own.
 */
@Command(name = "train-class-archive", hidden = true,
        description = "Load the classes a run needs (used by ./tideway to build its class-data archive).")
final class TrainCommand implements Callable<Integer> {
    /** Jars whose classes a migration run loads at start; change capture (Debezium, Kafka) is left out. */
    private static final List<String> JARS = List.of("tideway-", "mariadb-java-client", "postgresql-", "h2-", "flyway-",
            "jackson-", "snakeyaml", "HikariCP", "picocli", "logback-", "slf4j-", "jul-to-slf4j");

    @Override
    public Integer call() throws IOException {
        Path tmp = Files.createTempDirectory("tideway-train");
        try {
            Path project = tmp.resolve("train.yaml");
            Files.writeString(project, """
                    name: train
                    source:      { type: mariadb, host: 127.0.0.1, port: 3306, user: u, password: p, database: db }
                    destination: { type: postgresql, host: 127.0.0.1, port: 5432, user: u, password: p, database: db }
                    tables:      { include: ["db.*"] }
                    steps:       [schema, full]
                    """);
            ProjectFiles.load(project);
            try (MetaDb db = MetaDb.openEmbedded(tmp.resolve("data"), Version.current())) {
                db.schemaVersion();
            }
            int loaded = loadClasses();
            System.out.println("tideway: loaded " + loaded + " classes for the class-data archive");
            return 0;
        } finally {
            deleteTree(tmp);
        }
    }

    private static int loadClasses() throws IOException {
        Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        if (!self.toString().endsWith(".jar")) {
            return 0; // running from classes (tests): nothing to archive
        }
        int n = load(self);
        try (JarFile jar = new JarFile(self.toFile())) {
            Manifest mf = jar.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp != null) {
                for (String entry : cp.trim().split("\\s+")) {
                    Path p = self.resolveSibling(entry);
                    String name = p.getFileName().toString();
                    if (JARS.stream().anyMatch(name::startsWith) && Files.isRegularFile(p)) {
                        n += load(p);
                    }
                }
            }
        }
        return n;
    }

    private static int load(Path jarPath) throws IOException {
        ClassLoader loader = TrainCommand.class.getClassLoader();
        int n = 0;
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    n++;
                } catch (Throwable notLoadable) {
                    // an optional dependency of the library is absent: that class is never used here
                }
            }
        }
        return n;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

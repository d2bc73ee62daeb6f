package io.tideway.cli;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.project.TableSelection;
import io.tideway.engine.Endpoints;
import io.tideway.engine.Engine;
import io.tideway.engine.TableMapper;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.verify.TableCompare;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedPostgreSql;
import io.tideway.test.SampleData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * A real migration with nothing to set up: starts an embedded MariaDB and an embedded
 * PostgreSQL, fills a sample "shop" database, migrates it (precheck, schema, full copy) and
 * compares every row of every table.
 */
@Command(name = "demo", description = "Migrate a sample MariaDB database to PostgreSQL, both embedded and started here, and prove the copy.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--orders", defaultValue = "100000", description = "Rows in the sample orders table (default: ${DEFAULT-VALUE}).")
    int orders;

    @Override
    public Integer call() throws Exception {
        Path work = main.dataDir.resolve("demo");
        Files.createDirectories(work);
        Path servers = Files.createTempDirectory(work, "servers-");
        long t0 = System.nanoTime();
        System.out.println("tideway demo: starting an embedded MariaDB and an embedded PostgreSQL ...");
        try (EmbeddedMariaDb my = EmbeddedMariaDb.start(servers.resolve("mariadb"), freePort());
             EmbeddedPostgreSql pg = EmbeddedPostgreSql.start(servers.resolve("postgresql"), freePort())) {
            System.out.printf("   MariaDB on %s:%d, PostgreSQL on %s:%d (%.1f s)%n", my.host(), my.port(), pg.host(), pg.port(),
                    (System.nanoTime() - t0) / 1e9);
            my.recreateDatabase("shop");
            pg.recreateDatabase("shop");
            try (Connection c = my.connect("shop")) {
                SampleData.mariadbShop(c, orders);
            }
            System.out.println("   sample database 'shop' created in MariaDB (customers, products, orders, order_lines, audit_log)");
            ProjectConfig cfg = new ProjectConfig("demo-shop-to-postgresql",
                    new DataSourceConfig(DataSourceType.MARIADB, my.host(), my.port(), my.user(), my.password(), "shop", Map.of()),
                    new DataSourceConfig(DataSourceType.POSTGRESQL, pg.host(), pg.port(), pg.user(), pg.password(), "shop", Map.of()),
                    new TableSelection(List.of("shop.*"), List.of(), Map.of(), Map.of(), Map.of()),
                    List.of(Step.SCHEMA, Step.FULL), FullOptions.DEFAULT, List.of());
            Path projectFile = work.resolve("demo-project.yaml");
            Files.writeString(projectFile, ProjectFiles.toYamlWithoutSecrets(cfg));
            System.out.println("   project file (what you would write for your own databases): " + projectFile);
            try (MetaDb db = MetaDb.openEmbedded(work.resolve("metadb"), io.tideway.engine.Version.current())) {
                Engine.RunResult r = new Engine(db, work).run(cfg, ConsoleProgress.forStdout(), Engine.RunOptions.UNTIL_SYNCED);
                r.summaries().forEach(s -> System.out.println("   " + s));
            }
            System.out.println("== comparing every row of every table (source vs destination)");
            Endpoints ends = Endpoints.of(cfg);
            boolean equal = true;
            try (Connection c = ends.connectSource()) {
                for (TableMapper.MappedTable m : TableMapper.map(cfg, ends.sourceDialect(), c)) {
                    TableCompare.Result res = TableCompare.compare(ends, m);
                    System.out.println("   " + res.table() + " -> " + m.destination().id() + ": " + res.sourceRows() + " rows, "
                            + (res.equal() ? "equal" : "DIFFERENT: " + res));
                    equal &= res.equal();
                }
            }
            System.out.printf("tideway demo: %s in %.1f s. The servers stop now; rerun to see it again.%n",
                    equal ? "migration verified, every row equal" : "DIFFERENCES FOUND", (System.nanoTime() - t0) / 1e9);
            return equal ? 0 : 1;
        } finally {
            deleteTree(servers);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // best effort
        }
    }
}

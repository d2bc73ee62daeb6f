package io.tideway.demo;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.project.TableSelection;
import io.tideway.engine.CommandExtension;
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

/**
 * A real migration with nothing to set up: starts an embedded MariaDB and an embedded
 * PostgreSQL, fills a sample "shop" database, migrates it (precheck, schema, full copy,
 * incremental sync) while a writer changes the source, and compares every row of every table.
 * The CLI finds it through {@link CommandExtension}: the distribution ships this module, the CLI
 * does not compile against it.
 */
@Command(name = "demo", description = "Migrate a sample MariaDB database to PostgreSQL (both embedded and started here) while an"
        + " application writes to it, keep it in sync, and prove every row equal.")
public final class DemoCommand implements Callable<Integer>, CommandExtension {
    private Invocation invocation;

    @Option(names = "--orders", defaultValue = "100000", description = "Rows in the sample orders table (default: ${DEFAULT-VALUE}).")
    int orders;

    @Override
    public void prepare(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() throws Exception {
        Path work = invocation.dataDir().resolve("demo");
        // every demo starts new servers: the MetaDB, spool and capture positions of an earlier demo
        // belong to servers that are gone, so the demo's own directory starts empty
        if (Files.exists(work)) {
            deleteTree(work);
        }
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
                SampleData.mariadbSysbench(c, 20_000);
            }
            System.out.println("   sample database 'shop' created in MariaDB (customers, products, orders, order_lines, audit_log,"
                    + " sbtest1)");
            ProjectConfig cfg = new ProjectConfig("demo-shop-to-postgresql",
                    new DataSourceConfig(DataSourceType.fromId("mariadb"), my.host(), my.port(), my.user(), my.password(), "shop", Map.of()),
                    new DataSourceConfig(DataSourceType.fromId("postgresql"), pg.host(), pg.port(), pg.user(), pg.password(), "shop", Map.of()),
                    new TableSelection(List.of("shop.*"), List.of(), Map.of(), Map.of(), Map.of()),
                    List.of(Step.SCHEMA, Step.FULL, Step.INCREMENTAL), FullOptions.DEFAULT, List.of());
            Path projectFile = work.resolve("demo-project.yaml");
            Files.writeString(projectFile, ProjectFiles.toYamlWithoutSecrets(cfg));
            System.out.println("   project file (what you would write for your own databases): " + projectFile);
            Endpoints ends = Endpoints.of(cfg);
            try (MetaDb db = MetaDb.openEmbedded(work.resolve("metadb"), io.tideway.engine.Version.current())) {
                Engine engine = new Engine(db, work);
                java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
                Thread run = new Thread(() -> {
                    try {
                        Engine.RunResult r = engine.run(cfg, invocation.console(), Engine.RunOptions.FOREVER);
                        r.summaries().forEach(s -> System.out.println("   " + s));
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                }, "tideway-demo-run");
                run.start();
                // the application goes on writing while Tideway copies (from T0 on) and then syncs
                long until = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < until && failed.get() == null && run.isAlive()) {
                    var p = db.projects().find(cfg.name());
                    if (p.isPresent() && io.tideway.core.project.Lifecycle.State.of(db.projects().step(p.get().id(), "full").state())
                            != io.tideway.core.project.Lifecycle.State.NOT_STARTED) {
                        break;
                    }
                    Thread.sleep(200);
                }
                System.out.println("   (an application now writes to shop.sbtest1: inserts, updates, deletes, key changes, transactions)");
                long writes;
                try (io.tideway.test.ChangeWriter writer = new io.tideway.test.ChangeWriter(() -> {
                    try {
                        return my.connect("shop");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "sbtest1", 20_000, 300, 7).start()) {
                    Thread.sleep(8000);
                    writes = writer.changes();
                }
                System.out.println("   (the application stopped after " + writes + " changes; waiting for the destination to catch up)");
                waitEqual(ends, cfg, failed);
                engine.requestStop();
                run.join(60_000);
                if (failed.get() != null) {
                    Throwable t = failed.get();
                    throw t instanceof Exception e ? e : new IllegalStateException(t);
                }
            }
            System.out.println("== comparing every row of every table (source vs destination)");
            boolean equal = true;
            try (Connection c = ends.connectSource()) {
                for (TableMapper.MappedTable m : TableMapper.map(cfg, ends.sourceDialect(), c)) {
                    TableCompare.Result res = TableCompare.compare(ends, m, cfg.zeroDates());
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

    /** Waits (up to 2 minutes) until every table compares equal. */
    private static void waitEqual(Endpoints ends, ProjectConfig cfg, java.util.concurrent.atomic.AtomicReference<Throwable> failed)
            throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && failed.get() == null) {
            boolean equal = true;
            try (Connection c = ends.connectSource()) {
                for (TableMapper.MappedTable m : TableMapper.map(cfg, ends.sourceDialect(), c)) {
                    equal &= TableCompare.compare(ends, m, cfg.zeroDates()).equal();
                }
            }
            if (equal) {
                return;
            }
            Thread.sleep(1000);
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

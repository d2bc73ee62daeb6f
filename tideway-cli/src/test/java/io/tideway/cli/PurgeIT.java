package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source purges its binlog after changes were spooled but before they were applied: the
 * spool holds them, so a restarted Tideway applies them all.
 */
@ExtendWith(EmbeddedServers.class)
class PurgeIT {
    static final int ROWS = 5_000;

    @TempDir
    Path tmp;

    @Test
    void changesSpooledBeforeABinlogPurgeAreAllApplied() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), PurgeIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), PurgeIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        Path project = Projects.write(tmp, "purge", "name: purge\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data");
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Engine first = new Engine(db, data);
            Thread run = Runs.engine(first, cfg, failure);
            await().atMost(Duration.ofSeconds(120)).until(() -> state(db, "incremental").equals("MONITORING"));
            long pid = db.projects().find("purge").orElseThrow().id();
            // the Connector is paused; the Store goes on spooling
            assertThat(db.incremental().sendCommand(pid, "PAUSE")).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(db, "incremental").equals("PAUSED"));
            try (ChangeWriter w = new ChangeWriter(() -> connect(src), "sbtest1", ROWS, 400, 3).start()) {
                Thread.sleep(3000);
            }
            Thread.sleep(3000);   // the capture spools what was written
            try (Connection c = connect(src); Statement s = c.createStatement()) {
                s.execute("FLUSH BINARY LOGS");
                // the server keeps a log a reader is still on: retry until the capture has moved to the new one
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    s.execute("PURGE BINARY LOGS BEFORE NOW() + INTERVAL 1 SECOND");
                    int n = 0;
                    try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                        while (rs.next()) {
                            n++;
                        }
                    }
                    return n == 1;
                });
            }
            first.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
            // nothing of the changes was applied yet: the destination still differs
            Engine second = new Engine(db, data);
            Thread again = Runs.engine(second, cfg, failure);
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
            second.requestStop();
            again.join(60_000);
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void aLostSpoolStopsTheRunNamingWhatIsMissingInsteadOfSkippingItsChanges() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), PurgeIT.class, "lsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), PurgeIT.class, "ldst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, 200);
        }
        Path project = Projects.write(tmp, "lost", "name: lost\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("lost-data");
        Path spool = io.tideway.engine.incremental.Store.spoolDir(data, "lost");
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Engine first = new Engine(db, data);
            Thread run = Runs.engine(first, cfg, failure);
            await().atMost(Duration.ofSeconds(120)).until(() -> state(db, "lost", "incremental").equals("MONITORING"));
            try (Connection c = connect(src); Statement s = c.createStatement()) {
                s.execute("UPDATE sbtest1 SET k = k + 1 WHERE id <= 10");
            }
            // applied: the Connector's checkpoint is past the start of the spool
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(60));
            long pid = db.projects().find("lost").orElseThrow().id();
            assertThat(db.incremental().sendCommand(pid, "PAUSE")).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(db, "lost", "incremental").equals("PAUSED"));
            try (Connection c = connect(src); Statement s = c.createStatement()) {
                s.execute("UPDATE sbtest1 SET c = 'spooled, then lost' WHERE id BETWEEN 20 AND 69");
            }
            // captured and spooled while the Connector is paused
            await().atMost(Duration.ofSeconds(30)).until(() -> rowChangesIn(spool) >= 60);
            first.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
        }
        // the spool is lost (a disk, a moved data directory, another node)
        try (var files = java.nio.file.Files.walk(spool)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            LifecycleIT.Out rerun = LifecycleIT.Out.of(() -> Main.execute("--data-dir", data.toString(), "run",
                    project.toString(), "--until", "synced"));
            assertThat(rerun.exit()).as("attempt " + attempt + ": " + rerun).isNotZero();
            assertThat(rerun.err()).as("attempt " + attempt).contains(spool.toString(), "spool address 1:", "source position 000001:",
                    "lost with the spool", "put the spool directory back", "tideway release lost.yaml");
        }
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            assertThat(state(db, "lost", "incremental")).as("nothing is marked synced").isNotIn("MONITORING", "COMPLETED");
        }
        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + src + ".sbtest1 WHERE c = 'spooled, then lost'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the lost changes were not applied, and the run said so").isZero();
        }
    }

    private static long rowChangesIn(Path spool) throws Exception {
        long n = 0;
        try (io.tideway.engine.store.Spool.Reader r = new io.tideway.engine.store.Spool.Reader(spool,
                new io.tideway.engine.store.Spool.Address(1, 0))) {
            io.tideway.core.change.ChangeEvent e;
            while ((e = r.readOne()) != null) {
                if (e.op() == io.tideway.core.change.ChangeEvent.Op.UPDATE) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Connection connect(String db) {
        try {
            return EmbeddedServers.mariadb().connect(db);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String state(MetaDb db, String step) {
        return state(db, "purge", step);
    }

    private static String state(MetaDb db, String project, String step) {
        return db.projects().find(project).map(p -> db.projects().step(p.id(), step).state()).orElse("");
    }

}

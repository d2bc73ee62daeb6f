package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.Store;
import io.tideway.engine.store.Spool;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.Switchovers.SubStep;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward switchover and reverse sync with an application writing: the switchover process is killed
 * with SIGKILL at the start of the sub-steps {@link #killAt()} names, and each rerun resumes at the
 * sub-step it was killed in; once switched, the application writes to the destination and its
 * changes reach the source through the reverse sync; nothing Tideway applied is captured again (the
 * reverse spool holds only the application's changes); a final verification passes; a release drops
 * the captures' slots and the marker tables.
 */
@ExtendWith(EmbeddedServers.class)
abstract class AbstractSwitchoverIT {
    static final int ROWS = 3_000;
    /** The project of {@link #aSchemaWidePatternNeverCarriesTidewaysOwnMarkerTable}: slot names differ from the other test's. */
    private static final String WIDE = "wide";

    @TempDir
    Path tmp;

    abstract DataSourceType source();

    abstract DataSourceType destination();

    /** The sub-steps at whose start the switchover process is killed, in order. */
    abstract int[] killAt();

    /** Creates sbtest1 and orders (an auto-increment key, rows 1..3) in the source database. */
    abstract void fill(Connection source) throws SQLException;

    /** The application's name of a project table on the destination. */
    abstract String onDestination(String srcDb, String table);

    private Connection connectTo(DataSourceType type, String db) throws SQLException {
        return type == DataSourceType.fromId("postgresql") ? EmbeddedServers.postgres().connect(db) : EmbeddedServers.mariadb().connect(db);
    }

    private String fresh(DataSourceType type, String suffix) {
        return type == DataSourceType.fromId("postgresql") ? EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), suffix)
                : EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), suffix);
    }

    @Test
    void switchoverSurvivesKillsAndTheReverseSyncBringsTheApplicationsChangesBackWithoutLoops() throws Exception {
        String src = fresh(source(), "src");
        String dst = fresh(destination(), "dst");
        try (Connection c = connectTo(source(), src)) {
            fill(c);
        }
        Path project = Projects.write(tmp, "sw", "name: sw\n"
                + "source: " + Projects.endpoint(source(), src) + "\n"
                + "destination: " + Projects.endpoint(destination(), dst) + "\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { parallelism: 2, chunk-size: 2000 }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data");
        Supplier<Connection> source = () -> connect(() -> connectTo(source(), src));
        ChangeWriter app = new ChangeWriter(source, "sbtest1", ROWS, 150, 7);
        Process run = Runs.child(project, data, null, "384m");
        try {
            Thread.sleep(1500);
            app.start();
            awaitStep(data, run, "incremental", "MONITORING");
            // without a terminal to ask on, a switchover needs --yes; without a passed verification its precheck
            // refuses, saying what to do (the failed sub-step is retried by the next switchover)
            LifecycleIT.Out noTerminal = LifecycleIT.Out.of(() -> Main.execute("--data-dir", data.toString(), "switchover",
                    project.toString()));
            assertThat(noTerminal.exit()).as(noTerminal.toString()).isEqualTo(2);
            assertThat(noTerminal.err()).contains("--yes");
            LifecycleIT.Out unverified = LifecycleIT.Out.of(() -> Main.execute("--data-dir", data.toString(), "switchover",
                    project.toString(), "--yes"));
            assertThat(unverified.exit()).as(unverified.toString()).isEqualTo(1);
            assertThat(unverified.err()).contains("sub-step 1 (precheck) failed", "tideway verify", "--waive-verify");
            assertThat(subSteps(data)).singleElement().extracting(SubStep::state).isEqualTo("FAILED");
            // verification passes while the application writes and the sync runs (the switchover's precheck wants it)
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
            // a verification older than the full copy compared other data: it does not count
            Path report = data.resolve("verify").resolve("sw").resolve("report.json");
            java.nio.file.attribute.FileTime verifiedAt = java.nio.file.Files.getLastModifiedTime(report);
            java.nio.file.Files.setLastModifiedTime(report, java.nio.file.attribute.FileTime.fromMillis(0));
            LifecycleIT.Out stale = LifecycleIT.Out.of(() -> Main.execute("--data-dir", data.toString(), "switchover",
                    project.toString(), "--yes"));
            assertThat(stale.exit()).as(stale.toString()).isEqualTo(1);
            assertThat(stale.err()).contains("is older than the full copy", "tideway verify");
            java.nio.file.Files.setLastModifiedTime(report, verifiedAt);

            // the application keeps writing to the source; rows with auto-increment keys arrive during the sync
            try (Connection c = source.get(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO orders (note) VALUES ('d'), ('e')");
            }

            // killed at the start of the sub-steps killAt() names; each rerun resumes where the last one stopped
            boolean appStopped = false;
            for (int killAt : killAt()) {
                Process sw = Runs.command(data, "switchover." + killAt + ":1", "256m", "switchover", project.toString(),
                        "--yes", "--quiet", "3");
                if (killAt > 3 && !appStopped) {
                    appStopped = stopApplicationAtSubStep3(data, sw, app);
                }
                assertThat(sw.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(sw.exitValue()).as("killed at sub-step " + killAt + "; output:\n" + Runs.output(sw)).isEqualTo(137);
                List<SubStep> steps = subSteps(data);
                assertThat(steps).hasSize(killAt);
                for (SubStep s : steps) {
                    assertThat(s.state()).as("sub-step " + s.number() + " after the kill at " + killAt + ": " + s.error())
                            .isEqualTo(s.number() < killAt ? "COMPLETED" : "RUNNING");
                }
                assertThat(run.isAlive()).as("the run process lives on; output:\n" + Runs.output(run)).isTrue();
            }
            Process last = Runs.command(data, null, "256m", "switchover", project.toString(), "--yes", "--quiet", "3");
            if (!appStopped) {
                stopApplicationAtSubStep3(data, last, app);
            }
            assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = Runs.output(last);
            assertThat(last.exitValue()).as(out).isZero();
            assertThat(out).contains("switchover 7/8 reverse-started:", "rows verified equal before the switch", "writes frozen for");
            for (int k : killAt()) {
                // a kill at sub-step 1 (the precheck, which writes nothing) leaves nothing done: the next run starts it again
                if (k > 1) {
                    assertThat(out).as("resumed after the kill at sub-step " + k).contains("switchover " + (k - 1) + "/8 "
                            + io.tideway.engine.Switchover.STEPS.get(k - 2) + ": done before");
                }
            }
            List<SubStep> done = subSteps(data);
            assertThat(done).hasSize(8).allMatch(s -> "COMPLETED".equals(s.state()));
            long stoppedIn = new com.fasterxml.jackson.databind.ObjectMapper().readTree(done.get(4).detailJson())
                    .path("stoppedInMillis").asLong(-1);
            assertThat(stoppedIn).as("how long the running process took to stop its forward apply").isBetween(0L, 5000L);
            awaitStep(data, run, Direction.REVERSE.stepId(), "MONITORING", "RUNNING");

            // the application now writes to the destination; the reverse sync brings its changes to the source
            Supplier<Connection> destination = () -> connect(() -> connectTo(destination(), dst));
            int maxId;
            try (Connection c = destination.get(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT max(id) FROM " + onDestination(src, "sbtest1"))) {
                rs.next();
                maxId = rs.getInt(1);
                // the destination numbers its own rows after the keys Tideway wrote (sub-step 6 where needed)
                st.execute("INSERT INTO " + onDestination(src, "orders") + " (note) VALUES ('after the switch')");
            }
            ChangeWriter onDestination = new ChangeWriter(destination, onDestination(src, "sbtest1"), maxId, 150, 8);
            onDestination.start();
            Thread.sleep(2000);
            // verification while the application writes to the destination and the reverse sync applies its changes
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString()))
                    .as("verify beside the reverse sync").isZero();
            Thread.sleep(1000);
            onDestination.close();
            assertThat(onDestination.changes()).isGreaterThan(200);
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    assertThat(run.isAlive()).as(Runs.output(run)).isTrue();
                    Runs.assertEqualNow(cfg, 2);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                printSpooledChangesOfMissingRow(e.getMessage(), data);
                System.out.println("the run's output:\n" + Runs.output(run));
                throw e;
            }
            try (Connection c = source.get(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE note = 'after the switch' AND id = 6")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the destination numbered its row after the copied keys").isEqualTo(1);
            }
            // no loop: the reverse spool holds the application's changes on the destination only, none of the
            // changes the forward sync applied there between sub-steps 2 and 5
            long reverseChanges = changesIn(Store.spoolDir(data, "sw", Direction.REVERSE));
            assertThat(reverseChanges).isPositive().isLessThanOrEqualTo(onDestination.changes() + 1);
            // and the values stay put: nothing moves once the writers stopped
            Thread.sleep(2000);
            Runs.assertEqualNow(cfg, 2);
            assertThat(changesIn(Store.spoolDir(data, "sw", Direction.REVERSE))).isEqualTo(reverseChanges);
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
            assertThat(run.isAlive()).as(Runs.output(run)).isTrue();
        } finally {
            try {
                app.close();
            } catch (IllegalStateException ignored) {
                // closed before
            }
            run.destroy();
            run.waitFor(60, TimeUnit.SECONDS);
        }
        // a release drops the captures' slots and publications (PostgreSQL) and the marker tables
        assertThat(Main.execute("--data-dir", data.toString(), "release", project.toString())).isZero();
        String pgDb = source() == DataSourceType.fromId("postgresql") ? src : dst;
        String myDb = source() == DataSourceType.fromId("postgresql") ? dst : src;
        try (Connection c = EmbeddedServers.postgres().connect(pgDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'tideway_sw%'),"
                     + " (SELECT count(*) FROM pg_tables WHERE tablename = 'tideway_apply_marker')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("slots left").isZero();
            assertThat(rs.getInt(2)).as("marker tables left on PostgreSQL").isZero();
        }
        try (Connection c = EmbeddedServers.mariadb().connect(myDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + myDb
                     + "' AND table_name = 'tideway_apply_marker'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("marker tables left on MariaDB").isZero();
        }
    }

    /**
     * The common project file: the tables chosen by a pattern over the whole source schema, which also covers the
     * name of the marker table the reverse sync writes on the source. With no application writing, the source goes
     * quiet (sub-step 3 passes), the forward lag stays near zero and the forward capture spools no row change: no
     * marker row is passed back and forth between the two directions.
     */
    @Test
    void aSchemaWidePatternNeverCarriesTidewaysOwnMarkerTable() throws Exception {
        String src = fresh(source(), "wsrc");
        String dst = fresh(destination(), "wdst");
        try (Connection c = connectTo(source(), src)) {
            fill(c);
        }
        String schema = source() == DataSourceType.fromId("postgresql") ? "public" : src;
        Path project = Projects.write(tmp, WIDE, "name: " + WIDE + "\n"
                + "source: " + Projects.endpoint(source(), src) + "\n"
                + "destination: " + Projects.endpoint(destination(), dst) + "\n"
                + "tables: { include: [\"" + schema + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        Path data = tmp.resolve("wide");
        Process run = Runs.child(project, data, null, "384m");
        try {
            awaitProjectStep(data, run, WIDE, "incremental", "MONITORING");
            long rowChangesBefore = rowChangesIn(Store.spoolDir(data, WIDE, Direction.FORWARD));
            Process sw = Runs.command(data, null, "256m", "switchover", project.toString(), "--yes", "--quiet", "5",
                    "--wait", "60", "--waive-verify", "test");
            long maxLag = 0;
            while (sw.isAlive()) {
                try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                    JsonNode p = progressOf(db, Direction.FORWARD.stepId());
                    if (p != null && subSteps(data, WIDE).stream().noneMatch(s -> s.number() >= 5)) {
                        maxLag = Math.max(maxLag, p.path("lagMillis").asLong(0));
                    }
                }
                sw.waitFor(500, TimeUnit.MILLISECONDS);
            }
            String out = Runs.output(sw);
            assertThat(sw.exitValue()).as(out).isZero();
            assertThat(out).contains("switchover 3/8 source-writes-stopped:", "switchover 8/8 report:");
            assertThat(maxLag).as("forward lag during the switchover, with nothing written; output:\n" + out)
                    .isLessThan(5_000);
            assertThat(rowChangesIn(Store.spoolDir(data, WIDE, Direction.FORWARD))).as("row changes spooled by the forward"
                    + " capture during the switchover").isEqualTo(rowChangesBefore);
            awaitProjectStep(data, run, WIDE, Direction.REVERSE.stepId(), "MONITORING", "RUNNING");
            // the application writes to the destination: its changes reach the source once, and nothing comes back
            try (Connection c = connectTo(destination(), dst); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + onDestination(schema, "orders") + " (note) VALUES ('after the switch')");
            }
            ProjectConfig cfg = ProjectFiles.load(project);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> Runs.assertEqualNow(cfg, 2));
            Thread.sleep(3000);
            assertThat(rowChangesIn(Store.spoolDir(data, WIDE, Direction.REVERSE))).as("row changes the reverse capture spooled")
                    .isEqualTo(1);
            // only the project's tables were created and compared: no marker table was carried as a user table
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
            String report = java.nio.file.Files.readString(data.resolve("verify").resolve(WIDE).resolve("report.json"));
            assertThat(report).doesNotContain(io.tideway.core.change.ApplyMarker.TABLE);
        } finally {
            run.destroy();
            run.waitFor(60, TimeUnit.SECONDS);
            // the slots' names are the server's: drop them for the other tests
            Main.execute("--data-dir", data.toString(), "release", project.toString());
        }
    }

    private static JsonNode progressOf(MetaDb db, String step) throws Exception {
        var p = db.projects().find(WIDE);
        if (p.isEmpty()) {
            return null;
        }
        var rec = db.projects().step(p.get().id(), step);
        return rec == null || rec.progressJson() == null ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(rec.progressJson());
    }

    private static long rowChangesIn(Path spool) throws Exception {
        if (!java.nio.file.Files.isDirectory(spool)) {
            return 0;
        }
        long n = 0;
        try (Spool.Reader r = new Spool.Reader(spool, new Spool.Address(1, 0))) {
            ChangeEvent e;
            while ((e = r.readOne()) != null) {
                if (e.op() == ChangeEvent.Op.INSERT || e.op() == ChangeEvent.Op.UPDATE || e.op() == ChangeEvent.Op.DELETE) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The application stops writing to the source once sub-step 3 asks (after the reverse capture's position is fixed). */
    private static boolean stopApplicationAtSubStep3(Path data, Process sw, ChangeWriter app) throws InterruptedException {
        awaitSubStep(data, sw, 3, "RUNNING");
        Thread.sleep(1000);
        app.close();
        return true;
    }

    private static void awaitSubStep(Path data, Process sw, int n, String state) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertThat(sw.isAlive()).as("the switchover died: " + Runs.output(sw)).isTrue();
            return subSteps(data).stream().anyMatch(s -> s.number() == n && state.equals(s.state()));
        });
    }

    /** On a failure: what both spools hold about the first row a comparison found missing ("e.g. [id|"). */
    private static void printSpooledChangesOfMissingRow(String message, Path data) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("e\\.g\\. \\[(\\d+)\\|").matcher(message);
        if (!m.find()) {
            return;
        }
        String id = m.group(1);
        for (Direction d : Direction.values()) {
            try (Spool.Reader r = new Spool.Reader(Store.spoolDir(data, "sw", d), new Spool.Address(1, 0))) {
                ChangeEvent ev;
                while ((ev = r.readOne()) != null) {
                    boolean hit = (ev.before() != null && id.equals(String.valueOf(ev.before()[0])))
                            || (ev.after() != null && id.equals(String.valueOf(ev.after()[0])));
                    if (hit) {
                        System.out.println("spooled " + d + " " + ev.op() + " at " + ev.position() + ": before "
                                + java.util.Arrays.toString(ev.before()) + ", after " + java.util.Arrays.toString(ev.after()));
                    }
                }
            }
        }
    }

    private static long changesIn(Path spool) throws Exception {
        long n = 0;
        try (Spool.Reader r = new Spool.Reader(spool, new Spool.Address(1, 0))) {
            ChangeEvent e;
            while ((e = r.readOne()) != null) {
                if (e.op() != ChangeEvent.Op.HEARTBEAT) {
                    n++;
                }
            }
        }
        return n;
    }

    private static List<SubStep> subSteps(Path data) {
        return subSteps(data, "sw");
    }

    private static List<SubStep> subSteps(Path data, String project) {
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            return db.switchovers().steps(db.projects().find(project).orElseThrow().id());
        }
    }

    private static void awaitStep(Path data, Process run, String step, String... states) {
        awaitProjectStep(data, run, "sw", step, states);
    }

    private static void awaitProjectStep(Path data, Process run, String project, String step, String... states) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(run.isAlive()).as("the run process died: " + Runs.output(run)).isTrue();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                var p = db.projects().find(project);
                return p.isPresent() && List.of(states).contains(db.projects().step(p.get().id(), step).state());
            }
        });
    }

    interface SqlConnect {
        Connection get() throws SQLException;
    }

    private static Connection connect(SqlConnect c) {
        try {
            return c.get();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

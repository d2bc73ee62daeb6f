package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.DataSourceType;
import io.tideway.engine.Version;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.StepRecord;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification while the application writes and incremental sync applies its changes: rows
 * that differ only because their change is in flight are read again until they agree, so
 * neither the project's verify step nor `tideway verify` run beside it reports a difference.
 */
@ExtendWith(EmbeddedServers.class)
class VerifyWhileSyncingIT {
    static final int ROWS = 20_000;

    @TempDir
    Path tmp;

    @Test
    void aSourceWrittenToDuringSyncShowsNoFalseDifference() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), VerifyWhileSyncingIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), VerifyWhileSyncingIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        Path project = Projects.write(tmp, "busy", "name: busy\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental, verify]\n"
                + "full: { parallelism: 2, chunk-size: 2000 }\n"
                + "verify: { recheck-rounds: 3, recheck-interval: 2 }\n");
        Path data = tmp.resolve("data");
        ChangeWriter writer = new ChangeWriter(() -> {
            try {
                return EmbeddedServers.mariadb().connect(src);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", ROWS, 300, 11);
        Process child = Runs.child(project, data, null, "384m");
        try {
            // the application writes from before the copy until the end
            Thread.sleep(1500);
            writer.start();
            AtomicReference<StepRecord> verify = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertThat(child.isAlive()).as("the running process died: " + Runs.output(child)).isTrue();
                try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                    db.projects().find("busy").ifPresent(p -> verify.set(db.projects().step(p.id(), "verify")));
                }
                return verify.get() != null && ("COMPLETED".equals(verify.get().state()) || "FAILED".equals(verify.get().state()));
            });
            assertThat(verify.get().state()).as(verify.get().error() + "\n" + Runs.output(child)).isEqualTo("COMPLETED");
            assertThat(writer.changes()).as("changes written before the verify step ended").isGreaterThan(1000);

            // `tideway verify` beside the running project, with the writer still writing
            long before = writer.changes();
            int exit = Main.execute("--data-dir", data.toString(), "verify", project.toString());
            assertThat(exit).as("verify exit code").isZero();
            assertThat(writer.changes() - before).as("changes written while verifying").isGreaterThan(300);
            JsonNode report = new ObjectMapper().readTree(data.resolve("verify").resolve("busy").resolve("report.json").toFile());
            assertThat(report.get("equal").asBoolean()).isTrue();
            assertThat(report.get("rowsCompared").asLong()).isGreaterThan(ROWS / 2);
            assertThat(child.isAlive()).as(Runs.output(child)).isTrue();
        } finally {
            writer.close();
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
        // the writer stopped: a run until synced catches up, verifies again and exits 0
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project));
    }

    @Test
    void rowsStillInFlightWhenTheRechecksEndAreReportedUnconfirmedWithoutCorrectionSql() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), VerifyWhileSyncingIT.class, "psrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), VerifyWhileSyncingIT.class, "pdst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, 500);
        }
        Path project = Projects.write(tmp, "held", "name: held\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n"
                + "verify: { recheck-rounds: 2, recheck-interval: 1 }\n");
        Path data = tmp.resolve("held-data");
        Path out = data.resolve("verify").resolve("held");
        Process child = Runs.child(project, data, null, "384m");
        try {
            awaitStep(data, child, "MONITORING");
            // the sync is held back (paused) while the application writes: its changes are in flight
            assertThat(Main.execute("--data-dir", data.toString(), "pause", project.toString())).isZero();
            awaitStep(data, child, "PAUSED");
            try (Connection c = EmbeddedServers.mariadb().connect(src); java.sql.Statement st = c.createStatement()) {
                st.execute("UPDATE sbtest1 SET c = 'in flight' WHERE id <= 20");
            }
            LifecycleIT.Out held = LifecycleIT.Out.of(() -> Main.execute("--data-dir", data.toString(), "verify", project.toString()));
            assertThat(held.exit()).as(held.toString()).isEqualTo(3);
            assertThat(held.out()).contains("20 rows in 1 table not confirmed: changes in flight", "the sync is paused",
                    "run again when the lag is low").doesNotContain("correction SQL for");
            JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
            assertThat(report.get("equal").asBoolean()).isFalse();
            assertThat(report.get("unconfirmed").asBoolean()).isTrue();
            assertThat(report.at("/inFlight/syncState").asText()).isEqualTo("PAUSED");
            JsonNode table = report.get("tables").get(0);
            assertThat(table.get("unconfirmed").asBoolean()).isTrue();
            assertThat(table.get("different").asLong()).isEqualTo(20);
            assertThat(table.get("correctionSql").isNull()).isTrue();
            try (var files = java.nio.file.Files.list(out)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no correction SQL").containsExactly("report.json");
            }
            // once the sync has caught up, the same rows are equal
            assertThat(Main.execute("--data-dir", data.toString(), "resume", project.toString())).isZero();
            awaitStep(data, child, "MONITORING");
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theVerifyStepOfARunUntilSyncedDoesNotPassOnRowsItCouldNotConfirm() throws Exception {
        // chunk after chunk: the rows of the last chunk are written while the sync is paused, and read different
        runUntilSyncedPausedWhileVerifying("r", 3000, "full: { parallelism: 1, chunk-size: 500 }\n", "id > 2950",
                "not confirmed", "RUNNING");
    }

    @Test
    void aRunUntilSyncedDoesNotEndWhileAPausedSyncHoldsChangesBackAfterAPassedVerification() throws Exception {
        // one chunk, read as it was when its reading began: the verification passes, the changes are still held back
        runUntilSyncedPausedWhileVerifying("e", 1500, "", "id > 1450", "to catch up before the run ends synced", "COMPLETED");
    }

    /**
     * `run --until synced` of a project with a verify step comparing at 300 rows/s: once it compares, the sync is
     * paused and rows matching {@code where} written; the run prints {@code held} and goes on running with the verify
     * step in state {@code verifyState}; once resumed it ends synced, the destination equal to the source.
     */
    private void runUntilSyncedPausedWhileVerifying(String name, int rows, String full, String where, String held,
                                                     String verifyState) throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), VerifyWhileSyncingIT.class, name + "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), VerifyWhileSyncingIT.class, name + "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, rows);
        }
        Path project = Projects.write(tmp.resolve(name), "held", "name: held\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental, verify]\n" + full
                + "verify: { recheck-rounds: 1, recheck-interval: 1, throttle-rows: 300 }\n");
        Path data = tmp.resolve(name).resolve("data");
        Process child = Runs.command(data, null, "384m", "run", project.toString(), "--until", "synced");
        try {
            // the verify step compares (it first waited for the lag to fall under its threshold)
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> java.util.regex.Pattern.compile("verify: \\d+ chunks in 1 tables").matcher(Runs.output(child)).find());
            assertThat(Main.execute("--data-dir", data.toString(), "pause", project.toString())).isZero();
            awaitStep(data, child, "incremental", "PAUSED");
            try (Connection c = EmbeddedServers.mariadb().connect(src); java.sql.Statement st = c.createStatement()) {
                st.execute("UPDATE sbtest1 SET c = 'in flight' WHERE " + where);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(Runs.output(child)).contains(held));
            Thread.sleep(3000);
            assertThat(child.isAlive()).as("the run does not end with changes held back:\n" + Runs.output(child)).isTrue();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                assertThat(db.projects().step(db.projects().find("held").orElseThrow().id(), "verify").state()).isEqualTo(verifyState);
            }
            // once the sync has caught up, the run ends synced
            assertThat(Main.execute("--data-dir", data.toString(), "resume", project.toString())).isZero();
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Runs.output(child)).isZero();
            Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project));
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static void awaitStep(Path data, Process child, String state) {
        awaitStep(data, child, "incremental", state);
    }

    private static void awaitStep(Path data, Process child, String step, String state) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(child.isAlive()).as("the running process died: " + Runs.output(child)).isTrue();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                return db.projects().find("held").map(p -> db.projects().step(p.id(), step) != null
                        && state.equals(db.projects().step(p.id(), step).state())).orElse(false);
            }
        });
    }
}

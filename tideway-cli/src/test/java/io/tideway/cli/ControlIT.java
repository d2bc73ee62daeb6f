package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running project controlled from a second shell, and crashes of the apply side: a second
 * `tideway run` is refused naming the first; `status` shows it; `pause` and `resume` are obeyed
 * within seconds; a process halted between a destination commit and its checkpoint, and one
 * killed with SIGKILL while applying, lose nothing when run again.
 */
@ExtendWith(EmbeddedServers.class)
class ControlIT {
    static final int ROWS = 20_000;

    @TempDir
    Path tmp;

    @Test
    void aRunningProjectIsControlledFromAnotherProcessAndSurvivesCrashesWhileApplying() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), ControlIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), ControlIT.class, "dst");
        try (Connection c = EmbeddedServers.postgres().connect(src)) {
            SampleData.postgresSysbench(c, ROWS);
        }
        Path project = Projects.write(tmp, "ctl", "name: ctl\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data");
        String d = data.toString();

        // 1. a first run in another process keeps syncing
        Process child = Runs.child(project, data, null, "384m");
        awaitStep(data, "incremental", "MONITORING", child);

        // 2. a second run is refused, naming the first
        BadOutput second = capture(() -> Main.execute("--data-dir", d, "run", project.toString()));
        assertThat(second.exit).isEqualTo(2);
        assertThat(second.err).contains("already running in").contains(":" + child.pid());

        // 3. status, pause, resume
        BadOutput status = capture(() -> Main.execute("--data-dir", d, "status", project.toString()));
        assertThat(status.exit).isZero();
        assertThat(status.out).contains("incremental").contains("MONITORING").contains("lagMillis");
        BadOutput json = capture(() -> Main.execute("--data-dir", d, "status", project.toString(), "--json"));
        assertThat(json.exit).isZero();
        com.fasterxml.jackson.databind.JsonNode st = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out);
        assertThat(st.get("project").asText()).isEqualTo("ctl");
        assertThat(st.get("run").get("live").asBoolean()).isTrue();
        assertThat(st.get("lagMillis").isNumber()).as(json.out).isTrue();
        com.fasterxml.jackson.databind.JsonNode incremental = null;
        for (var step : st.get("steps")) {
            if (step.get("step").asText().equals("incremental")) {
                incremental = step;
            }
        }
        assertThat(incremental.get("state").asText()).isEqualTo("MONITORING");
        assertThat(incremental.get("progress").get("unit").asText()).isEqualTo("changes");
        assertThat(st.get("components").findValuesAsText("id")).contains("ctl.store.forward", "ctl.connector.forward");
        assertThat(st.get("tables").size()).isPositive();
        assertThat(Main.execute("--data-dir", d, "pause", project.toString())).isZero();
        awaitStep(data, "incremental", "PAUSED", child);
        ChangeWriter writer = writer(src).start();
        Thread.sleep(2000);
        writer.close();
        assertThat(Main.execute("--data-dir", d, "resume", project.toString())).isZero();
        Runs.awaitEqual(ProjectFiles.load(project), new java.util.concurrent.atomic.AtomicReference<>(), Duration.ofSeconds(120));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // 4. halted right after a destination commit, before its checkpoint; then SIGKILL while applying
        try (ChangeWriter w = writer(src).start()) {
            Thread.sleep(1500);
            Process halted = Runs.child(project, data, "apply.after-commit:3", "384m");
            assertThat(halted.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(halted.exitValue()).as(Runs.output(halted)).isEqualTo(137);
            Process killed = Runs.child(project, data, null, "384m");
            Thread.sleep(4000);
            killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // a synced run has applied what the source committed more than the lag threshold (5 s) before it ends
        Thread.sleep(5_000);
        assertThat(Main.execute("--data-dir", d, "run", project.toString(), "--until", "synced")).isZero();
        try {
            Runs.assertEqualNow(ProjectFiles.load(project));
        } catch (AssertionError e) {
            // which positions the run believed it had reached, beside what is missing
            BadOutput after = capture(() -> Main.execute("--data-dir", d, "status", project.toString(), "--json"));
            throw new AssertionError("`run --until synced` ended synced, but the destination lacks changes written before"
                    + " it started: " + e.getMessage() + "\nstatus after the run: " + after.out, e);
        }
    }

    private int writers;

    /** Each writer inserts above the ids an earlier one may have used. */
    private ChangeWriter writer(String src) {
        int base = ROWS + 1_000_000 * writers++;
        return new ChangeWriter(() -> {
            try {
                return EmbeddedServers.postgres().connect(src);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", base, 300, System.nanoTime());
    }

    record BadOutput(int exit, String out, String err) { }

    private static BadOutput capture(java.util.function.IntSupplier run) {
        var oldOut = System.out;
        var oldErr = System.err;
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true));
        System.setErr(new java.io.PrintStream(err, true));
        try {
            int exit = run.getAsInt();
            return new BadOutput(exit, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void awaitStep(Path data, String step, String state, Process child) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(child.isAlive()).as("the running process died: " + Runs.output(child)).isTrue();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                return db.projects().find("ctl").map(p -> db.projects().step(p.id(), step).state()).orElse("").equals(state);
            }
        });
    }

}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * SIGTERM of a syncing `tideway run` while the application writes: the process stops cleanly (its
 * step is not failed, its MetaDB is still open for the final checkpoint), and the next run
 * continues from there to a destination equal to the source.
 */
@ExtendWith(EmbeddedServers.class)
class StopIT {
    static final int ROWS = 3_000;

    @TempDir
    Path tmp;

    @Test
    void sigtermStopsCleanlyAndTheNextRunContinues() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), StopIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), StopIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        Path project = Projects.write(tmp, "stop", "name: stop\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data");
        Process child = Runs.child(project, data, null, "256m");
        try (ChangeWriter writer = new ChangeWriter(() -> {
            try {
                return EmbeddedServers.mariadb().connect(src);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", ROWS, 300, 7)) {
            AtomicReference<StepRecord> step = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertThat(child.isAlive()).as("the running process died: " + Runs.output(child)).isTrue();
                try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                    db.projects().find("stop").ifPresent(p -> step.set(db.projects().step(p.id(), "incremental")));
                }
                return step.get() != null && "MONITORING".equals(step.get().state());
            });
            writer.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.changes() > 600);
            child.destroy();   // SIGTERM, the application still writing
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        } finally {
            child.destroyForcibly();
        }
        String out = Runs.output(child);
        assertThat(out).as(out).contains("tideway: project stop stopped").doesNotContain("failed").doesNotContain("FAILED");
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            long pid = db.projects().find("stop").orElseThrow().id();
            assertThat(db.projects().step(pid, "incremental").state()).as(out).isNotEqualTo("FAILED");
        }
        // the writer has stopped: the next run picks up where the stopped one left off
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project));
    }
}

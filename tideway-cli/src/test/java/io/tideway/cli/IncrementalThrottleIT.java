package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code incremental.throttle-rows} and {@code incremental.parallelism}: changes written while
 * Tideway is stopped are applied no faster than the throttle allows, by the lanes asked for, and
 * the destination ends equal to the source.
 */
@ExtendWith(EmbeddedServers.class)
class IncrementalThrottleIT {
    static final int CHANGES = 5_000;
    static final int RATE = 500;

    @TempDir
    Path tmp;

    @Test
    void theConnectorKeepsUnderItsThrottle() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), IncrementalThrottleIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), IncrementalThrottleIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
            st.execute("INSERT INTO t SELECT seq, 0 FROM seq_1_to_100");
        }
        Path project = Projects.write(tmp, "throttle", "name: throttle\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n"
                + "incremental: { parallelism: 3, throttle-rows: " + RATE + " }\n");
        Path data = tmp.resolve("data");
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();

        // written while Tideway is stopped: all of them wait in the source's log
        try (Connection c = EmbeddedServers.mariadb().connect(src);
             PreparedStatement upd = c.prepareStatement("UPDATE t SET v = v + 1 WHERE id = ?")) {
            for (int i = 0; i < CHANGES; i++) {
                upd.setInt(1, 1 + i % 100);
                upd.executeUpdate();
            }
        }
        long start = System.nanoTime();
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        double seconds = (System.nanoTime() - start) / 1e9;
        // 5,000 changes at 500/s: 10 s, less the one second's worth the throttle lets through at once (unthrottled,
        // the whole run with its capture start takes about half of that)
        assertThat(seconds).as("the catch-up of %d changes at %d/s", CHANGES, RATE).isGreaterThan(8.5);
        Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project));
    }
}

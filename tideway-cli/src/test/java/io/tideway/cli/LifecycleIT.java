package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project lifecycle from the command line: a failed step is retried once the cause is fixed;
 * a skipped step shows its reason and a later step warns; a released project has its capture
 * dropped on the source and its spool deleted, and cannot run again.
 */
@ExtendWith(EmbeddedServers.class)
class LifecycleIT {
    @TempDir
    Path tmp;

    @Test
    void aFailedStepIsRetriedAfterTheDestinationIsFixed() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), LifecycleIT.class, "retry_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), LifecycleIT.class, "retry_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items VALUES (1, 'same'), (2, 'same'), (3, 'other')");
        }
        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + src);
            s.execute("CREATE TABLE " + src + ".items (id integer PRIMARY KEY, name varchar(20))");
            s.execute("CREATE UNIQUE INDEX items_name_uq ON " + src + ".items (name)");
        }
        Path project = Projects.write(tmp, "retry", "name: retry\nsource: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src)
                + "\ndestination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\nsteps: [schema, full]\n");
        String d = tmp.resolve("data").toString();

        Out run = Out.of(() -> Main.execute("--data-dir", d, "run", project.toString()));
        assertThat(run.exit).as(run.toString()).isEqualTo(1);
        assertThat(status(d, project).out).containsPattern("full\\s+FAILED");

        Out notFailed = Out.of(() -> Main.execute("--data-dir", d, "retry", project.toString(), "schema"));
        assertThat(notFailed.exit).isEqualTo(2);
        assertThat(notFailed.err).contains("step schema of project retry is COMPLETED, not FAILED");

        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement()) {
            s.execute("DROP INDEX " + src + ".items_name_uq");
        }
        Out retry = Out.of(() -> Main.execute("--data-dir", d, "retry", project.toString()));
        assertThat(retry.exit).as(retry.toString()).isZero();
        assertThat(retry.out).contains("full of project retry will run again");
        assertThat(status(d, project).out).containsPattern("full\\s+NOT_STARTED");
        Out again = Out.of(() -> Main.execute("--data-dir", d, "run", project.toString()));
        assertThat(again.exit).as(again.toString()).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project));
        assertThat(status(d, project).out).contains("project retry: COMPLETED").containsPattern("full\\s+COMPLETED");

        Out nothing = Out.of(() -> Main.execute("--data-dir", d, "retry", project.toString()));
        assertThat(nothing.exit).isEqualTo(2);
        assertThat(nothing.err).contains("project retry has no FAILED step to retry");
    }

    @Test
    void aSkippedFullCopyShowsItsReasonWarnsTheIncrementalAndAReleasedProjectCannotRun() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), LifecycleIT.class, "skip_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), LifecycleIT.class, "skip_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items VALUES (1, 'before')");
        }
        Path project = Projects.write(tmp, "skip", "name: skip\nsource: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src)
                + "\ndestination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\nsteps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data");
        String d = data.toString();

        Out noReason = Out.of(() -> Main.execute("--data-dir", d, "skip", project.toString(), "full"));
        assertThat(noReason.exit).isEqualTo(2);
        Out skip = Out.of(() -> Main.execute("--data-dir", d, "skip", project.toString(), "full", "--reason",
                "rows restored from last night's backup"));
        assertThat(skip.exit).as(skip.toString()).isZero();
        assertThat(status(d, project).out).containsPattern("full\\s+SKIPPED")
                .contains("reason: rows restored from last night's backup");

        Out run = Out.of(() -> Main.execute("--data-dir", d, "run", "--until", "synced", project.toString()));
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out + run.err).contains("WARNING: the full copy was skipped")
                .contains("rows restored from last night's backup");
        try (Connection c = EmbeddedServers.postgres().connect(dst);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + src + ".items")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the skipped copy copied nothing").isZero();
        }
        Out skipDone = Out.of(() -> Main.execute("--data-dir", d, "skip", project.toString(), "schema", "--reason", "x"));
        assertThat(skipDone.exit).isEqualTo(2);
        assertThat(skipDone.err).contains("step schema of project skip is COMPLETED");

        assertThat(data.resolve("spool").resolve("skip")).exists();
        Out release = Out.of(() -> Main.execute("--data-dir", d, "release", project.toString()));
        assertThat(release.exit).as(release.toString()).isZero();
        assertThat(release.out).contains("project skip is RELEASED");
        assertThat(data.resolve("spool").resolve("skip")).doesNotExist();
        assertThat(status(d, project).out).contains("project skip: RELEASED").contains("reason: rows restored");

        Out refused = Out.of(() -> Main.execute("--data-dir", d, "run", project.toString()));
        assertThat(refused.exit).isEqualTo(2);
        assertThat(refused.err).contains("project skip was released").contains("cannot run again").contains("new name");
    }

    @Test
    void releaseDropsThePostgresSlotAndPublicationAndTheSpool() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), LifecycleIT.class, "rel_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), LifecycleIT.class, "rel_dst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id integer PRIMARY KEY, name varchar(20))");
            s.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')");
        }
        Path project = Projects.write(tmp, "relpg", "name: relpg\nsource: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src)
                + "\ndestination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\nsteps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data");
        String d = data.toString();
        Out run = Out.of(() -> Main.execute("--data-dir", d, "run", "--until", "synced", project.toString()));
        assertThat(run.exit).as(run.toString()).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project));
        assertThat(count(src, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'tideway_relpg%'")).isEqualTo(1);

        Out pause = Out.of(() -> Main.execute("--data-dir", d, "pause", project.toString()));
        assertThat(pause.exit).isEqualTo(2);
        assertThat(pause.err).contains("project relpg is not running");
        Out resume = Out.of(() -> Main.execute("--data-dir", d, "resume", project.toString()));
        assertThat(resume.err).contains("resume applies only when it is PAUSED");

        Out release = Out.of(() -> Main.execute("--data-dir", d, "release", project.toString()));
        assertThat(release.exit).as(release.toString()).isZero();
        assertThat(release.out).contains("released on the source");
        assertThat(count(src, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'tideway_relpg%'")).isZero();
        assertThat(count(src, "SELECT count(*) FROM pg_publication WHERE pubname LIKE 'tideway_relpg%'")).isZero();
        assertThat(data.resolve("spool").resolve("relpg")).doesNotExist();
        Out refused = Out.of(() -> Main.execute("--data-dir", d, "run", "--until", "synced", project.toString()));
        assertThat(refused.exit).isEqualTo(2);
        assertThat(refused.err).contains("project relpg was released");
        Out twice = Out.of(() -> Main.execute("--data-dir", d, "release", project.toString()));
        assertThat(twice.exit).isZero();
        assertThat(twice.out).contains("already released");
    }

    private static int count(String pgDatabase, String sql) throws Exception {
        try (Connection c = EmbeddedServers.postgres().connect(pgDatabase); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Out status(String dataDir, Path project) {
        Out s = Out.of(() -> Main.execute("--data-dir", dataDir, "status", project.toString()));
        assertThat(s.exit).as(s.toString()).isZero();
        return s;
    }

    record Out(int exit, String out, String err) {
        static Out of(java.util.function.IntSupplier run) {
            var oldOut = System.out;
            var oldErr = System.err;
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            System.setOut(new java.io.PrintStream(out, true));
            System.setErr(new java.io.PrintStream(err, true));
            try {
                int exit = run.getAsInt();
                return new Out(exit, out.toString(), err.toString());
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }
}

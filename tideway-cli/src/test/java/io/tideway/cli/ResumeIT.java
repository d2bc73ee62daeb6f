package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and resume: a `tideway run` child process is killed with SIGKILL in the middle of the
 * full copy (and, with a fault point, right after a chunk's commit but before its checkpoint);
 * running the project again ends with the destination equal to the source: no missing and no
 * duplicate rows, in tables with integer keys, CHAR keys, composite keys and no key at all.
 */
@ExtendWith(EmbeddedServers.class)
class ResumeIT {
    @TempDir
    Path tmp;

    @Test
    void sigkillMidCopyThenRerunEndsEqual() throws Exception {
        Path project = prepare("kill", DataSourceType.fromId("postgresql"), "throttle-rows: 40000");
        Path data = tmp.resolve("data");
        String dstDb = "resumeit_kill_dst";
        Process child = Runs.child(project, data, null, "256m");
        // kill once a good part of the biggest table has arrived, well before the end
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.isAlive()) {
                return true;
            }
            return pgCount(dstDb, "sbtest1") >= 40_000;
        });
        assertThat(child.isAlive()).as("the child must still be copying when it is killed; output:\n" + Runs.output(child)).isTrue();
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long doneBefore = doneChunks(data, "it-kill");
        assertThat(doneBefore).as("some chunks were checkpointed before the kill").isPositive();

        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString())).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project), 6);
    }

    @Test
    void crashAfterACommitBeforeItsCheckpointThenRerunEndsEqual() throws Exception {
        Path project = prepare("fault", DataSourceType.fromId("mariadb"), "throttle-rows: 0");
        Path data = tmp.resolve("data");
        for (int n : new int[] {3, 12}) {
            Process child = Runs.child(project, data, "full.after-commit:" + n, "256m");
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("halted at the fault point; output:\n" + Runs.output(child)).isEqualTo(137);
        }
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString())).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project), 6);
    }

    /** MariaDB source with a 150k-row sysbench table and the shop; destination empty. */
    private Path prepare(String name, DataSourceType dst, String fullExtra) throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), ResumeIT.class, name + "_src");
        String dstDb = dst == DataSourceType.fromId("postgresql")
                ? EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), ResumeIT.class, name + "_dst")
                : EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), ResumeIT.class, name + "_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, 150_000);
            SampleData.mariadbShop(c, 20_000);
        }
        return Projects.write(tmp, name, "name: it-" + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(dst, dstDb) + "\n"
                + "steps: [schema, full]\n"
                + "full: { parallelism: 3, chunk-size: 4000, " + fullExtra + " }\n");
    }

    private static long pgCount(String db, String table) {
        try (Connection c = EmbeddedServers.postgres().connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.tables t WHERE t.table_name = '"
                     + table + "'")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return 0;
            }
            try (ResultSet r2 = c.createStatement().executeQuery("SELECT reltuples::bigint + (SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = '"
                    + table + "') FROM pg_class WHERE relname = '" + table + "'")) {
                r2.next();
                return r2.getLong(1);
            }
        } catch (Exception e) {
            return 0;
        }
    }

    private static long doneChunks(Path data, String project) {
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            long pid = db.projects().find(project).orElseThrow().id();
            long n = 0;
            for (var t : db.checkpoints().tables(pid)) {
                n += db.checkpoints().chunks(pid, t.source()).stream().filter(c -> "DONE".equals(c.state())).count();
            }
            return n;
        }
    }

}

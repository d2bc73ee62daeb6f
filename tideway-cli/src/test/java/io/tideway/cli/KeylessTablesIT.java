package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables without a key, written by the application while the project copies and syncs them: a
 * change applied twice is a row written twice, so the destination must end with exactly the
 * source's rows (as a multiset), neither when the copy read rows whose changes the sync replays,
 * nor when the process dies between the commit of a batch and its checkpoint.
 */
@ExtendWith(EmbeddedServers.class)
class KeylessTablesIT {
    @TempDir
    Path tmp;

    @Test
    void aKeylessTableWrittenDuringTheCopyEndsEqualFromMariaDb() throws Exception {
        writtenDuringTheCopy(DataSourceType.fromId("mariadb"), DataSourceType.fromId("postgresql"));
    }

    @Test
    void aKeylessTableWrittenDuringTheCopyEndsEqualFromPostgres() throws Exception {
        writtenDuringTheCopy(DataSourceType.fromId("postgresql"), DataSourceType.fromId("mariadb"));
    }

    /**
     * A keyed table copied first, slowly (one worker, throttled), while a writer inserts into and
     * deletes from the keyless table: the copy of the keyless table then holds changes made after
     * the capture's start, which the sync must not apply again.
     */
    private void writtenDuringTheCopy(DataSourceType source, DataSourceType destination) throws Exception {
        String name = "copy_" + source.id().charAt(0);
        String srcDb = fresh(source, name + "_src");
        String dstDb = fresh(destination, name + "_dst");
        try (Connection c = connect(source, srcDb); Statement st = c.createStatement()) {
            if (source == DataSourceType.fromId("postgresql")) {
                SampleData.postgresSysbench(c, 12_000);
            } else {
                SampleData.mariadbSysbench(c, 12_000);
            }
            createLog(source, st, 300);
        }
        String schema = source == DataSourceType.fromId("postgresql") ? "public" : srcDb;
        Path project = Projects.write(tmp, name, "name: keyless-" + name + "\n"
                + "source: " + Projects.endpoint(source, srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination, dstDb) + "\n"
                + "tables: { include: [\"" + schema + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { parallelism: 1, throttle-rows: 4000 }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data-" + name);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            // from before the capture's start until after the copy (about 3 s of sbtest1 at 4,000 rows/s)
            int written = writeLog(source, srcDb, Duration.ofSeconds(9), failure);
            assertThat(written).isGreaterThan(200);
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(90));
            engine.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
        }
    }

    @Test
    void aCrashBetweenABatchCommitAndItsCheckpointWritesNoKeylessRowTwice() throws Exception {
        String srcDb = fresh(DataSourceType.fromId("mariadb"), "crash_src");
        String dstDb = fresh(DataSourceType.fromId("mariadb"), "crash_dst");
        try (Connection c = connect(DataSourceType.fromId("mariadb"), srcDb); Statement st = c.createStatement()) {
            createLog(DataSourceType.fromId("mariadb"), st, 100);
        }
        Path project = Projects.write(tmp, "crash", "name: keyless-crash\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), srcDb) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data-crash");
        for (int n : new int[] {4, 9}) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Process child = Runs.child(project, data, "apply.after-commit:" + n, "256m");
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    writeLog(DataSourceType.fromId("mariadb"), srcDb, Duration.ofMillis(500), failure);
                }
            }, "keyless-writer");
            writer.start();
            boolean ended = child.waitFor(120, TimeUnit.SECONDS);
            stop.set(true);
            writer.join(10_000);
            assertThat(failure.get()).isNull();
            assertThat(ended).as("the child halts at the fault point; output:\n" + Runs.output(child)).isTrue();
            assertThat(child.exitValue()).as("halted at the fault point; output:\n" + Runs.output(child)).isEqualTo(137);
        }
        try (Runs.InProcess run = Runs.synced(project, data)) {
            // synced is a lag under 5 s: the last changes may still be on their way
            Runs.awaitEqual(run.cfg(), run.failure(), Duration.ofSeconds(60));
        }
    }

    private static final AtomicInteger NEXT = new AtomicInteger(1_000_000);

    private static void createLog(DataSourceType type, Statement st, int rows) throws SQLException {
        st.execute("CREATE TABLE log (n INT, txt VARCHAR(40))");
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            values.append(i == 1 ? "" : ", ").append("(").append(i % 50).append(", 'row ").append(i).append("')");
        }
        st.execute("INSERT INTO log VALUES " + values);
        if (type == DataSourceType.fromId("postgresql")) {
            st.execute("ALTER TABLE log REPLICA IDENTITY FULL");
        }
    }

    /**
     * For {@code time}: inserts rows (some equal to rows already there), and now and then deletes one
     * of a repeated value or updates one; returns the number of statements.
     */
    private static int writeLog(DataSourceType type, String db, Duration time, AtomicReference<Throwable> failure) {
        long end = System.nanoTime() + time.toNanos();
        int done = 0;
        String deleteOne = type == DataSourceType.fromId("postgresql")
                ? "DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE n = ? LIMIT 1)"
                : "DELETE FROM log WHERE n = ? LIMIT 1";
        String updateOne = type == DataSourceType.fromId("postgresql")
                ? "UPDATE log SET txt = 'changed' WHERE ctid = (SELECT ctid FROM log WHERE n = ? LIMIT 1)"
                : "UPDATE log SET txt = 'changed' WHERE n = ? LIMIT 1";
        try (Connection c = connect(type, db);
             PreparedStatement ins = c.prepareStatement("INSERT INTO log VALUES (?, ?)");
             PreparedStatement del = c.prepareStatement(deleteOne);
             PreparedStatement upd = c.prepareStatement(updateOne)) {
            while (System.nanoTime() < end) {
                int i = NEXT.incrementAndGet();
                ins.setInt(1, i % 50);
                ins.setString(2, i % 3 == 0 ? "same" : "row " + i);
                ins.executeUpdate();
                if (i % 4 == 0) {
                    del.setInt(1, i % 50);
                    del.executeUpdate();
                } else if (i % 7 == 0) {
                    upd.setInt(1, i % 50);
                    upd.executeUpdate();
                }
                done++;
                Thread.sleep(10);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
        return done;
    }

    private static String fresh(DataSourceType type, String suffix) {
        return type == DataSourceType.fromId("postgresql")
                ? EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), KeylessTablesIT.class, suffix)
                : EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), KeylessTablesIT.class, suffix);
    }

    private static Connection connect(DataSourceType type, String db) throws SQLException {
        return type == DataSourceType.fromId("postgresql") ? EmbeddedServers.postgres().connect(db) : EmbeddedServers.mariadb().connect(db);
    }
}

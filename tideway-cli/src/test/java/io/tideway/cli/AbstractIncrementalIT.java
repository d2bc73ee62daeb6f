package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database the application keeps writing to is migrated and kept in sync: a writer changes
 * the source during the whole full copy and after it; once it stops, the destination becomes
 * equal to the source, and `tideway run --until synced` then exits 0 at once.
 */
@ExtendWith(EmbeddedServers.class)
abstract class AbstractIncrementalIT {
    static final int ROWS = 30_000;

    @TempDir
    Path tmp;

    abstract DataSourceType source();

    abstract DataSourceType destination();

    abstract String freshSource();

    abstract String freshDestination();

    abstract Connection connectSource(String db) throws SQLException;

    abstract void fill(Connection source) throws SQLException;

    @Test
    void aWrittenToSourceEndsEqualAfterFullCopyAndIncremental() throws Exception {
        String srcDb = freshSource();
        String dstDb = freshDestination();
        try (Connection c = connectSource(srcDb); java.sql.Statement st = c.createStatement()) {
            fill(c);
            // a table without any key: its changes apply by matching all columns
            st.execute("CREATE TABLE notes (n INT, txt VARCHAR(40))");
            st.execute("INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (2, 'two'), (3, NULL)");
            if (source() == DataSourceType.fromId("postgresql")) {
                // PostgreSQL logs whole old rows of a keyless table only with this (the capture says so if missing)
                st.execute("ALTER TABLE notes REPLICA IDENTITY FULL");
            }
            // a second unique key, whose values the application moves between rows (see swapEmails)
            st.execute("CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(40) NOT NULL UNIQUE, v INT)");
            StringBuilder rows = new StringBuilder();
            for (int i = 1; i <= ACCOUNTS; i++) {
                rows.append(i == 1 ? "" : ", ").append("(").append(i).append(", 'e").append(i).append("', 0)");
            }
            st.execute("INSERT INTO accounts VALUES " + rows);
        }
        String srcSchema = source() == DataSourceType.fromId("postgresql") ? "public" : srcDb;
        Path project = Projects.write(tmp, "inc", "name: inc-" + getClass().getSimpleName().toLowerCase() + "\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcSchema + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { parallelism: 2, chunk-size: 2000, throttle-rows: 15000 }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ChangeWriter writer = new ChangeWriter(() -> {
            try {
                return connectSource(srcDb);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", ROWS, 400, 42);
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            // writes start once the capture is up (T0), and go on during and after the copy
            Thread.sleep(1500);
            writer.start();
            Thread swaps = new Thread(() -> swapEmails(srcDb, 8000, failure), "swap-emails");
            swaps.start();
            Thread.sleep(8000);
            swaps.join(30_000);
            try (Connection c = connectSource(srcDb); java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO notes VALUES (4, 'four'), (5, NULL)");
                st.execute("UPDATE notes SET txt = 'TWO' WHERE n = 2");
                st.execute("DELETE FROM notes WHERE n = 1");
                st.execute("UPDATE notes SET txt = 'three' WHERE n = 3");
            }
            writer.close();
            assertThat(writer.changes()).isGreaterThan(500);
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(180));
            engine.requestStop();
            run.join(60_000);
            assertThat(run.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        }
        // a rerun resumes from the checkpoints and reports synced at once: within seconds of its capture
        // streaming, although the idle source gives it nothing new to spool, and it names where it reads from
        Map<String, Long> said = new java.util.concurrent.ConcurrentHashMap<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void info(String message) {
                said.putIfAbsent(message.startsWith("synced:") ? "synced" : message, System.nanoTime());
            }
        };
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            new Engine(db, data).run(cfg, listener, Engine.RunOptions.UNTIL_SYNCED);
        }
        String streaming = said.keySet().stream().filter(m -> m.startsWith("change capture streaming from ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'streaming from' message: " + said.keySet()));
        assertThat(streaming).doesNotStartWith("change capture streaming from 000000:");
        assertThat(said).containsKey("synced");
        assertThat(Duration.ofNanos(said.get("synced") - said.get(streaming))).isLessThan(Duration.ofSeconds(8));
    }

    static final int ACCOUNTS = 40;

    /**
     * For {@code millis}, as an application would: two accounts swap their e-mail addresses (through a
     * temporary one, three statements), an account is deleted and a new one takes its address, each
     * statement committed on its own; so within a batch of the Connector a unique value leaves one row
     * and reaches another, and the full copy reads some rows in a later state than the spool's changes.
     */
    private void swapEmails(String srcDb, long millis, AtomicReference<Throwable> failure) {
        java.util.Random rnd = new java.util.Random(7);
        long end = System.currentTimeMillis() + millis;
        int next = ACCOUNTS + 1;
        try (Connection c = connectSource(srcDb);
             java.sql.PreparedStatement get = c.prepareStatement("SELECT email FROM accounts WHERE id = ?");
             java.sql.PreparedStatement set = c.prepareStatement("UPDATE accounts SET email = ?, v = v + 1 WHERE id = ?");
             java.sql.PreparedStatement del = c.prepareStatement("DELETE FROM accounts WHERE id = ?");
             java.sql.PreparedStatement ins = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, 0)");
             java.sql.Statement ids = c.createStatement()) {
            while (System.currentTimeMillis() < end) {
                List<Integer> have = new ArrayList<>();
                try (java.sql.ResultSet rs = ids.executeQuery("SELECT id FROM accounts")) {
                    while (rs.next()) {
                        have.add(rs.getInt(1));
                    }
                }
                int a = have.get(rnd.nextInt(have.size()));
                int b = have.get(rnd.nextInt(have.size()));
                if (a == b) {
                    continue;
                }
                String ea = email(get, a);
                String eb = email(get, b);
                if (rnd.nextInt(4) == 0) {
                    del.setInt(1, a);
                    del.executeUpdate();
                    ins.setInt(1, next++);
                    ins.setString(2, ea);
                    ins.executeUpdate();
                } else {
                    update(set, a, "swap-" + a);
                    update(set, b, ea);
                    update(set, a, eb);
                }
                Thread.sleep(15);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private static String email(java.sql.PreparedStatement get, int id) throws SQLException {
        get.setInt(1, id);
        try (java.sql.ResultSet rs = get.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void update(java.sql.PreparedStatement set, int id, String email) throws SQLException {
        set.setString(1, email);
        set.setInt(2, id);
        set.executeUpdate();
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: an application writes to every kind of table (an integer key, a composite key, a text
 * key, no key, a second unique key whose values move between rows) while a MariaDB -> PostgreSQL
 * project copies and syncs it; the {@code tideway run} process is killed with SIGKILL three times at
 * random moments (during the copy or the sync, wherever the dice fall); then a verification beside
 * the running sync, a switchover, and the application writing to the destination, whose changes the
 * reverse sync brings back. Every table must end equal on both sides.
 *
 * <p>{@code -Dtideway.soak.runs=N} (default 1) repeats it with new seeds; {@code -Dtideway.soak.report=FILE}
 * appends a line per run (seed, kill points, outcome). {@code bench/soak.sh} runs it many times and
 * writes docs/SOAK.md.
 */
@ExtendWith(EmbeddedServers.class)
class SoakIT {
    static final String[] TABLES = {"k_int", "k_comp", "k_text", "nokey", "uniq"};

    @TempDir
    Path tmp;

    @Test
    void killedThreeTimesVerifiedAndSwitchedOverWhileWrittenEveryTableEndsEqual() throws Exception {
        int runs = Integer.getInteger("tideway.soak.runs", 1);
        long seed0 = Long.getLong("tideway.soak.seed", System.nanoTime());
        for (int i = 0; i < runs; i++) {
            long seed = seed0 + i;
            List<String> kills = new ArrayList<>();
            String outcome = "FAILED";
            try {
                soak(i, seed, kills);
                outcome = "equal";
            } catch (Throwable e) {
                // kept for a look: the runs' log, named by the seed that replays the run (-Dtideway.soak.seed)
                Path log = tmp.resolve("data-soak" + i).resolve("logs").resolve("tideway.log");
                if (Files.exists(log)) {
                    Files.copy(log, Path.of("target", "soak-" + seed + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                dumpSpool(tmp.resolve("data-soak" + i), "soak" + i, Path.of("target", "soak-" + seed + "-spool.txt"));
                throw new AssertionError("soak run " + i + " (seed " + seed + ", kills " + kills + ") failed: " + e.getMessage(), e);
            } finally {
                report(seed, kills, outcome);
            }
        }
    }

    private void soak(int n, long seed, List<String> kills) throws Exception {
        Random rnd = new Random(seed * 0x9E3779B97F4A7C15L);   // runs with consecutive seeds draw unrelated delays
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), SoakIT.class, "src" + n);
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), SoakIT.class, "dst" + n);
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement st = c.createStatement()) {
            create(st, 20_000);
        }
        String name = "soak" + n;
        Path project = Projects.write(tmp, name, "name: " + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "tables: { include: [\"" + src + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { parallelism: 2, chunk-size: 2000, throttle-rows: 8000 }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data-" + name);
        Writer app = new Writer(() -> EmbeddedServers.mariadb().connect(src), "", false, seed, 1);
        Process run = Runs.child(project, data, null, "384m");
        try {
            app.start();
            // three kills at random moments: one during the copy, one during the sync, one anywhere after the start
            String[][] phases = {{"full", "RUNNING"}, {"incremental", "RUNNING", "MONITORING"}, {"schema", "COMPLETED"}};
            for (int k = 0; k < 3; k++) {
                String[] phase = phases[k];
                awaitStep(data, name, run, phase[0], java.util.Arrays.copyOfRange(phase, 1, phase.length));
                long wait = rnd.nextInt(k == 0 ? 1500 : 6000);
                Thread.sleep(wait);
                assertThat(run.isAlive()).as("the run died by itself; output:\n" + Runs.output(run)).isTrue();
                String where = stepsOf(data, name);
                run.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                kills.add(where + " (" + wait + " ms after " + phase[0] + " " + phase[1] + ")");
                run = Runs.child(project, data, null, "384m");
            }
            // a verification beside the running sync, the application paused (a table without a key that is being
            // written cannot be compared whole at one instant on both sides) and the restarted run caught up (the
            // MetaDB may still say MONITORING from before the last kill)
            app.pause(true);
            Process last = run;
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(last.isAlive()).as(Runs.output(last)).isTrue();
                Runs.assertEqualNow(cfg, TABLES.length);
            });
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString()))
                    .as("verify beside the sync").isZero();
            app.pause(false);
            Thread.sleep(2000);
            // the switchover: the application stops writing to the source when sub-step 3 asks
            Process sw = Runs.command(data, null, "256m", "switchover", project.toString(), "--yes", "--quiet", "3");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                assertThat(sw.isAlive()).as("the switchover died: " + Runs.output(sw)).isTrue();
                return subStepRunning(data, name, 3);
            });
            app.close();
            assertThat(sw.waitFor(180, TimeUnit.SECONDS)).as(Runs.output(sw)).isTrue();
            assertThat(sw.exitValue()).as(Runs.output(sw)).isZero();
            awaitStep(data, name, run, "reverse", "MONITORING", "RUNNING");
            // the application now writes to the destination; the reverse sync brings its changes back
            Writer back = new Writer(() -> EmbeddedServers.postgres().connect(dst), "\"" + src + "\".", true, seed + 1, 2);
            back.start();
            Thread.sleep(3000);
            back.close();
            assertThat(app.changes() + back.changes()).isGreaterThan(300);
            Process r = run;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(r.isAlive()).as(Runs.output(r)).isTrue();
                Runs.assertEqualNow(cfg, TABLES.length);
            });
            assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).as("the last verification").isZero();
        } finally {
            app.closeQuietly();
            run.destroy();
            run.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** The five tables, {@code rows} rows in the largest. */
    static void create(Statement st, int rows) throws SQLException {
        st.execute("CREATE TABLE k_int (id INT PRIMARY KEY, v INT NOT NULL, txt VARCHAR(60))");
        st.execute("CREATE TABLE k_comp (a INT NOT NULL, b VARCHAR(10) NOT NULL, v INT, PRIMARY KEY (a, b))");
        st.execute("CREATE TABLE k_text (code VARCHAR(20) PRIMARY KEY, v INT, note TEXT)");
        st.execute("CREATE TABLE nokey (n INT, txt VARCHAR(40))");
        st.execute("CREATE TABLE uniq (id INT PRIMARY KEY, email VARCHAR(40) NOT NULL UNIQUE, v INT)");
        insertMany(st, "k_int", rows, i -> i + ", " + (i % 97) + ", 'row " + i + "'");
        insertMany(st, "k_comp", rows / 10, i -> (i / 3) + ", 'b" + (i % 3) + "', " + i);
        insertMany(st, "k_text", rows / 10, i -> "'c" + i + "', " + i + ", 'note " + i + "'");
        insertMany(st, "nokey", rows / 20, i -> (i % 30) + ", 't" + (i % 7) + "'");
        insertMany(st, "uniq", 200, i -> i + ", 'e" + i + "', 0");
    }

    private static void insertMany(Statement st, String table, int rows, java.util.function.IntFunction<String> row)
            throws SQLException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            b.append(b.length() == 0 ? "INSERT INTO " + table + " VALUES " : ", ").append('(').append(row.apply(i)).append(')');
            if (i % 2000 == 0 || i == rows) {
                st.execute(b.toString());
                b.setLength(0);
            }
        }
    }

    interface Connect {
        Connection get() throws SQLException;
    }

    /**
     * The application: random inserts, updates (key changes too), deletes on every table, an e-mail
     * moved between two rows of {@code uniq} in one transaction, a few statements a transaction.
     */
    static final class Writer extends Thread {
        private final Connect connect;
        private final String prefix;
        private final boolean postgres;
        private final Random rnd;
        private final int base;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicBoolean paused = new AtomicBoolean();
        private final AtomicLong changes = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Writer(Connect connect, String prefix, boolean postgres, long seed, int writer) {
            super("soak-writer-" + writer);
            this.connect = connect;
            this.prefix = prefix;
            this.postgres = postgres;
            this.rnd = new Random(seed);
            this.base = writer * 10_000_000;
        }

        long changes() {
            return changes.get();
        }

        void close() throws InterruptedException {
            stop.set(true);
            join(30_000);
            assertThat(failure.get()).as("the application's writes").isNull();
        }

        void pause(boolean pause) throws InterruptedException {
            paused.set(pause);
            Thread.sleep(200);   // the transaction under way ends
        }

        void closeQuietly() {
            stop.set(true);
        }

        @Override
        public void run() {
            int next = base;
            try (Connection c = connect.get()) {
                c.setAutoCommit(false);
                while (!stop.get()) {
                    if (paused.get()) {
                        Thread.sleep(20);
                        continue;
                    }
                    try (Statement st = c.createStatement()) {
                        for (int s = 1 + rnd.nextInt(3); s > 0; s--) {
                            next++;
                            one(st, next);
                        }
                        c.commit();
                    } catch (SQLException e) {
                        c.rollback();   // a unique value taken meanwhile, a deadlock: the application retries
                        if (!e.getMessage().contains("uplicate") && !e.getMessage().contains("eadlock")) {
                            throw e;
                        }
                    }
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        private void one(Statement st, int i) throws SQLException {
            int k = 1 + rnd.nextInt(20_000);
            String t = prefix;
            switch (rnd.nextInt(12)) {
                case 0 -> st.execute("INSERT INTO " + t + "k_int VALUES (" + i + ", " + (i % 97) + ", 'new " + i + "')");
                case 1 -> st.execute("UPDATE " + t + "k_int SET v = v + 1, txt = 'u" + i + "' WHERE id = " + k);
                case 2 -> st.execute("DELETE FROM " + t + "k_int WHERE id = " + k);
                case 3 -> st.execute("UPDATE " + t + "k_int SET id = " + i + " WHERE id = " + k);   // a key change
                case 4 -> st.execute("INSERT INTO " + t + "k_comp VALUES (" + i + ", 'x', " + k + ")");
                case 5 -> st.execute("UPDATE " + t + "k_comp SET v = " + i + ", b = 'y" + (i % 5) + "' WHERE a = " + (k / 10)
                        + " AND b = 'b" + (k % 3) + "'");
                case 6 -> st.execute("INSERT INTO " + t + "k_text VALUES ('n" + i + "', " + i + ", NULL)");
                case 7 -> st.execute("DELETE FROM " + t + "k_text WHERE code = 'c" + (k / 10) + "'");
                case 8 -> st.execute("INSERT INTO " + t + "nokey VALUES (" + (i % 30) + ", 't" + (i % 7) + "')");
                case 9 -> st.execute(postgres
                        ? "DELETE FROM " + t + "nokey WHERE ctid = (SELECT ctid FROM " + t + "nokey WHERE n = " + (i % 30) + " LIMIT 1)"
                        : "DELETE FROM " + t + "nokey WHERE n = " + (i % 30) + " LIMIT 1");
                case 10 -> st.execute(postgres
                        ? "UPDATE " + t + "nokey SET txt = 'u' WHERE ctid = (SELECT ctid FROM " + t + "nokey WHERE n = " + (i % 30)
                                + " LIMIT 1)"
                        : "UPDATE " + t + "nokey SET txt = 'u' WHERE n = " + (i % 30) + " LIMIT 1");
                default -> swapEmails(st, 1 + rnd.nextInt(200), 1 + rnd.nextInt(200), i);
            }
            changes.incrementAndGet();
        }

        /** Two accounts swap their e-mail addresses through a temporary one. */
        private void swapEmails(Statement st, int a, int b, int i) throws SQLException {
            if (a == b) {
                return;
            }
            String ea = email(st, a);
            String eb = email(st, b);
            if (ea == null || eb == null) {
                return;
            }
            st.execute("UPDATE " + prefix + "uniq SET email = 'tmp" + i + "' WHERE id = " + a);
            st.execute("UPDATE " + prefix + "uniq SET email = '" + ea + "', v = v + 1 WHERE id = " + b);
            st.execute("UPDATE " + prefix + "uniq SET email = '" + eb + "', v = v + 1 WHERE id = " + a);
        }

        private String email(Statement st, int id) throws SQLException {
            try (ResultSet rs = st.executeQuery("SELECT email FROM " + prefix + "uniq WHERE id = " + id)) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The project's steps and their states, e.g. "full RUNNING, incremental NOT_STARTED". */
    private static String stepsOf(Path data, String name) {
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            var p = db.projects().find(name);
            if (p.isEmpty()) {
                return "before the project was created";
            }
            for (String step : List.of("incremental", "full", "schema")) {
                String state = db.projects().step(p.get().id(), step).state();
                if (!"NOT_STARTED".equals(state)) {
                    return step + " " + state;
                }
            }
            return "precheck";
        }
    }

    private static boolean subStepRunning(Path data, String name, int n) {
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            return db.switchovers().steps(db.projects().find(name).orElseThrow().id()).stream()
                    .anyMatch(s -> s.number() == n && "RUNNING".equals(s.state()));
        }
    }

    private static void awaitStep(Path data, String name, Process run, String step, String... states) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(run.isAlive()).as("the run process died: " + Runs.output(run)).isTrue();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                var p = db.projects().find(name);
                return p.isPresent() && List.of(states).contains(db.projects().step(p.get().id(), step).state());
            }
        });
    }

    /** Every spooled change, one line each (position, operation, table, before, after), for a look at a failure. */
    private static void dumpSpool(Path data, String project, Path to) {
        Path dir = io.tideway.engine.incremental.Store.spoolDir(data, project, io.tideway.engine.incremental.Direction.FORWARD);
        try (var r = new io.tideway.engine.store.Spool.Reader(dir, new io.tideway.engine.store.Spool.Address(1, 0));
             var out = Files.newBufferedWriter(to)) {
            io.tideway.core.change.ChangeEvent e;
            while ((e = r.readOne()) != null) {
                out.write(e.position() + " " + e.op() + " " + e.table() + " " + java.util.Arrays.toString(e.before()) + " -> "
                        + java.util.Arrays.toString(e.after()) + "\n");
            }
        } catch (Exception ex) {
            System.out.println("the spool could not be read: " + ex);
        }
    }

    private static void report(long seed, List<String> kills, String outcome) throws Exception {
        String file = System.getProperty("tideway.soak.report");
        if (file == null) {
            return;
        }
        Files.writeString(Path.of(file), "seed " + seed + " | " + String.join("; ", kills) + " | " + outcome + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}

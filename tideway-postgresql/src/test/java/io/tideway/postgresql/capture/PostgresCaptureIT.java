package io.tideway.postgresql.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.ChangeEvent.Op;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.DatabasePlugins;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.postgresql.PostgresDialect;
import io.tideway.postgresql.PostgresPlugin;
import io.tideway.test.EmbeddedPostgreSql;
import io.tideway.test.TypeRichData;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PostgresCaptureIT {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCaptureIT.class);
    private static final String DB = "capture_it";
    private static final Duration START = Duration.ofSeconds(90);

    private static EmbeddedPostgreSql pg;
    private static DataSourceConfig source;
    private static final PostgresDialect DIALECT = new PostgresDialect();

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgreSql.start();
        pg.recreateDatabase(DB);
        source = new DataSourceConfig(PostgresPlugin.POSTGRESQL, pg.host(), pg.port(), pg.user(), pg.password(), DB, Map.of());
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** Offsets in memory, as the MetaDB would keep them. */
    static final class MemoryState implements CaptureState {
        final Map<String, String> offsets = new HashMap<>();
        final List<String> history = new ArrayList<>();

        @Override
        public synchronized Map<String, String> loadOffsets() {
            return new HashMap<>(offsets);
        }

        @Override
        public synchronized void saveOffsets(Map<String, String> o) {
            offsets.putAll(o);
        }

        @Override
        public synchronized List<String> loadHistory() {
            return new ArrayList<>(history);
        }

        @Override
        public synchronized void appendHistory(String record) {
            history.add(record);
        }
    }

    static final class CollectingSink implements CaptureSink {
        final List<ChangeEvent> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(List<ChangeEvent> batch) {
            events.addAll(batch);
        }

        List<ChangeEvent> changes() {
            synchronized (events) {
                return events.stream().filter(e -> e.op() != Op.HEARTBEAT).toList();
            }
        }

        void await(Predicate<List<ChangeEvent>> done, String what) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!done.test(changes())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for " + what + "; got " + changes().size() + " changes");
                }
                Thread.sleep(50);
            }
        }
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = pg.connect(DB); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    private static CaptureSpec spec(String name, CaptureState state, TableId... tables) {
        return new CaptureSpec(name, 0, source, List.of(tables), state, null);
    }

    private static Object key(ChangeEvent e, String keyColumn) {
        int i = e.columns().indexOf(keyColumn);
        return e.after() != null ? e.after()[i] : e.before()[i];
    }

    private static Map<Object, Object[]> tableRows(Table t, String keyColumn) throws Exception {
        Map<Object, Object[]> rows = new LinkedHashMap<>();
        try (Connection c = DIALECT.connect(source); RowCursor cur = DIALECT.rows().openRows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
            int k = t.columnIndex(keyColumn);
            while (cur.next()) {
                Object[] r = cur.row().clone();
                rows.put(r[k], r);
            }
        }
        return rows;
    }

    private static Table table(TableId id) throws Exception {
        try (Connection c = DIALECT.connect(source)) {
            return DIALECT.catalog().readTables(c, id.schema(), id::equals).get(0);
        }
    }

    private static void assertSameRow(Object key, List<String> columns, Object[] captured, Table t, Object[] read) {
        for (int i = 0; i < columns.size(); i++) {
            String col = columns.get(i);
            Object exp = read[t.columnIndex(col)];
            Object got = captured[i];
            String where = "key " + key + ", column " + col;
            if (exp instanceof byte[] eb) {
                assertThat(got).as(where).isInstanceOf(byte[].class);
                assertThat(Arrays.equals(eb, (byte[]) got)).as(where + ": " + Arrays.toString((byte[]) got)).isTrue();
            } else if (exp instanceof BigDecimal) {
                assertThat(got).as(where).isEqualTo(exp);
            } else {
                assertThat(got).as(where).isEqualTo(exp);
            }
        }
    }

    @Test
    void registeredForPostgresql() {
        assertThat(DataSourceType.fromId("postgresql").family()).isEqualTo(PostgresPlugin.FAMILY);
        assertThat(DatabasePlugins.forType(PostgresPlugin.POSTGRESQL).capture()).isInstanceOf(PostgresCapture.class);
        assertThat(DatabasePlugins.forType(PostgresPlugin.POSTGRESQL).dialect()).isInstanceOf(PostgresDialect.class);
        assertThat(PostgresCapture.slotName("Shop-To PG ünï.x")).isEqualTo("shop_to_pg__n__x");
        assertThat(PostgresCapture.slotName("x".repeat(80))).hasSize(63);
    }

    @Test
    void changesAfterStartArriveInTheFullCopysCanonicalForm() throws Exception {
        try (Connection c = pg.connect(DB)) {
            TypeRichData.postgres(c);
        }
        TableId id = new TableId("public", "all_types");
        MemoryState state = new MemoryState();
        CollectingSink sink = new CollectingSink();
        ChangeCapture capture = new PostgresCapture(PostgresCapture.ReplicaIdentity.SET_FULL);
        CaptureSpec spec = spec("Type Rich", state, id);
        try (ChangeCapture.Session s = capture.start(spec, sink, START)) {
            assertThat(s.running()).isTrue();
            String t0 = s.startPosition();
            sql("INSERT INTO all_types SELECT id + 10, b, i16, i32, i64, n, n2, r, d, bt, ch, vc, tx, by, dt, tm, iv, ts, tz, js, jb,"
                            + " uu, mo, arr, tarr FROM all_types WHERE id IN (1, 2, 3, 4)",
                    "UPDATE all_types SET vc = 'changed', tz = '2001-02-03 04:05:06.5+03', iv = '1 day 02:03:04.25',"
                            + " n2 = 12.5, bt = B'00000001', arr = '{7,8}', jb = '{\"z\": 1, \"a\": [true]}' WHERE id = 1",
                    "BEGIN", "UPDATE all_types SET tm = '24:00:00', ts = '2020-01-01 00:00:00.1' WHERE id = 3",
                    "DELETE FROM all_types WHERE id = 4", "UPDATE all_types SET id = 21 WHERE id = 11", "COMMIT",
                    "UPDATE all_types SET b = NOT b WHERE id = 2",
                    "DELETE FROM all_types WHERE id = 13",
                    "INSERT INTO all_types (id, tx) VALUES (99, 'last')");
            sink.await(ev -> ev.stream().anyMatch(e -> e.op() == Op.INSERT && Integer.valueOf(99).equals(
                    ((Number) key(e, "id")).intValue())), "the last insert");
            List<ChangeEvent> events = sink.changes();
            // nothing from before T0: the four rows inserted by TypeRichData never appear as inserts
            assertThat(events).noneMatch(e -> e.op() == Op.INSERT && ((Long) key(e, "id")) < 10);
            String prev = t0;
            for (ChangeEvent e : events) {
                assertThat(e.position()).as("positions grow").isGreaterThan(prev);
                assertThat(e.table()).isEqualTo(id);
                assertThat(e.sourceMillis()).isGreaterThan(System.currentTimeMillis() - 600_000);
                prev = e.position();
            }
            assertThat(events).anyMatch(e -> e.op() == Op.UPDATE && e.before() != null
                    && Long.valueOf(11).equals(e.before()[0]) && Long.valueOf(21).equals(e.after()[0]));
            Map<Object, ChangeEvent> last = new LinkedHashMap<>();
            for (ChangeEvent e : events) {
                if (e.op() == Op.UPDATE && !e.before()[0].equals(e.after()[0])) {
                    last.put(e.before()[0], new ChangeEvent(Op.DELETE, e.table(), e.columns(), e.before(), null, null,
                            e.sourceMillis(), e.position()));
                }
                last.put(key(e, "id"), e);
            }
            Table t = table(id);
            Map<Object, Object[]> rows = tableRows(t, "id");
            assertThat(last.keySet()).contains(1L, 2L, 3L, 4L, 11L, 12L, 13L, 14L, 21L, 99L);
            for (Map.Entry<Object, ChangeEvent> e : last.entrySet()) {
                Object[] row = rows.get(e.getKey());
                if (row == null) {
                    assertThat(e.getValue().op()).as("key " + e.getKey()).isEqualTo(Op.DELETE);
                } else {
                    assertThat(e.getValue().op()).as("key " + e.getKey()).isNotEqualTo(Op.DELETE);
                    assertSameRow(e.getKey(), e.getValue().columns(), e.getValue().after(), t, row);
                }
            }
        } finally {
            capture.release(spec);
        }
        try (Connection c = pg.connect(DB); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'type_rich'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("release drops the slot").isZero();
        }
        capture.release(spec); // idempotent
    }

    @Test
    void resumesAfterCloseWithExactlyTheMissingChanges() throws Exception {
        sql("CREATE TABLE \"Odd Table, \"\"x\"\" y\" (id integer PRIMARY KEY, v text, big text)",
                // stored out of line: an UPDATE of v leaves big as an unchanged TOASTed value the log does not carry
                "ALTER TABLE \"Odd Table, \"\"x\"\" y\" ALTER COLUMN big SET STORAGE EXTERNAL",
                "CREATE TABLE not_captured (id integer PRIMARY KEY)");
        TableId id = new TableId("public", "Odd Table, \"x\" y");
        MemoryState state = new MemoryState();
        ChangeCapture capture = new PostgresCapture();
        CaptureSpec spec = spec("resume_test", state, id);
        CollectingSink first = new CollectingSink();
        String lastSeen;
        try (ChangeCapture.Session s = capture.start(spec, first, START)) {
            sql("INSERT INTO \"Odd Table, \"\"x\"\" y\" SELECT g, 'v' || g, repeat(md5(g::text), 400) FROM generate_series(1, 100) g",
                    "INSERT INTO not_captured VALUES (1)");
            first.await(ev -> ev.size() >= 100, "100 inserts");
            Thread.sleep(1500); // let the offsets flush
            List<ChangeEvent> got = first.changes();
            assertThat(got).hasSize(100).allMatch(e -> e.table().equals(id));
            lastSeen = got.get(got.size() - 1).position();
        }
        assertThat(state.loadOffsets()).isNotEmpty();
        // while stopped: updates (leaving the large, TOASTed column unchanged), deletes
        sql("UPDATE \"Odd Table, \"\"x\"\" y\" SET v = 'w' || id WHERE id <= 50",
                "DELETE FROM \"Odd Table, \"\"x\"\" y\" WHERE id > 90");
        CollectingSink second = new CollectingSink();
        try (ChangeCapture.Session s = capture.start(spec, second, START)) {
            sql("UPDATE \"Odd Table, \"\"x\"\" y\" SET v = 'after restart' WHERE id = 60");
            second.await(ev -> ev.stream().anyMatch(e -> e.op() == Op.UPDATE && "after restart".equals(e.after()[1])),
                    "the update after restart");
            List<ChangeEvent> got = second.changes();
            List<ChangeEvent> fresh = got.stream().filter(e -> e.position().compareTo(lastSeen) > 0).toList();
            assertThat(got.stream().filter(e -> e.position().compareTo(lastSeen) <= 0))
                    .as("re-delivered events are only ones already seen")
                    .allMatch(e -> first.changes().stream().anyMatch(f -> f.position().equals(e.position())));
            assertThat(fresh).hasSize(50 + 10 + 1);
            assertThat(fresh.stream().filter(e -> e.op() == Op.DELETE)).hasSize(10);
            Table t = table(id);
            Map<Object, Object[]> rows = tableRows(t, "id");
            for (ChangeEvent e : fresh) {
                if (e.op() == Op.UPDATE) {
                    assertSameRow(key(e, "id"), e.columns(), e.after(), t, rows.get(key(e, "id")));
                }
            }
        } finally {
            capture.release(spec);
        }
    }

    /**
     * A server process that has not sent what was committed (here stopped with SIGSTOP; in life starved
     * of CPU, or decoding from the slot's restart point after a restart) leaves the replication
     * connection as empty as an idle source does, and the connector's heartbeats go on: they must not
     * make the capture count as caught up, nor carry a time after the commit, until the changes arrive.
     */
    @Test
    void heartbeatsDoNotClaimCaughtUpWhileTheServerHoldsBackCommittedChanges() throws Exception {
        sql("CREATE TABLE held_back (id integer PRIMARY KEY)");
        TableId id = new TableId("public", "held_back");
        ChangeCapture capture = new PostgresCapture();
        CaptureSpec spec = spec("held_back_test", new MemoryState(), id);
        CollectingSink sink = new CollectingSink();
        try (ChangeCapture.Session s = capture.start(spec, sink, START)) {
            awaitCaughtUp(s, true);
            int sender;
            try (Connection c = pg.connect(DB); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'held_back_test'")) {
                assertThat(rs.next()).isTrue();
                sender = rs.getInt(1);
            }
            signal(sender, "STOP");
            long committed;
            int before;
            try {
                committed = System.currentTimeMillis();
                sql("INSERT INTO held_back SELECT g FROM generate_series(1, 100) g");
                before = sink.events.size();
                Thread.sleep(6_000);
                List<ChangeEvent> after;
                synchronized (sink.events) {
                    after = new ArrayList<>(sink.events.subList(before, sink.events.size()));
                }
                assertThat(sink.changes()).as("the server's sender is stopped").isEmpty();
                assertThat(after).as("heartbeats go on while the connection is empty").isNotEmpty()
                        .allMatch(e -> e.op() == Op.HEARTBEAT);
                assertThat(after).as("no heartbeat claims a time after the commit it has not delivered")
                        .allMatch(e -> e.sourceMillis() < committed);
                assertThat(s.caughtUp()).as("caught up while 100 committed inserts are not delivered").isFalse();
            } finally {
                signal(sender, "CONT");
            }
            sink.await(ev -> ev.size() >= 100, "the 100 inserts, once the sender runs again");
            awaitCaughtUp(s, true);
        } finally {
            capture.release(spec);
        }
    }

    private static void awaitCaughtUp(ChangeCapture.Session s, boolean expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (s.caughtUp() != expected) {
            assertThat(System.nanoTime()).as("the capture's caughtUp() turns " + expected).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Sends a signal (STOP, CONT) to a server process: the embedded server runs on this machine. */
    private static void signal(int pid, String signal) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as("kill -" + signal + " " + pid + ": " + new String(p.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void aSlotInUseByAnotherConsumerIsAClearError() throws Exception {
        sql("CREATE TABLE busy (id integer PRIMARY KEY)");
        TableId id = new TableId("public", "busy");
        ChangeCapture capture = new PostgresCapture();
        CaptureSpec spec = spec("busy_slot", new MemoryState(), id);
        try (ChangeCapture.Session s = capture.start(spec, new CollectingSink(), START)) {
            assertThatThrownBy(() -> capture.start(spec("busy_slot", new MemoryState(), id), new CollectingSink(), START))
                    .isInstanceOf(TidewayException.class)
                    .hasMessageContaining("busy_slot")
                    .hasMessageContaining("in use by another consumer")
                    .hasMessageContaining("pg_terminate_backend");
            assertThat(s.running()).isTrue();
        } finally {
            capture.release(spec);
        }
    }

    @Test
    void tableWithoutReplicaIdentityIsRefusedNamingTheFix() throws Exception {
        sql("CREATE TABLE no_key (v integer)");
        ChangeCapture capture = new PostgresCapture();
        CaptureSpec spec = spec("no_key", new MemoryState(), new TableId("public", "no_key"));
        assertThatThrownBy(() -> capture.start(spec, new CollectingSink(), START))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("public.no_key")
                .hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void capturesManySingleRowUpdates() throws Exception {
        int n = Integer.getInteger("tideway.capture.events", 20_000);   // -Dtideway.capture.events=200000 to measure the rate
        sql("CREATE TABLE perf (id integer PRIMARY KEY, v integer)",
                "INSERT INTO perf SELECT g, 0 FROM generate_series(1, " + n + ") g");
        AtomicLong count = new AtomicLong();
        AtomicLong firstAt = new AtomicLong();
        CaptureSink sink = batch -> {
            for (ChangeEvent e : batch) {
                if (e.op() == Op.UPDATE) {
                    firstAt.compareAndSet(0, System.nanoTime());
                    count.incrementAndGet();
                }
            }
        };
        ChangeCapture capture = new PostgresCapture();
        CaptureSpec spec = spec("perf", new MemoryState(), new TableId("public", "perf"));
        try (ChangeCapture.Session s = capture.start(spec, sink, START)) {
            long t0 = System.nanoTime();
            sql("DO $$ BEGIN FOR i IN 1.." + n + " LOOP UPDATE perf SET v = 1 WHERE id = i; END LOOP; END $$");
            long committed = System.nanoTime();
            long deadline = committed + Duration.ofMinutes(5).toNanos();
            while (count.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long end = System.nanoTime();
            assertThat(count.get()).isEqualTo(n);
            double secs = (end - firstAt.get()) / 1e9;
            LOG.info("CAPTURE RATE postgresql: {} single-row updates captured in {} s after the first arrived = {} events/s "
                            + "(write took {} s, last event {} s after commit)", n, String.format("%.2f", secs),
                    String.format("%.0f", n / secs), String.format("%.2f", (committed - t0) / 1e9),
                    String.format("%.2f", (end - committed) / 1e9));
        } finally {
            capture.release(spec);
        }
    }
}

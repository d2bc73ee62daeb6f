package io.tideway.mysql.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.ChangeEvent.Op;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.DatabasePlugins;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.mysql.MySqlDialect;
import io.tideway.mysql.MySqlPlugin;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Change capture against a real MariaDB: values, ordering, restarts, DDL, heartbeats and failures. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MySqlCaptureIT {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCaptureIT.class);
    private static final String DB = "capture_it";
    private static final String ODD = "odd table, x";
    private static final MySqlDialect DIALECT = new MySqlDialect();
    private static final Duration START = Duration.ofSeconds(120);

    private static EmbeddedMariaDb server;
    private static DataSourceConfig cfg;
    private static final MemoryState STATE = new MemoryState();
    private static final CollectingSink SINK = new CollectingSink();
    private static ChangeCapture capture;
    private static ChangeCapture.Session session;
    private static String lastPositionBeforeRestart;

    @BeforeAll
    static void startServer() throws SQLException {
        server = EmbeddedMariaDb.start();
        server.recreateDatabase(DB);
        cfg = new DataSourceConfig(MySqlPlugin.MARIADB, server.host(), server.port(), server.user(), server.password(), DB,
                Map.of());
        try (Connection c = DIALECT.connect(cfg)) {
            TypeRichData.mariadb(c);
            exec(c, "CREATE TABLE with_uuid AS SELECT id, uu FROM all_types", "ALTER TABLE with_uuid ADD PRIMARY KEY (id)");
            exec(c, "ALTER TABLE all_types DROP COLUMN uu");
            exec(c, "CREATE TABLE `odd table, x` (`Order` INT NOT NULL PRIMARY KEY, `from` VARCHAR(20))",
                    "INSERT INTO `odd table, x` VALUES (1, 'before T0')",
                    "CREATE TABLE not_captured (id INT PRIMARY KEY)");
        }
        capture = DatabasePlugins.forType(MySqlPlugin.MARIADB).capture();
    }

    @AfterAll
    static void stopServer() {
        if (session != null) {
            session.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static CaptureSpec spec(CaptureState state) {
        return new CaptureSpec("tideway_it", 5401, cfg, List.of(new TableId(DB, "all_types"), new TableId(DB, ODD)), state,
                null);
    }

    @Test
    @Order(1)
    void changesAfterStartArriveWithTheValuesTheFullCopyReads() throws Exception {
        session = capture.start(spec(STATE), SINK, START);
        assertThat(session.running()).isTrue();
        assertThat(session.startPosition()).matches("\\d{6}:\\d{20}:\\d{10}:\\d{6}");
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "INSERT INTO all_types SELECT 10, b, i8, u8, i16, u16, i24, u24, i32, u32, i64, u64, d65, d10, f, dbl, bit1,"
                    + " bit64, ch, vc, tx, mtx, bin, vbin, bl, dt, tm, dtm, ts, yr, js, en, st FROM all_types WHERE id = 2",
                    "INSERT INTO all_types SELECT 11, b, i8, u8, i16, u16, i24, u24, i32, u32, i64, u64, d65, d10, f, dbl, bit1,"
                    + " bit64, ch, vc, tx, mtx, bin, vbin, bl, dt, tm, dtm, ts, yr, js, en, st FROM all_types WHERE id = 4",
                    "INSERT INTO all_types SELECT 12, b, i8, u8, i16, u16, i24, u24, i32, u32, i64, u64, d65, d10, f, dbl, bit1,"
                    + " bit64, ch, vc, tx, mtx, bin, vbin, bl, dt, tm, dtm, ts, yr, js, en, st FROM all_types WHERE id = 1",
                    "INSERT INTO all_types (id) VALUES (13)",
                    "UPDATE all_types SET tm = '-1:02:03.5', dtm = '2001-02-03 04:05:06.7', ts = '2001-02-03 04:05:06',"
                    + " bit64 = b'101', b = -5, f = 0.1, u64 = 18446744073709551615 WHERE id = 1",
                    "DELETE FROM all_types WHERE id = 3",
                    "UPDATE all_types SET id = 40 WHERE id = 4",
                    "INSERT INTO not_captured VALUES (1)",
                    "INSERT INTO `odd table, x` VALUES (2, 'after T0')");
            c.setAutoCommit(false);
            exec(c, "INSERT INTO all_types (id, vc) VALUES (20, 'tx a'), (21, 'tx b')", "UPDATE all_types SET vc = 'tx c' WHERE id = 20",
                    "DELETE FROM all_types WHERE id = 21");
            c.commit();
            c.setAutoCommit(true);
            exec(c, "ALTER TABLE `odd table, x` ADD COLUMN extra INT");
            exec(c, "INSERT INTO `odd table, x` VALUES (3, 'with extra', 7)");
        }
        SINK.awaitRow(new TableId(DB, ODD), e -> e.after() != null && Long.valueOf(3).equals(e.after()[0]), 60);

        List<ChangeEvent> events = SINK.rows();
        assertThat(events).noneMatch(e -> e.table().table().equals("not_captured"));
        // nothing from before T0: the four rows of the data set and the first odd row were there already
        assertThat(events).noneMatch(e -> e.op() == Op.INSERT && e.table().table().equals("all_types")
                && List.of(1L, 2L, 3L, 4L).contains(e.after()[0]));
        // positions sort in log order and are unique per row change
        List<String> positions = events.stream().map(ChangeEvent::position).toList();
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        // the primary key change is one UPDATE from the old key to the new one
        assertThat(events).as(events.stream().map(e -> e.op() + " " + (e.before() == null ? "-" : e.before()[0] + "/"
                + e.before()[0].getClass().getSimpleName()) + " " + (e.after() == null ? "-" : e.after()[0])).toList().toString())
                .anyMatch(e -> e.op() == Op.UPDATE && Long.valueOf(4).equals(e.before()[0])
                && Long.valueOf(40).equals(e.after()[0]));
        // the multi-row transaction arrives complete
        assertThat(events.stream().filter(e -> e.table().table().equals("all_types") && (key(e).equals(20L)
                || key(e).equals(21L))).map(ChangeEvent::op)).containsExactly(Op.INSERT, Op.INSERT, Op.UPDATE, Op.DELETE);
        // the DDL arrives with its statement
        assertThat(SINK.all()).anyMatch(e -> e.op() == Op.DDL && e.ddl().contains("ADD COLUMN extra"));
        // the row after the DDL carries the new column
        ChangeEvent odd3 = lastByKey(events, ODD).get(3L);
        assertThat(odd3.columns()).containsExactly("Order", "from", "extra");

        assertLastEventsMatchTheTable("all_types", List.of(3L, 4L, 21L));
        assertLastEventsMatchTheTable(ODD, List.of());
        lastPositionBeforeRestart = SINK.all().get(SINK.all().size() - 1).position();
    }

    @Test
    @Order(0)
    void aMariaDbUuidColumnIsRefusedNamingTheColumn() {
        CaptureSpec s = new CaptureSpec("tideway_uuid", 5402, cfg, List.of(new TableId(DB, "with_uuid")), new MemoryState(), null);
        assertThatThrownBy(() -> capture.start(s, SINK, START)).isInstanceOf(TidewayException.class)
                .hasMessageContaining("with_uuid").hasMessageContaining("column uu").hasMessageContaining("char(36)");
    }

    @Test
    @Order(2)
    void anIdleSourceSendsHeartbeats() throws Exception {
        int before = SINK.count(Op.HEARTBEAT);
        long t0 = System.currentTimeMillis();
        long deadline = t0 + 20_000;
        while (SINK.count(Op.HEARTBEAT) < before + 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(SINK.count(Op.HEARTBEAT)).isGreaterThanOrEqualTo(before + 2);
        ChangeEvent last = SINK.last(Op.HEARTBEAT);
        assertThat(last.sourceMillis()).as("an idle source's heartbeat is recent").isGreaterThan(t0 - 5_000);
    }

    @Test
    @Order(2)
    void aSourceIdleAfterADdlShowsAsCaughtUp() throws Exception {
        // MariaDB's reader keeps a DDL's start as its offset until the next transaction (Tideway creating its marker
        // table at a switchover, then nothing written): its heartbeats must still say that everything is read
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE created_then_idle (id INT PRIMARY KEY)");
        }
        long t0 = System.currentTimeMillis();
        long deadline = t0 + 15_000;
        while (!(session.caughtUp() && SINK.last(Op.HEARTBEAT).sourceMillis() > t0 + 1_000) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertThat(session.caughtUp()).as("caught up after the DDL").isTrue();
        assertThat(SINK.last(Op.HEARTBEAT).sourceMillis()).as("a heartbeat stamped after the DDL").isGreaterThan(t0 + 1_000);
    }

    @Test
    @Order(2)
    void aSourceBusyOnlyWithOtherTablesShowsAsCaughtUp() throws Exception {
        // writes to tables outside the capture (of this database and of another one), every 200 ms: the
        // capture reads them and skips them; its heartbeats must still say that everything up to about now is read
        server.recreateDatabase("tideway_it_other");
        long stop = System.currentTimeMillis() + 10_000;
        ChangeEvent fresh = null;
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE tideway_it_other.ticks (id INT PRIMARY KEY, t DATETIME(3))");
            int i = 0;
            while (System.currentTimeMillis() < stop) {
                exec(c, "REPLACE INTO tideway_it_other.ticks VALUES (1, NOW(3))", "REPLACE INTO not_captured VALUES (" + (i++ % 3) + ")");
                Thread.sleep(200);
                ChangeEvent h = SINK.last(Op.HEARTBEAT);
                if (System.currentTimeMillis() > stop - 5_000 && h != null && h.sourceMillis() > System.currentTimeMillis() - 2_500) {
                    fresh = h;
                    break;
                }
            }
            assertThat(fresh).as("a heartbeat stamped within 2.5 s of now while other tables are written").isNotNull();
            assertThat(session.caughtUp()).as("caught up while only other tables are written").isTrue();
        }
    }

    @Test
    @Order(3)
    void afterCloseAndRestartExactlyTheMissingChangesArrive() throws Exception {
        String lastSeen = SINK.all().get(SINK.all().size() - 1).position();
        session.close();
        assertThat(session.running()).isFalse();
        int seen = SINK.all().size();
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "UPDATE all_types SET vc = 'while stopped' WHERE id = 10", "INSERT INTO all_types (id) VALUES (30)",
                    "DELETE FROM all_types WHERE id = 13", "TRUNCATE TABLE `odd table, x`");
        }
        session = capture.start(spec(STATE), SINK, START);
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "INSERT INTO all_types (id) VALUES (31)");
        }
        SINK.awaitRow(new TableId(DB, "all_types"), e -> e.op() == Op.INSERT && key(e).equals(31L), 60);
        List<ChangeEvent> after = SINK.all().subList(seen, SINK.all().size()).stream().filter(e -> e.op() != Op.HEARTBEAT)
                .toList();
        // re-delivered events may repeat, but only with positions already seen
        List<ChangeEvent> fresh = after.stream().filter(e -> e.position().compareTo(lastSeen) > 0).toList();
        assertThat(fresh.stream().map(e -> e.op() + " " + (e.table() == null ? "" : e.table().table()) + " "
                + (e.op() == Op.TRUNCATE ? "" : key(e)))).containsExactly("UPDATE all_types 10", "INSERT all_types 30",
                "DELETE all_types 13", "TRUNCATE " + ODD + " ", "INSERT all_types 31");
        assertLastEventsMatchTheTable("all_types", List.of(3L, 4L, 13L, 21L));
    }

    @Test
    @Order(4)
    void manySingleRowUpdatesAreAllCaptured() throws Exception {
        session.close();
        int n = Integer.getInteger("tideway.capture.events", 20_000);   // -Dtideway.capture.events=200000 to measure the rate
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE IF NOT EXISTS bench_seed (k INT)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE all_types SET i32 = ? WHERE id = 30")) {
                for (int i = 1; i <= n; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                    if (i % 1000 == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            c.setAutoCommit(true);
        }
        int before = SINK.all().size();
        long t0 = System.nanoTime();
        session = capture.start(spec(STATE), SINK, START);
        SINK.awaitRow(new TableId(DB, "all_types"), e -> e.op() == Op.UPDATE && key(e).equals(30L)
                && Long.valueOf(n).equals(e.after()[8]), 300);
        double secs = (System.nanoTime() - t0) / 1e9;
        long updates = SINK.all().subList(before, SINK.all().size()).stream().filter(e -> e.op() == Op.UPDATE).count();
        LOG.info("capture rate: {} single-row updates captured in {} s (start included) = {} events/s", updates,
                String.format("%.1f", secs), Math.round(updates / secs));
        assertThat(updates).isGreaterThanOrEqualTo(n);
    }

    @Test
    @Order(5)
    void aServerLoggingStatementsIsRefusedWithTheFix() throws Exception {
        session.close();
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "SET GLOBAL binlog_format = 'STATEMENT'");
            try {
                assertThatThrownBy(() -> capture.start(spec(new MemoryState()), SINK, START))
                        .isInstanceOf(TidewayException.class)
                        .hasMessageContaining("binlog_format is not ROW").hasMessageContaining("binlog_format=ROW");
            } finally {
                exec(c, "SET GLOBAL binlog_format = 'ROW'");
            }
        }
    }

    @Test
    @Order(6)
    void aPurgedBinlogPositionMakesStartFail() throws Exception {
        // the capture ran and is stopped; its saved position lies in a binlog file that is now purged
        try (Connection c = DIALECT.connect(cfg)) {
            // a change the capture has not read, then its binlog file goes
            exec(c, "INSERT INTO all_types (id) VALUES (50)");
            exec(c, "FLUSH BINARY LOGS");
            Thread.sleep(1100);
            exec(c, "PURGE BINARY LOGS BEFORE NOW()");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                assertThat(rs.next()).isTrue();
                LOG.info("first binlog after purge: {}", rs.getString(1));
            }
        }
        assertThatThrownBy(() -> capture.start(spec(STATE), SINK, START))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("no longer on the server").hasMessageContaining("purged")
                .hasMessageContaining("full copy");
    }

    // ------------------------------------------------------------------ helpers

    private static Object key(ChangeEvent e) {
        return (e.after() != null ? e.after() : e.before())[0];
    }

    private static Map<Object, ChangeEvent> lastByKey(List<ChangeEvent> events, String table) {
        Map<Object, ChangeEvent> last = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            if (e.table() != null && e.table().table().equals(table) && e.op() != Op.TRUNCATE && e.op() != Op.DDL) {
                if (e.op() == Op.UPDATE && !key(e).equals(e.before()[0])) {
                    last.put(e.before()[0], new ChangeEvent(Op.DELETE, e.table(), e.columns(), e.before(), null, null,
                            e.sourceMillis(), e.position()));
                }
                last.put(key(e), e);
            }
        }
        return last;
    }

    /** The last event of every key touched equals the row the dialect reads now; deleted keys end with DELETE. */
    private static void assertLastEventsMatchTheTable(String table, List<Long> deleted) throws SQLException {
        Map<Object, ChangeEvent> last = lastByKey(SINK.rows(), table);
        Map<Object, Object[]> rows = new HashMap<>();
        try (Connection c = DIALECT.connect(cfg)) {
            Table t = DIALECT.catalog().readTables(c, DB, id -> id.table().equals(table)).get(0);
            try (RowCursor cur = DIALECT.rows().openRows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
                while (cur.next()) {
                    rows.put(cur.row()[0], cur.row().clone());
                }
            }
            for (Map.Entry<Object, ChangeEvent> e : last.entrySet()) {
                Object[] row = rows.get(e.getKey());
                ChangeEvent ev = e.getValue();
                if (row == null) {
                    assertThat(ev.op()).as("last event of deleted key %s", e.getKey()).isEqualTo(Op.DELETE);
                    continue;
                }
                assertThat(ev.op()).as("last event of key %s", e.getKey()).isIn(Op.INSERT, Op.UPDATE);
                List<String> names = t.columns().stream().map(io.tideway.core.model.Column::name).toList();
                if (ddlAfter(table, ev) == null) {
                    assertThat(ev.columns()).as("columns of key %s", e.getKey()).isEqualTo(names);
                }
                // an event from before a DDL has the columns of its time: compare those
                for (int k = 0; k < ev.columns().size(); k++) {
                    int i = names.indexOf(ev.columns().get(k));
                    assertThat(i).as("column %s still exists", ev.columns().get(k)).isGreaterThanOrEqualTo(0);
                    Object want = row[i];
                    Object got = ev.after()[k];
                    String what = table + " key " + e.getKey() + " column " + t.columns().get(i).name();
                    if (want instanceof byte[] wb) {
                        assertThat(got).as(what).isInstanceOf(byte[].class);
                        assertThat(Arrays.equals(wb, (byte[]) got)).as(what + ": " + Arrays.toString(wb) + " vs "
                                + Arrays.toString((byte[]) got)).isTrue();
                    } else {
                        assertThat(got).as(what).isEqualTo(want);
                        if (want != null) {
                            assertThat(got.getClass()).as(what + " class").isEqualTo(want.getClass());
                        }
                    }
                }
            }
            for (Long d : deleted) {
                if (last.containsKey(d)) {
                    assertThat(last.get(d).op()).isEqualTo(Op.DELETE);
                }
            }
        }
    }

    /** The first DDL of the table after the event, or null. */
    private static ChangeEvent ddlAfter(String table, ChangeEvent ev) {
        return SINK.all().stream().filter(d -> d.op() == Op.DDL && d.table() != null && d.table().table().equals(table)
                && d.position().compareTo(ev.position()) > 0).findFirst().orElse(null);
    }

    /**
     * A read at a known binlog place (for tables without a key), both ways: MariaDB's consistent snapshot
     * and its reported place, and MySQL's brief LOCK TABLES on a second connection. The place is the
     * binlog's end when the snapshot began: a write committed after it is not in the snapshot and its
     * position is not {@link ChangeCapture#seenBy} it, one before it is.
     */
    @Test
    @Order(100)
    void aConsistentReadReturnsTheBinlogPlaceOfItsSnapshot() throws Exception {
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE keyless_read (n INT)", "INSERT INTO keyless_read VALUES (1), (2), (3)");
        }
        for (boolean lock : new boolean[] {false, true}) {
            System.setProperty("tideway.capture.mysql.lock-snapshot", String.valueOf(lock));
            try (Connection reader = DIALECT.connect(cfg); Connection writer = DIALECT.connect(cfg)) {
                String before = end(writer);
                reader.setAutoCommit(false);
                String point = capture.beginConsistentRead(lock ? MySqlPlugin.MYSQL : MySqlPlugin.MARIADB, reader,
                        () -> DIALECT.connect(cfg), new TableId(DB, "keyless_read"));
                assertThat(point).as("lock " + lock).isEqualTo(before);
                exec(writer, "INSERT INTO keyless_read VALUES (4)");
                String after = end(writer);
                try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM keyless_read")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the snapshot holds the rows before its place, lock " + lock).isEqualTo(3);
                }
                reader.commit();
                String file = BinlogEnds.binlogEnd(writer)[0];
                // the insert's transaction starts at the snapshot's place: not seen; one that started earlier is
                assertThat(capture.seenBy(point, BinlogPosition.of(file, posOf(before), 1, 1))).isFalse();
                assertThat(capture.seenBy(point, BinlogPosition.of(file, posOf(before) - 1, 3, 1))).isTrue();
                assertThat(capture.seenBy(point, after)).isFalse();
                exec(writer, "DELETE FROM keyless_read WHERE n = 4");
            } finally {
                System.clearProperty("tideway.capture.mysql.lock-snapshot");
            }
        }
    }

    /**
     * The first offset a capture saves is its schema snapshot's, and a restart from it does not resume
     * from T0: it takes the snapshot again, later, and what was written meanwhile is never read. So it
     * is not {@link ChangeCapture#resumesFrom resumable}; an offset saved while streaming is, and a
     * restart from it delivers what was written while the capture was stopped.
     */
    @Test
    @Order(101)
    void onlyAnOffsetSavedWhileStreamingIsOneARestartResumesFrom() throws Exception {
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE t0_rows (id INT PRIMARY KEY, v INT)");
        }
        List<Map<String, String>> saved = new CopyOnWriteArrayList<>();
        MemoryState state = new MemoryState() {
            @Override
            public synchronized void saveOffsets(Map<String, String> o) {
                saved.add(Map.copyOf(o));
                super.saveOffsets(o);
            }
        };
        CaptureSpec spec = new CaptureSpec("tideway_t0", 5403, cfg, List.of(new TableId(DB, "t0_rows")), state, null);
        ChangeCapture.Session s = capture.start(spec, new CollectingSink(), START);
        try {
            long until = System.currentTimeMillis() + 60_000;
            while (!capture.resumesFrom(state.loadOffsets()) && System.currentTimeMillis() < until) {
                Thread.sleep(100);
            }
            assertThat(capture.resumesFrom(state.loadOffsets())).as("an offset saved while streaming, on a quiet source").isTrue();
        } finally {
            s.close();
        }
        // the schema snapshot's offset, when its save was not overtaken by a streaming one (it usually is not)
        Map<String, String> first = saved.stream().filter(o -> o.values().toString().contains("\"snapshot\"")).findFirst()
                .orElseGet(() -> {
                    Map<String, String> o = new HashMap<>();
                    saved.get(0).forEach((k, v) -> o.put(k, v.substring(0, v.lastIndexOf('}')) + ",\"snapshot\":\"INITIAL\"}"));
                    return o;
                });
        assertThat(capture.resumesFrom(first)).as("the schema snapshot's offset").isFalse();
        for (boolean resumable : new boolean[] {false, true}) {
            MemoryState from = new MemoryState();
            from.saveOffsets(resumable ? state.loadOffsets() : first);
            state.loadHistory().forEach(from::appendHistory);
            int id = resumable ? 2 : 1;
            try (Connection c = DIALECT.connect(cfg)) {
                exec(c, "INSERT INTO t0_rows VALUES (" + id + ", 0)");   // while no capture runs
            }
            CollectingSink sink = new CollectingSink();
            ChangeCapture.Session again = capture.start(new CaptureSpec("tideway_t0", 5403, cfg,
                    List.of(new TableId(DB, "t0_rows")), from, null), sink, START);
            try {
                try (Connection c = DIALECT.connect(cfg)) {
                    exec(c, "INSERT INTO t0_rows VALUES (" + (id + 10) + ", 0)");   // once it runs
                }
                long until = System.currentTimeMillis() + 60_000;
                while (sink.rows().stream().noneMatch(e -> hasId(e, id + 10))
                        && System.currentTimeMillis() < until) {
                    Thread.sleep(100);
                }
                assertThat(sink.rows().stream().anyMatch(e -> hasId(e, id + 10))).as("the row written once it runs").isTrue();
                boolean delivered = sink.rows().stream().anyMatch(e -> hasId(e, id));
                assertThat(delivered).as("the row written while stopped, restarting from the "
                        + (resumable ? "streaming" : "snapshot") + " offset").isEqualTo(resumable);
            } finally {
                again.close();
            }
        }
    }

    private static boolean hasId(ChangeEvent e, int id) {
        return e.after() != null && e.after()[0] instanceof Number n && n.intValue() == id;
    }

    /** The binlog's end as a snapshot point spells it. */
    private static String end(Connection c) throws SQLException {
        String[] e = BinlogEnds.binlogEnd(c);
        return BinlogPosition.of(e[0], Long.parseLong(e[1]), 0, 0);
    }

    private static long posOf(String position) {
        return Long.parseLong(position.split(":")[1]);
    }

    private static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Offsets and history in memory, as the MetaDB would keep them. */
    static class MemoryState implements CaptureState {
        private final Map<String, String> offsets = new HashMap<>();
        private final List<String> history = new ArrayList<>();

        @Override
        public synchronized Map<String, String> loadOffsets() {
            return Map.copyOf(offsets);
        }

        @Override
        public synchronized void saveOffsets(Map<String, String> o) {
            offsets.putAll(o);
        }

        @Override
        public synchronized List<String> loadHistory() {
            return List.copyOf(history);
        }

        @Override
        public synchronized void appendHistory(String record) {
            history.add(record);
        }
    }

    /** Keeps every event, in order. */
    static final class CollectingSink implements CaptureSink {
        private final List<ChangeEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void accept(List<ChangeEvent> batch) {
            events.addAll(batch);
        }

        List<ChangeEvent> all() {
            return events;
        }

        List<ChangeEvent> rows() {
            return events.stream().filter(e -> e.op() != Op.HEARTBEAT && e.op() != Op.DDL).toList();
        }

        int count(Op op) {
            return (int) events.stream().filter(e -> e.op() == op).count();
        }

        ChangeEvent last(Op op) {
            ChangeEvent out = null;
            for (ChangeEvent e : events) {
                if (e.op() == op) {
                    out = e;
                }
            }
            return out;
        }

        void awaitRow(TableId table, Predicate<ChangeEvent> p, int seconds) throws InterruptedException {
            long deadline = System.currentTimeMillis() + seconds * 1000L;
            int from = 0;
            while (System.currentTimeMillis() < deadline) {
                List<ChangeEvent> snap = new ArrayList<>(events);
                for (int i = from; i < snap.size(); i++) {
                    ChangeEvent e = snap.get(i);
                    if (table.equals(e.table()) && (e.before() != null || e.after() != null) && p.test(e)) {
                        return;
                    }
                }
                from = snap.size();
                Thread.sleep(100);
            }
            throw new AssertionError("no matching event of " + table + " within " + seconds + " s; got "
                    + events.size() + " events");
        }
    }
}

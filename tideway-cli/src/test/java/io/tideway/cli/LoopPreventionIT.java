package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.change.ApplyMarker;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.Dialects;
import io.tideway.engine.incremental.Store;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loop prevention at the capture, in both families: a transaction that writes Tideway's marker
 * table is not delivered, not even its other changes (a table emptied in it included); transactions
 * before and after it are; and
 * so it stays after the capture is restarted from its saved offsets.
 */
@ExtendWith(EmbeddedServers.class)
class LoopPreventionIT {

    @Test
    void aMariaDbCaptureDropsTidewaysOwnTransactions() throws Exception {
        String db = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), LoopPreventionIT.class, "my");
        var s = EmbeddedServers.mariadb();
        check(new DataSourceConfig(DataSourceType.fromId("mariadb"), s.host(), s.port(), s.user(), "", db, Map.of()), db);
    }

    @Test
    void aPostgresCaptureDropsTidewaysOwnTransactions() throws Exception {
        String db = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), LoopPreventionIT.class, "pg");
        var s = EmbeddedServers.postgres();
        check(new DataSourceConfig(DataSourceType.fromId("postgresql"), s.host(), s.port(), s.user(), "", db, Map.of()), "public");
    }

    private static void check(DataSourceConfig cfg, String schema) throws Exception {
        Dialect d = Dialects.forType(cfg.type());
        TableId t = new TableId(schema, "t");
        TableId marker = ApplyMarker.in(schema);
        try (Connection c = d.connect(cfg); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + d.quote(t) + " (id INT PRIMARY KEY, v VARCHAR(20))");
            for (String q : d.schema().createTable(ApplyMarker.model(marker), cfg.type().family()).statements()) {
                st.execute(q);
            }
        }
        Memory state = new Memory();
        List<ChangeEvent> got = Collections.synchronizedList(new ArrayList<>());
        ChangeCapture capture = Store.captureFor(cfg.type());
        CaptureSpec spec = new CaptureSpec("tideway_loop_" + cfg.type().id().replace('-', '_'), 5_500_001, cfg, List.of(t), state, null);
        try {
            try (ChangeCapture.Session session = capture.start(spec, got::addAll, Duration.ofSeconds(90))) {
                write(d, cfg, t, marker, 1, 2, 3, "A");
                awaitId(got, 3);
            }
            assertThat(ids(got)).as("the application's changes only, none of the marked transaction").containsExactly(1L, 3L);
            // again after a restart from the saved offsets
            try (ChangeCapture.Session session = capture.start(spec, got::addAll, Duration.ofSeconds(90))) {
                write(d, cfg, t, marker, 11, 12, 13, "B");
                awaitId(got, 13);
            }
            assertThat(ids(got)).containsExactly(1L, 3L, 11L, 13L);
            assertThat(got).noneMatch(e -> ApplyMarker.isMarker(e.table()));
            assertThat(got).as("Tideway's emptying of the table is not captured").noneMatch(e -> e.op() == ChangeEvent.Op.TRUNCATE);
        } finally {
            capture.release(spec);
        }
    }

    /**
     * An application's insert (a), Tideway's transaction: marker, insert (b), update of (a); Tideway's
     * transaction that empties the table; an application's insert (c).
     */
    private static void write(Dialect d, DataSourceConfig cfg, TableId t, TableId marker, int a, int b, int c, String run)
            throws Exception {
        try (Connection con = d.connect(cfg); Statement st = con.createStatement()) {
            st.execute("INSERT INTO " + d.quote(t) + " VALUES (" + a + ", 'app')");
            con.setAutoCommit(false);
            d.writer().upsert(con, ApplyMarker.model(marker), List.<Object[]>of(new Object[] {"forward-0", System.nanoTime()}).iterator());
            st.execute("INSERT INTO " + d.quote(t) + " VALUES (" + b + ", 'tideway')");
            st.execute("UPDATE " + d.quote(t) + " SET v = 'tideway " + run + "' WHERE id = " + a);
            con.commit();
            con.setAutoCommit(true);
            // Tideway empties the table during a switchover: in a marked transaction too
            con.setAutoCommit(false);
            d.writer().upsert(con, ApplyMarker.model(marker), List.<Object[]>of(new Object[] {"forward-0", System.nanoTime()}).iterator());
            st.execute(d.schema().truncateInTransactionSql(t));
            con.commit();
            con.setAutoCommit(true);
            st.execute("INSERT INTO " + d.quote(t) + " VALUES (" + c + ", 'app')");
        }
    }

    private static void awaitId(List<ChangeEvent> got, long id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> ids(got).contains(id));
        try {
            Thread.sleep(1500);   // anything else would have come by now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<Long> ids(List<ChangeEvent> got) {
        synchronized (got) {
            return got.stream().filter(e -> e.op() != ChangeEvent.Op.HEARTBEAT && e.op() != ChangeEvent.Op.TRUNCATE)
                    .map(e -> ((Number) (e.after() != null ? e.after() : e.before())[0]).longValue()).toList();
        }
    }

    /** Offsets and history in memory, as the MetaDB keeps them. */
    static final class Memory implements CaptureState {
        private final Map<String, String> offsets = new HashMap<>();
        private final List<String> history = new ArrayList<>();

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
}

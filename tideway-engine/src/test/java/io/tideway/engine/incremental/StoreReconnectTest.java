package io.tideway.engine.incremental;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.change.CaptureFailures;
import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.engine.store.Spool;
import java.net.SocketException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Store's reconnect, against a scripted capture (a stand-in for the capture SPI, not for a
 * database): what is retried, from where, how often, and when it gives up. The same behaviour
 * against real servers that restart is in tideway-cli's SourceRestartIT.
 */
class StoreReconnectTest {
    static final Store.Backoff FAST = new Store.Backoff(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(20));

    @TempDir
    Path dir;

    /** Offsets as a capture keeps them: the position of the last event the sink accepted, saved after a lag. */
    static final class State implements CaptureState {
        final Map<String, String> offsets = new ConcurrentHashMap<>();

        @Override
        public Map<String, String> loadOffsets() {
            return Map.copyOf(offsets);
        }

        @Override
        public void saveOffsets(Map<String, String> o) {
            offsets.putAll(o);
        }

        @Override
        public List<String> loadHistory() {
            return List.of();
        }

        @Override
        public void appendHistory(String record) {
        }
    }

    /** A session that delivered some events and can be made to fail. */
    static final class FakeSession implements ChangeCapture.Session {
        final String from;
        volatile Throwable failure;
        volatile boolean closed;

        FakeSession(String from) {
            this.from = from;
        }

        @Override
        public String startPosition() {
            return from;
        }

        @Override
        public boolean running() {
            return !closed && failure == null;
        }

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * A source log of positions 1..n: each start resumes after the saved offset and delivers up to
     * {@code perSession} events; start fails with the next scripted error, if any.
     */
    static final class FakeCapture implements ChangeCapture {
        final List<RuntimeException> startFailures = Collections.synchronizedList(new ArrayList<>());
        final List<Long> startTimes = new CopyOnWriteArrayList<>();
        final List<String> startedFrom = new CopyOnWriteArrayList<>();
        final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();
        final int perSession;

        FakeCapture(int perSession) {
            this.perSession = perSession;
        }

        @Override
        public Session start(CaptureSpec spec, CaptureSink sink, Duration startTimeout) {
            startTimes.add(System.nanoTime());
            if (!startFailures.isEmpty()) {
                throw startFailures.remove(0);
            }
            String saved = spec.state().loadOffsets().get("pos");
            int from = saved == null ? 1 : Integer.parseInt(saved) + 1;
            startedFrom.add(String.valueOf(from));
            List<ChangeEvent> batch = new ArrayList<>();
            for (int i = from; i < from + perSession; i++) {
                batch.add(event(i));
            }
            try {
                sink.accept(batch);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            // the capture saves its offset some way behind what the sink accepted: a restart reads some events again
            spec.state().saveOffsets(Map.of("pos", String.valueOf(from + perSession / 2 - 1)));
            FakeSession s = new FakeSession(position(from));
            sessions.add(s);
            return s;
        }

        @Override
        public void release(CaptureSpec spec) {
        }
    }

    static String position(int i) {
        return String.format("%08d", i);
    }

    static ChangeEvent event(int i) {
        return new ChangeEvent(ChangeEvent.Op.INSERT, new TableId("shop", "t"), List.of("id"), null, new Object[] {(long) i},
                null, 1000L + i, position(i));
    }

    private CaptureSpec spec(State state) {
        DataSourceConfig src = new DataSourceConfig(DataSourceType.fromId("mariadb"), "127.0.0.1", 3306, "root", "", "shop", Map.of());
        return new CaptureSpec("tideway_test", 1_000_001, src, List.of(new TableId("shop", "t")), state, dir.resolve("tmp"));
    }

    record Recorded(String level, String message) { }

    private Store store(FakeCapture capture, State state, Store.Backoff backoff, List<Recorded> events) {
        Spool spool = Spool.open(dir.resolve("spool"));
        CaptureSpec spec = spec(state);
        ChangeCapture.Session first = capture.start(spec, spool::append, Duration.ofSeconds(1));
        return new Store(spool, capture, spec, first, backoff, (l, m) -> events.add(new Recorded(l, m)));
    }

    /** Waits up to {@code seconds} for the condition. */
    private static void within(int seconds, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within " + seconds + " s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Retries the assertion for up to {@code seconds}. */
    private static void eventually(int seconds, Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private List<String> spooledPositions() throws Exception {
        List<String> out = new ArrayList<>();
        try (Spool.Reader r = new Spool.Reader(dir.resolve("spool"), new Spool.Address(1, 0))) {
            for (ChangeEvent e = r.readOne(); e != null; e = r.readOne()) {
                out.add(e.position());
            }
        }
        return out;
    }

    @Test
    void aLostConnectionIsResumedFromTheSavedOffsetsWithGrowingWaitsAndNothingLostOrDoubled() throws Exception {
        FakeCapture capture = new FakeCapture(10);
        State state = new State();
        List<Recorded> events = new CopyOnWriteArrayList<>();
        try (Store store = store(capture, state, FAST, events)) {
            assertThat(store.streaming()).isTrue();
            capture.startFailures.add(new TidewayException(ErrorCode.UNREACHABLE, "cannot connect: connection refused"));
            capture.startFailures.add(new TidewayException(ErrorCode.INTERNAL, "cannot prepare the slot",
                    new SQLNonTransientConnectionException("the database system is starting up", "57P03")));
            capture.sessions.get(0).failure = new RuntimeException("binlog reader stopped", new SocketException("Connection reset"));

            within(5, () -> store.reconnecting() != null);
            assertThat(store.streaming()).isFalse();
            assertThat(store.caughtUpOnce()).as("never synced while reconnecting").isFalse();
            within(10, () -> capture.sessions.size() == 2 && store.reconnecting() == null);
            store.check();
            assertThat(store.streaming()).isTrue();
            assertThat(store.session()).isSameAs(capture.sessions.get(1));
            assertThat(capture.sessions.get(0).closed).as("the lost session is closed before a new one starts").isTrue();

            // resumed from the saved offset (5), not from where the lost session had read to (10)
            assertThat(capture.startedFrom).containsExactly("1", "6");
            // attempts 1 s, 2 s, 4 s apart (here 100, 200, 400 ms)
            List<Long> t = capture.startTimes;
            assertThat(t).hasSize(4);
            assertThat((t.get(3) - t.get(2)) / 1_000_000).isGreaterThanOrEqualTo(380);
            assertThat((t.get(2) - t.get(1)) / 1_000_000).isBetween(190L, 380L);
            // events 6..10 came twice from the capture; the spool holds each once, in order
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 15; i++) {
                expected.add(position(i));
            }
            assertThat(spooledPositions()).containsExactlyElementsOf(expected);

            within(5, () -> events.size() == 4);
            assertThat(events).extracting(Recorded::level).containsExactly("WARN", "WARN", "WARN", "INFO");
            assertThat(events.get(0).message()).contains("lost its connection").contains("Connection reset")
                    .contains("127.0.0.1:3306");
            assertThat(events.get(1).message()).contains("attempt 1").contains("connection refused");
            assertThat(events.get(2).message()).contains("attempt 2").contains("starting up");
            assertThat(events.get(3).message()).contains("reconnected").contains("attempt 3");
        }
    }

    @Test
    void aFailureThatNeedsAPersonFailsAtOnceWithItsOwnMessage() throws Exception {
        FakeCapture capture = new FakeCapture(3);
        List<Recorded> events = new CopyOnWriteArrayList<>();
        try (Store store = store(capture, new State(), FAST, events)) {
            TidewayException denied = new TidewayException(ErrorCode.PRIVILEGE_MISSING,
                    "the server refused the capture's user 'tideway'; grant it REPLICATION SLAVE",
                    new SQLException("Access denied", "28000", 1045));
            capture.sessions.get(0).failure = denied;
            eventually(5, () -> assertThatThrownBy(store::check).isSameAs(denied));
            assertThat(capture.startTimes).as("no reconnect attempt").hasSize(1);
            assertThat(events).isEmpty();
        }
    }

    @Test
    void aResumeRefusedForGoodFailsAtOnceWithTheCapturesMessage() throws Exception {
        FakeCapture capture = new FakeCapture(3);
        List<Recorded> events = new CopyOnWriteArrayList<>();
        try (Store store = store(capture, new State(), FAST, events)) {
            TidewayException purged = new TidewayException(ErrorCode.INTERNAL,
                    "the binlog position the capture saved is no longer on the server");
            capture.startFailures.add(purged);
            capture.sessions.get(0).failure = new java.io.EOFException();
            eventually(5, () -> assertThatThrownBy(store::check).isSameAs(purged));
            assertThat(capture.startTimes).hasSize(2);
            assertThat(store.reconnecting()).isNull();
        }
    }

    @Test
    void aSourceThatStaysAwayFailsTheStepAfterTheTimeLimitNamingTheLastError() throws Exception {
        FakeCapture capture = new FakeCapture(3);
        List<Recorded> events = new CopyOnWriteArrayList<>();
        Store.Backoff brief = new Store.Backoff(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(1500));
        try (Store store = store(capture, new State(), brief, events)) {
            for (int i = 0; i < 50; i++) {
                capture.startFailures.add(new TidewayException(ErrorCode.UNREACHABLE, "cannot connect: connection refused"));
            }
            long t0 = System.nanoTime();
            capture.sessions.get(0).failure = new SocketException("Connection reset");
            eventually(10, () -> assertThatThrownBy(store::check)
                    .isInstanceOf(TidewayException.class)
                    .hasMessageContaining("could not reconnect within 1.5 s")
                    .hasMessageContaining("connection refused")
                    .hasMessageContaining("run the project again")
                    .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.UNREACHABLE));
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1500);
            // waits 100, 200, 300, 300, ...: about six attempts in 1.5 s, not a busy loop
            assertThat(capture.startTimes.size() - 1).isBetween(3, 8);
        }
    }

    @Test
    void closingDuringAReconnectReturnsPromptly() throws Exception {
        FakeCapture capture = new FakeCapture(3);
        Store.Backoff slow = new Store.Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(10));
        Store store = store(capture, new State(), slow, new CopyOnWriteArrayList<>());
        capture.sessions.get(0).failure = new SocketException("Connection reset");
        within(5, () -> store.reconnecting() != null);
        long t0 = System.nanoTime();
        store.close();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        assertThat(capture.startTimes).hasSize(1);
    }

    @Test
    void whatLooksTransient() {
        assertThat(CaptureFailures.looksTransient(new SocketException("Connection reset"))).isTrue();
        assertThat(CaptureFailures.looksTransient(new RuntimeException("x", new java.net.ConnectException("refused")))).isTrue();
        assertThat(CaptureFailures.looksTransient(new SQLException("terminating connection due to administrator command", "57P01")))
                .isTrue();
        assertThat(CaptureFailures.looksTransient(new SQLException("Server shutdown in progress", "08S01", 1053))).isTrue();
        assertThat(CaptureFailures.looksTransient(new RuntimeException("Server shutdown in progress Error code: 1053;"))).isTrue();
        assertThat(CaptureFailures.looksTransient(new TidewayException(ErrorCode.TRANSIENT, "timeout"))).isTrue();
        assertThat(CaptureFailures.looksTransient(new SQLException("Access denied for user", "28000", 1045))).isFalse();
        assertThat(CaptureFailures.looksTransient(new TidewayException(ErrorCode.CONFIG_INVALID, "slot taken",
                new SocketException("Connection reset")))).as("a non-retriable code wins").isFalse();
        assertThat(CaptureFailures.looksTransient(new TidewayException(ErrorCode.INTERNAL, "could not find first log file"))).isFalse();
        assertThat(CaptureFailures.looksTransient(new IllegalStateException("something else"))).isFalse();
    }
}

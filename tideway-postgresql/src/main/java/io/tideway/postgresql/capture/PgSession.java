package io.tideway.postgresql.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.tideway.core.change.ApplyMarker;
import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.debezium.CaptureEngine;
import io.tideway.debezium.CaptureStates;
import io.tideway.debezium.ConnectionWatch;
import io.tideway.debezium.StateOffsetStore;
import io.tideway.postgresql.PostgresDialect;
import io.tideway.postgresql.PostgresPlugin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running capture: the engine on its own thread, and the translation of its batches. */
final class PgSession implements ChangeCapture.Session {
    private static final Logger LOG = LoggerFactory.getLogger(PgSession.class);
    static final String UNAVAILABLE = "__tideway_unavailable_value";

    private final String slot;
    private final String stateId;
    private final String startPosition;
    private final CaptureEngine engine;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final PgRecords records;
    private final CaptureSpec spec;
    private final PostgresDialect dialect;
    private final PgCaughtUp caughtUp;
    private volatile ConnectionWatch watch;
    private Connection probe;
    /** The connection {@link #readServer} reads on (the engine's thread only). */
    private Connection sentProbe;
    private boolean probeWarned;

    /**
     * System property: how long the server may go without a reply from the replication connection
     * before Tideway takes it as lost (milliseconds, default 60 s, PostgreSQL's own
     * wal_sender_timeout default). For tests.
     */
    static final String STALL_PROPERTY = "tideway.capture.postgresql.stall-millis";

    static long stallMillis() {
        return Math.max(2_000, Long.getLong(STALL_PROPERTY, 60_000));
    }

    PgSession(CaptureSpec spec, CaptureSink sink, PostgresDialect dialect, String slot, Map<TableId, Table> tables,
              long startLsn, Duration startTimeout) {
        this.slot = slot;
        this.spec = spec;
        this.dialect = dialect;
        this.startPosition = PgPosition.of(startLsn, 0, 0);
        this.caughtUp = new PgCaughtUp(slot, this::readServer);
        this.records = new PgRecords(spec, dialect, tables, startLsn, startPosition, UNAVAILABLE, caughtUp);
        this.stateId = CaptureStates.register(spec.state());
        Properties props = engineProperties(spec, slot, stateId);
        this.engine = new CaptureEngine(slot, props, null,
                (List<RecordChangeEvent<SourceRecord>> batch,
                 DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) ->
                        records.handle(batch, committer, sink),
                (success, message, error) -> {
                    if (!success && !stopped.get()) {
                        failure.compareAndSet(null, new TidewayException(ErrorCode.INTERNAL, "capture " + slot
                                + " stopped: " + CaptureEngine.describe(message, error), error));
                    }
                    stopped.set(true);
                });
        try {
            awaitStreaming(spec, dialect, startTimeout);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        watch = new ConnectionWatch(slot, Math.max(1_000, stallMillis() / 6), this::watchReplies);
    }

    /**
     * A replication connection that a network device dropped without telling either end looks
     * alive from here: reads find nothing and the connector's own heartbeats go on. The server
     * sees it: no reply arrives. Asked on a connection of its own, when the server has had no
     * reply from this slot's reader for {@link #stallMillis()} (PostgreSQL's wal_sender_timeout
     * rule, applied even where the server's is off), or the slot has had no reader that long,
     * the session ends with a TRANSIENT failure, so the Store starts it again from the saved
     * offsets; the server process still holding the slot for the dead connection is ended
     * first, so that the new session can take the slot. Nothing is lost: offsets cover only
     * what the sink accepted. A source that no new connection reaches for as long is taken
     * the same way (the reconnect then reports why it cannot connect).
     */
    private void watchReplies() {
        if (stopped.get() || failure.get() != null) {
            return;
        }
        long stall = stallMillis();
        try {
            if (probe == null || probe.isClosed()) {
                // every step bounded, so that a dead network path fails the check instead of hanging it
                Map<String, String> props = new LinkedHashMap<>(spec.source().properties());
                props.putIfAbsent("loginTimeout", "10");
                props.putIfAbsent("socketTimeout", "10");
                var src = spec.source();
                probe = dialect.connect(new DataSourceConfig(src.type(), src.host(), src.port(),
                        src.user(), src.password(), src.database(), props));
            }
            Integer pid = null;
            Double replyAge = null;
            try (PreparedStatement ps = probe.prepareStatement("SELECT s.active_pid,"
                    // before its first reply the server shows a zero reply_time: count from the process start then
                    + " EXTRACT(EPOCH FROM (clock_timestamp() - GREATEST(r.reply_time, r.backend_start)))::float8"
                    + " FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid"
                    + " WHERE s.slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return;   // the slot is gone: the reader fails by itself, naming it
                    }
                    int p = rs.getInt(1);
                    pid = rs.wasNull() ? null : p;
                    double a = rs.getDouble(2);
                    replyAge = rs.wasNull() ? null : a;
                }
            }
            probeWarned = false;
            probeFailingSince = 0;
            long now = System.currentTimeMillis();
            if (pid == null) {
                if (noReaderSince == 0) {
                    noReaderSince = now;
                } else if (now - noReaderSince >= stall) {
                    lost("the server has had no reader on replication slot " + slot + " for " + (now - noReaderSince) / 1000
                            + " s although this one streams: its connection is taken as lost");
                }
                return;
            }
            noReaderSince = 0;
            if (replyAge != null && replyAge * 1000 >= stall) {
                try (PreparedStatement ps = probe.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, pid);
                    ps.execute();
                } catch (SQLException e) {
                    LOG.warn("capture {}: ending server process {} of the lost connection: {}", slot, pid, e.getMessage());
                }
                lost(String.format(Locale.ROOT, "the server has had no reply from the replication connection"
                        + " for %.0f s (reads here found nothing, without an error): the connection is taken as lost,"
                        + " and its server process %d was ended", replyAge, pid));
            }
        } catch (SQLException | RuntimeException e) {
            if (!probeWarned) {
                probeWarned = true;
                LOG.warn("capture {}: cannot check the replication connection on the server: {}", slot, e.getMessage());
            }
            closeProbe();
            // a source no connection reaches: the reader's silence is no sign of a current capture (its own
            // heartbeats would keep the lag near 0); taken as lost, the reconnect shows what is wrong
            long now = System.currentTimeMillis();
            if (probeFailingSince == 0) {
                probeFailingSince = now;
            } else if (now - probeFailingSince >= stall) {
                lost("the source has not been reachable on a new connection for " + (now - probeFailingSince) / 1000
                        + " s (" + e.getMessage() + "): the replication connection is taken as lost");
            }
        }
    }

    private long noReaderSince;
    private long probeFailingSince;

    private void lost(String why) {
        if (failure.compareAndSet(null, new TidewayException(ErrorCode.TRANSIENT, "capture " + slot + ": " + why))) {
            LOG.warn("capture {}: {}", slot, why);
        }
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // already broken
            }
            probe = null;
        }
    }

    /** Waits until the engine polls and the slot is active (streaming to it), or fails. */
    private void awaitStreaming(CaptureSpec spec, PostgresDialect dialect, Duration timeout) {
        try (Connection c = dialect.connect(spec.source());
             PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            engine.awaitStreaming(timeout, 100, () -> {
                if (!engine.polling()) {
                    return false;
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }, () -> {
                Throwable f = failure.get();
                if (f == null) {
                    return new TidewayException(ErrorCode.INTERNAL, "capture " + slot + " stopped while starting");
                }
                String text = f.getMessage() == null ? f.toString() : f.getMessage();
                if (text.contains("is active")) {
                    return PostgresCapture.slotInUse(slot, 0, spec);
                }
                return new TidewayException(ErrorCode.INTERNAL, "capture " + slot + " could not start: " + text, f);
            }, () -> new TidewayException(ErrorCode.TRANSIENT, "capture " + slot + " did not start streaming within "
                    + timeout.toSeconds() + " s (is the slot held by another consumer, or the server slow?)"));
            LOG.info("capture {}: streaming from {}", slot, startPosition);
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "capture " + slot + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String startPosition() {
        return startPosition;
    }

    @Override
    public boolean running() {
        return !stopped.get() && failure.get() == null;
    }

    @Override
    public Throwable failure() {
        Throwable f = failure.get();
        return f != null ? f : records.failure();
    }

    /**
     * Whether a heartbeat in the last few seconds showed, as the server tells it, that the capture
     * has handed over everything the source committed before a recent moment ({@link PgCaughtUp}).
     * A heartbeat alone shows only that the connection was empty, which a server that has yet to
     * send what was committed also leaves it.
     */
    @Override
    public boolean caughtUp() {
        return running() && System.currentTimeMillis() - caughtUp.verified() < CAUGHT_UP_WITHIN;
    }

    /** How recent {@link PgCaughtUp#verified()} must be for {@link #caughtUp()}: heartbeats confirm it about 2 s late. */
    static final long CAUGHT_UP_WITHIN = 5_000;

    /**
     * Reads the source's WAL flush position and how far this slot's sender has read the log (see
     * {@link PgCaughtUp}), on a connection of its own whose every step is bounded; null when the slot
     * has no sender.
     */
    private PgCaughtUp.Reading readServer() throws SQLException {
        long asked = System.currentTimeMillis();
        try {
            if (sentProbe == null || sentProbe.isClosed()) {
                Map<String, String> props = new LinkedHashMap<>(spec.source().properties());
                props.putIfAbsent("loginTimeout", "10");
                props.putIfAbsent("socketTimeout", "10");
                var src = spec.source();
                sentProbe = dialect.connect(new DataSourceConfig(src.type(), src.host(), src.port(),
                        src.user(), src.password(), src.database(), props));
                asked = System.currentTimeMillis();
            }
            try (PreparedStatement ps = sentProbe.prepareStatement("SELECT (CASE WHEN pg_is_in_recovery()"
                    + " THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_flush_lsn() END)::text, r.sent_lsn::text,"
                    + " a.wait_event = 'WalSenderWaitForWAL'"
                    + " FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid"
                    + " LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid WHERE s.slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null || rs.getString(2) == null) {
                        return null;
                    }
                    return new PgCaughtUp.Reading(PgPosition.parseLsn(rs.getString(1)), PgPosition.parseLsn(rs.getString(2)),
                            rs.getBoolean(3), asked, System.currentTimeMillis());
                }
            }
        } catch (SQLException e) {
            closeSentProbe();
            throw e;
        }
    }

    private void closeSentProbe() {
        if (sentProbe != null) {
            try {
                sentProbe.close();
            } catch (SQLException ignored) {
                // already broken
            }
            sentProbe = null;
        }
    }

    @Override
    public void close() {
        boolean wasStopped = stopped.getAndSet(true);
        ConnectionWatch w = watch;
        if (w != null) {
            w.close();
            closeProbe();
        }
        engine.close();
        records.close();
        closeSentProbe();
        CaptureStates.unregister(stateId);
        if (!wasStopped) {
            LOG.info("capture {} stopped", slot);
        }
    }

    /** Escapes a name for the engine's comma-separated regular-expression lists. */
    static String regex(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch < 128 && !Character.isLetterOrDigit(ch) && ch != '_') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }

    static Properties engineProperties(CaptureSpec spec, String slot, String stateId) {
        Properties p = new Properties();
        p.setProperty("name", "tideway-" + slot);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", StateOffsetStore.class.getName());
        p.setProperty(CaptureStates.ID_PROPERTY, stateId);
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("offset.flush.timeout.ms", "10000");
        p.setProperty("topic.prefix", slot);
        // the __debezium.context.* headers of every record: Tideway reads none of them
        p.setProperty("extended.headers.enabled", "false");
        p.setProperty("database.hostname", spec.source().host());
        p.setProperty("database.port", Integer.toString(spec.source().port()));
        p.setProperty("database.user", spec.source().user() == null ? "" : spec.source().user());
        p.setProperty("database.password", spec.source().password());
        String db = spec.source().database();
        p.setProperty("database.dbname", db == null || db.isEmpty() ? "postgres" : db);
        String ssl = spec.source().properties().get("sslmode");
        if (ssl != null) {
            p.setProperty("database.sslmode", ssl);
        }
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", slot);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("slot.max.retries", "2");
        p.setProperty("slot.retry.delay.ms", "1000");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("table.include.list", Stream.concat(spec.tables().stream(),
                        spec.tables().stream().map(TableId::schema).distinct().map(ApplyMarker::in))
                .map(t -> regex(t.schema()) + "\\." + regex(t.table())).collect(Collectors.joining(",")));
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("include.unknown.datatypes", "true");
        // bit varying as the text of its bits (the connector's bytes lose leading zeros); to PostgreSQL, values also go
        // as PostgreSQL's own text where Debezium's forms lose something
        p.setProperty("converters", VarbitAsText.NAME
                + (PostgresPlugin.FAMILY.equals(spec.peer()) ? "," + PgVerbatimConverter.NAME : ""));
        p.setProperty(VarbitAsText.NAME + ".type", VarbitAsText.class.getName());
        if (PostgresPlugin.FAMILY.equals(spec.peer())) {
            p.setProperty(PgVerbatimConverter.NAME + ".type", PgVerbatimConverter.class.getName());
        }
        // each field's schema names its source type, length and scale: a column whose type changes gets a new
        // schema, which PgRecords tells the Connector about (PostgreSQL logs no DDL)
        p.setProperty("column.propagate.source.type", ".*");
        p.setProperty("unavailable.value.placeholder", UNAVAILABLE);
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("skipped.operations", "none");
        p.setProperty("heartbeat.interval.ms", "1000");
        // the replies that tell the server (and PgSession's watch) that this reader is alive
        p.setProperty("status.update.interval.ms", Long.toString(Math.max(500, Math.min(10_000, stallMillis() / 4))));
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        p.setProperty("poll.interval.ms", "50");
        // one reconnect path: a lost connection stops the engine, and the Store starts a new session from the
        // saved offsets (with backoff, events and a time limit) instead of the engine retrying on its own
        p.setProperty("errors.max.retries", "0");
        p.setProperty("record.processing.threads", "1");
        return p;
    }
}

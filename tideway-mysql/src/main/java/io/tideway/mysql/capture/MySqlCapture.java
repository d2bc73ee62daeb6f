package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.mysql.MySqlPlugin;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.TablePatterns;
import io.tideway.core.project.TidewayTables;
import io.tideway.debezium.CaptureEngine;
import io.tideway.debezium.CaptureStates;
import io.tideway.debezium.SavedOffsets;
import io.tideway.debezium.StateOffsetStore;
import io.tideway.debezium.StreamingMetrics;
import io.tideway.mysql.MySqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change capture for MySQL, MariaDB and OceanBase (MySQL mode) through the Debezium embedded
 * engine: the MariaDB connector for {@code mariadb}, the MySQL connector for {@code mysql} and
 * {@code oceanbase-mysql}. Offsets (binlog file, position, GTID set) and the schema history live
 * in the spec's {@link io.tideway.core.change.CaptureState}.
 *
 * <p>Steps of {@link #start}: 1. validate the spec; 2. register the state under a fresh id and build
 * the engine's properties; 3. run the engine on its own thread; 4. wait until the binlog reader is
 * connected (T0 fixed on a first start by a schema-only snapshot, or the saved offsets resumed), or
 * fail with the connector's reason translated into what to fix.
 *
 * <p>Events: {@link io.tideway.core.change.ChangeEvent#position()} is a {@link BinlogPosition}. An
 * UPDATE that changes the primary key comes out as one UPDATE whose {@code before} holds the old
 * key and {@code after} the new one. TRUNCATE TABLE is a TRUNCATE event; other DDL of the captured
 * databases naming a captured table (or no table) comes out as a DDL event with the statement.
 * Heartbeats come every second while the source is idle (see {@link MySqlCaptureSession}).
 */
public final class MySqlCapture implements ChangeCapture {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCapture.class);
    static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";
    static final String MYSQL_CONNECTOR = "io.debezium.connector.mysql.MySqlConnector";


    @Override
    public Session start(CaptureSpec spec, CaptureSink sink, Duration startTimeout) {
        // 1. validate
        validate(spec);
        checkColumns(spec);
        // 2. register the state (history written with the offsets that follow it), build the properties
        String id = CaptureStates.register(new HistoryWithOffsets(spec.state()));
        String prefix = topicPrefix(spec.name());
        Properties props = properties(spec, id, prefix);
        LOG.info("capture {}: starting {} from {} for {} table(s), server id {}", spec.name(),
                props.getProperty("connector.class"), spec.source(), spec.tables().size(), spec.serverId());

        // 3. run the engine
        MySqlCaptureSession session = new MySqlCaptureSession(spec, sink, id, prefix);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CaptureEngine engine;
        try {
            engine = new CaptureEngine(spec.name(), props, MySqlCapture.class.getClassLoader(), (records, committer) -> {
                session.batchStarted();
                try {
                    session.handleBatch(records, committer);
                } finally {
                    session.batchEnded();
                }
            }, (success, message, error) -> {
                if (!success) {
                    failure.set(error != null ? error : new IllegalStateException(message));
                }
                session.stopped(success ? null : failure.get(), message);
            });
        } catch (RuntimeException e) {
            CaptureStates.unregister(id);
            throw translate(spec, e, null);
        }
        session.attach(engine);

        // 4. wait for streaming: the server refuses a purged position only after the reader connected, so it is
        // given a moment to say so, unless records already came (it sent events from there: it accepted the position)
        try {
            engine.awaitStreaming(startTimeout, 200,
                    () -> streamingPosition(prefix) != null && !refusedWithin(engine, session, 1500),
                    () -> translate(spec, failure.get(), session.lastMessage()),
                    () -> new TidewayException(ErrorCode.TRANSIENT, "capture " + spec.name() + ": the binlog reader of "
                            + spec.source().address() + " did not start streaming within " + startTimeout.toSeconds()
                            + " s; check that the server is reachable and not overloaded, then retry"
                            + (failure.get() == null ? "" : " (" + failure.get().getMessage() + ")")));
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        String started = knownPosition(streamingPosition(prefix), session, spec);
        session.started(started);
        LOG.info("capture {}: streaming from {}", spec.name(), started);
        return session;
    }

    /**
     * True when the engine stops within {@code millis}; false as soon as the session receives
     * records read from the binlog after the reader connected.
     */
    private static boolean refusedWithin(CaptureEngine engine, MySqlCaptureSession session, long millis) throws InterruptedException {
        long from = System.nanoTime();
        long until = from + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < until) {
            if (engine.awaitStop(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            long batch = session.batchStartedNanos();
            if (batch != 0 && batch - from > 0) {
                return false;
            }
        }
        return false;
    }

    @Override
    public void release(CaptureSpec spec) {
        // the binlog connectors create nothing on the source: offsets and history live in the CaptureState
    }

    /**
     * MariaDB: {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}, whose binlog place the server
     * reports as {@code binlog_snapshot_file} and {@code binlog_snapshot_position}; no lock. MySQL and
     * OceanBase-MySQL report no such place: {@code LOCK TABLES t READ} on a second connection (it waits
     * for the open writes on the table to commit and holds new ones back) while the snapshot starts and
     * the binlog's end is read, then {@code UNLOCK TABLES}: the table's writes before that end are in the
     * snapshot, those after it are not. The snapshot point is a position of the binlog's end, as
     * {@link BinlogPosition} spells them, with no event and row: a transaction that starts before it
     * was committed before the snapshot.
     */
    @Override
    public String beginConsistentRead(DataSourceType type, Connection reader, java.util.function.Supplier<Connection> locker,
                                      TableId table) throws SQLException {
        try (Statement st = reader.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            if (MySqlPlugin.MARIADB.equals(type) && !Boolean.getBoolean("tideway.capture.mysql.lock-snapshot")) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
                String file = null;
                long pos = -1;
                try (ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
                    while (rs.next()) {
                        if ("binlog_snapshot_file".equalsIgnoreCase(rs.getString(1))) {
                            file = rs.getString(2);
                        } else if ("binlog_snapshot_position".equalsIgnoreCase(rs.getString(1))) {
                            pos = Long.parseLong(rs.getString(2));
                        }
                    }
                }
                if (file == null || file.isEmpty() || pos < 0) {
                    throw new TidewayException(ErrorCode.CONFIG_INVALID, "reading " + table + " at a known binlog position:"
                            + " the server reports no binlog_snapshot_file; turn the binary log on (log_bin) and run again");
                }
                return BinlogPosition.of(file, pos, 0, 0);
            }
            MySqlDialect d = new MySqlDialect();
            try (Connection lock = locker.get(); Statement ls = lock.createStatement()) {
                ls.execute("LOCK TABLES " + d.quote(table) + " READ");
                try {
                    st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
                    String[] end = BinlogEnds.binlogEnd(reader);
                    if (end == null) {
                        throw new TidewayException(ErrorCode.CONFIG_INVALID, "reading " + table + " at a known binlog"
                                + " position: SHOW MASTER STATUS shows no binary log; turn it on (log_bin) and run again");
                    }
                    return BinlogPosition.of(end[0], Long.parseLong(end[1]), 0, 0);
                } finally {
                    ls.execute("UNLOCK TABLES");
                }
            }
        }
    }

    /**
     * The binlog connectors first save the offset of their schema snapshot (it holds {@code "snapshot"}),
     * from which a restart does not resume: it takes the snapshot again, at the binlog's end of that
     * moment, and the changes in between are never read. Only an offset saved while streaming is one to
     * resume from.
     */
    @Override
    public boolean resumesFrom(java.util.Map<String, String> offsets) {
        return !offsets.isEmpty() && offsets.values().stream().noneMatch(v -> v == null || v.contains("\"snapshot\""));
    }

    /** A change is in the snapshot when its transaction starts before the snapshot's binlog place. */
    @Override
    public boolean seenBy(String snapshotPoint, String position) {
        return position.compareTo(snapshotPoint) < 0;
    }

    /**
     * Adds to the common reading what is final for a binlog reader: a purged or unknown binlog
     * position (error 1236), a refused login, a binlog format or row image that is not ROW/FULL, and
     * another replica using the capture's server id.
     */
    @Override
    public boolean worthRetrying(Throwable failure) {
        String text = io.tideway.core.change.CaptureFailures.allMessages(failure);
        for (String fatal : new String[] {"error code: 1236", "no longer available on the server", "purged",
                "could not find first log file", "binlog truncated", "access denied", "failed to authenticate",
                "binlog_format", "binlog_row_image", "same server_uuid", "same server_id", "server id"}) {
            if (text.contains(fatal)) {
                return false;
            }
        }
        return ChangeCapture.super.worthRetrying(failure);
    }

    // ------------------------------------------------------------------ configuration

    private void validate(CaptureSpec spec) {
        if (!MySqlPlugin.TYPES.contains(spec.source().type())) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "capture " + spec.name() + ": source type '"
                    + spec.source().type() + "' is not of the MySQL family; expected one of mysql, mariadb, oceanbase-mysql");
        }
        if (spec.tables().isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "capture " + spec.name() + ": no tables to capture");
        }
        if (spec.serverId() <= 0 || spec.serverId() > 0xFFFFFFFFL) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "capture " + spec.name() + ": server id " + spec.serverId()
                    + " is out of range; expected 1..4294967295, unique among the replicas of " + spec.source().address());
        }
    }

    /**
     * MariaDB's uuid type: the binlog reader decodes time-based (version 1) UUIDs, which MariaDB
     * stores reordered, into wrong values, so such tables are refused rather than copied wrong.
     */
    private static void checkColumns(CaptureSpec spec) {
        if (!MySqlPlugin.MARIADB.equals(spec.source().type())) {
            return;
        }
        List<String> found = new ArrayList<>();
        try (Connection c = new MySqlDialect().connect(spec.source().withDatabase(null));
                PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND DATA_TYPE = 'uuid' ORDER BY ORDINAL_POSITION")) {
            for (TableId t : spec.tables()) {
                ps.setString(1, t.schema());
                ps.setString(2, t.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add("table " + t + " column " + rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.TRANSIENT, "capture " + spec.name() + ": reading the column types of "
                    + spec.source().address() + ": " + e.getMessage(), e);
        }
        if (!found.isEmpty()) {
            throw new TidewayException(ErrorCode.UNSUPPORTED_TYPE, "capture " + spec.name() + ": " + String.join(", ", found)
                    + UUID_WHY + "; change the column to char(36) (ALTER TABLE ... MODIFY ... char(36) keeps the text) or exclude the table");
        }
    }

    private static final String UUID_WHY = " is of MariaDB's uuid type, whose time-based values the binlog reader decodes wrongly";

    /** MariaDB's uuid columns (see {@link #checkColumns}), for a table created or altered during the sync. */
    @Override
    public List<String> unreadableColumns(DataSourceType type, io.tideway.core.model.Table table) {
        if (!MySqlPlugin.MARIADB.equals(type)) {
            return List.of();
        }
        return table.columns().stream()
                .filter(c -> c.type().kind() == io.tideway.core.model.ColumnType.Kind.UUID)
                .map(c -> "column " + c.name() + " of " + table.id() + UUID_WHY)
                .toList();
    }

    static Properties properties(CaptureSpec spec, String id, String prefix) {
        Properties p = new Properties();
        boolean mariadb = MySqlPlugin.MARIADB.equals(spec.source().type());
        p.setProperty("name", prefix);
        p.setProperty("connector.class", mariadb ? MARIADB_CONNECTOR : MYSQL_CONNECTOR);
        p.setProperty(CaptureStates.ID_PROPERTY, id);
        p.setProperty("offset.storage", StateOffsetStore.class.getName());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("offset.flush.timeout.ms", "10000");
        p.setProperty("schema.history.internal", StateSchemaHistory.class.getName());
        p.setProperty(StateSchemaHistory.ID_KEY, id);
        p.setProperty("schema.history.internal.store.only.captured.databases.ddl", "true");
        p.setProperty("topic.prefix", prefix);
        p.setProperty("topic.naming.strategy", TopicNames.class.getName());
        // the __debezium.context.* headers of every record: Tideway reads none of them
        p.setProperty("extended.headers.enabled", "false");
        p.setProperty("database.hostname", spec.source().host());
        p.setProperty("database.port", String.valueOf(spec.source().port()));
        p.setProperty("database.user", spec.source().user() == null ? "" : spec.source().user());
        p.setProperty("database.password", spec.source().password());
        p.setProperty("database.server.id", String.valueOf(spec.serverId()));
        p.setProperty("database.include.list", databaseIncludeList(spec));
        p.setProperty("table.include.list", tableIncludeList(spec));
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("include.schema.changes", "true");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("skipped.operations", "none");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("column.propagate.source.type", ".*");
        p.setProperty("heartbeat.interval.ms", "1000");
        // the server sends its own heartbeat events every 0.8 x this while the binlog is idle
        p.setProperty("connect.keep.alive.interval.ms", "2000");
        // one reconnect path: the binlog client does not reconnect by itself (it would resume from its own
        // in-memory position); a lost connection ends the session and the Store starts a new one from the
        // saved offsets (see MySqlCaptureSession#watchConnection)
        p.setProperty("connect.keep.alive", "false");
        p.setProperty("connect.timeout.ms", "10000");
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        p.setProperty("poll.interval.ms", "100");
        p.setProperty("errors.max.retries", "0");
        return p;
    }

    /** The databases read: those of the spec's tables, and those its patterns cover. */
    static String databaseIncludeList(CaptureSpec spec) {
        Stream<String> exact = spec.tables().stream().map(TableId::schema).distinct().map(MySqlCapture::exactRegex);
        Stream<String> covered = spec.patterns() == null ? Stream.empty()
                : spec.patterns().include().stream().map(p -> globRegex(TablePatterns.schemaPart(p)));
        return Stream.concat(exact, covered).distinct().collect(Collectors.joining(","));
    }

    /**
     * The tables whose rows are read: the spec's tables, and every table its patterns select (so a
     * table created or renamed under a selected name while the capture runs is read too), never one
     * of Tideway's own tables ({@link TidewayTables}) but the marker table of every schema read,
     * whose writes tell Tideway's own transactions (loop prevention, see ApplyMarker). An exclude
     * pattern, and each of Tideway's own table names, becomes a negative look-ahead in front of each
     * include pattern.
     */
    static String tableIncludeList(CaptureSpec spec) {
        Stream<String> markers = spec.tables().stream().map(TableId::schema).distinct()
                .map(schema -> exactRegex(schema) + "\\." + exactRegex(io.tideway.core.change.ApplyMarker.TABLE));
        Stream<String> exact = Stream.concat(spec.tables().stream().filter(t -> !TidewayTables.isOwn(t))
                        .map(t -> exactRegex(t.schema()) + "\\." + exactRegex(t.table())), markers);
        if (spec.patterns() == null) {
            return exact.collect(Collectors.joining(","));
        }
        Stream<String> own = TidewayTables.NAMES.stream().sorted().map(name -> ".*\\." + exactRegex(name));
        String not = "(?!(?:" + Stream.concat(spec.patterns().exclude().stream().map(MySqlCapture::patternRegex), own)
                .collect(Collectors.joining("|")) + ")$)";
        Stream<String> selected = spec.patterns().include().stream().map(p -> not + patternRegex(p));
        return Stream.concat(exact, selected).distinct().collect(Collectors.joining(","));
    }

    private static String patternRegex(String pattern) {
        return globRegex(TablePatterns.schemaPart(pattern)) + "\\." + globRegex(TablePatterns.tablePart(pattern));
    }

    /** A glob ({@code *} any run, {@code ?} one character) as a regular expression, other characters literal. */
    static String globRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        glob.codePoints().forEach(cp -> {
            if (cp == '*') {
                sb.append(".*");
            } else if (cp == '?') {
                sb.append('.');
            } else {
                sb.append(exactRegex(new String(Character.toChars(cp))));
            }
        });
        return sb.toString();
    }

    /** A regular expression matching exactly {@code name}: every character but [A-Za-z0-9_] as \x{..}. */
    static String exactRegex(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_') {
                sb.appendCodePoint(cp);
            } else {
                sb.append("\\x{").append(Integer.toHexString(cp)).append('}');
            }
        });
        return sb.toString();
    }

    /** The connector's logical name: stable for a capture name (it keys the saved offsets). */
    static String topicPrefix(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.isEmpty() ? "tideway" : s;
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Where a capture that streams reads from, for messages: the reader's own position once it has
     * seen an event (it names no file before that, on an idle source), else the offset of the last
     * record delivered, else the offset it resumed from.
     */
    static String knownPosition(String streaming, MySqlCaptureSession session, CaptureSpec spec) {
        if (streaming != null && !streaming.startsWith("000000:")) {   // file sequence 0: no file named yet
            return streaming;
        }
        String reached = session.reachedPosition();
        if (reached != null) {
            return reached;
        }
        for (String offset : spec.state().loadOffsets().values()) {
            Optional<String> file = SavedOffsets.text(offset, "file");
            Optional<Long> pos = SavedOffsets.number(offset, "pos");
            if (file.isPresent() && pos.isPresent()) {
                return BinlogPosition.of(file.get(), pos.get(), 0, 0);
            }
        }
        return streaming;
    }

    /** The position the binlog reader reads from once it is connected, or null while it is not. */
    static String streamingPosition(String prefix) {
        return StreamingMetrics.whenConnected(prefix, "BinlogFilename", "BinlogPosition")
                .map(a -> BinlogPosition.of(a.get("BinlogFilename") == null ? null : a.get("BinlogFilename").toString(),
                        a.get("BinlogPosition") instanceof Number num ? num.longValue() : 0, 0, 0))
                .orElse(null);
    }

    /** The connector's failure as a message that says what is wrong and how to fix it. */
    static TidewayException translate(CaptureSpec spec, Throwable error, String engineMessage) {
        StringBuilder all = new StringBuilder(engineMessage == null ? "" : engineMessage);
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(" | ").append(t.getMessage());
        }
        String text = all.toString();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        String where = "capture " + spec.name() + " of " + spec.source().address() + ": ";
        String reason = rootMessage(error, engineMessage);
        if (lower.contains("binlog_format")) {
            return new TidewayException(ErrorCode.PRECHECK_FAILED, where + "the server's binlog_format is not ROW; set"
                    + " binlog_format=ROW (and binlog_row_image=FULL) in the server configuration, restart it, then retry"
                    + " [" + reason + "]", error);
        }
        if (lower.contains("binlog_row_image")) {
            return new TidewayException(ErrorCode.PRECHECK_FAILED, where + "the server's binlog_row_image is not FULL; set"
                    + " binlog_row_image=FULL, then retry [" + reason + "]", error);
        }
        if (lower.contains("no longer available on the server") || lower.contains("purged")
                || lower.contains("could not find first log file") || lower.contains("binlog truncated")) {
            return new TidewayException(ErrorCode.INTERNAL, where + "the binlog position the capture saved is no longer"
                    + " on the server (its binlog files were purged while the capture was stopped), so changes made since"
                    + " then cannot be read; release the project's capture and run the full copy again, and keep binlogs"
                    + " longer than the longest pause (binlog_expire_logs_seconds / expire_logs_days) [" + reason + "]",
                    error);
        }
        if (lower.contains("access denied")) {
            return new TidewayException(ErrorCode.PRIVILEGE_MISSING, where + "the server refused the capture's user '"
                    + spec.source().user() + "'; grant it REPLICATION SLAVE, REPLICATION CLIENT, SELECT and RELOAD, then"
                    + " retry [" + reason + "]", error);
        }
        if (lower.contains("server id") || lower.contains("server_id") || lower.contains("same server_uuid")) {
            return new TidewayException(ErrorCode.CONFIG_INVALID, where + "another replica uses server id " + spec.serverId()
                    + "; give the capture a server id unique among the source's replicas [" + reason + "]", error);
        }
        if (lower.contains("communications link failure") || lower.contains("connection refused")
                || lower.contains("unable to connect")) {
            return new TidewayException(ErrorCode.UNREACHABLE, where + "cannot connect; check host, port and that the"
                    + " server is running [" + reason + "]", error);
        }
        return new TidewayException(ErrorCode.INTERNAL, where + "the change capture failed to start: " + reason, error);
    }

    private static String rootMessage(Throwable error, String engineMessage) {
        String best = engineMessage;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t.getMessage();
            }
        }
        return best == null ? "no reason given" : best;
    }
}

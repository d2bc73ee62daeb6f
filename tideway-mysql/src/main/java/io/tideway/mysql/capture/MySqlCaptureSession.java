package io.tideway.mysql.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.ChangeEvent.Op;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.debezium.CaptureEngine;
import io.tideway.debezium.CaptureStates;
import io.tideway.debezium.ConnectionWatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running capture: receives the engine's batches, turns them into {@link ChangeEvent}s, hands
 * them to the sink, and only then marks the records processed so that their offsets may be saved.
 *
 * <p>Heartbeats carry the source time of the last binlog event read, unless the reader has read
 * the binlog to its current end (the offset equals {@code SHOW MASTER STATUS}): then the source
 * is idle and they carry the time they were made. A batch without captured changes is not enough
 * to tell: the reader may be busy skipping other tables' rows.
 */
final class MySqlCaptureSession implements ChangeCapture.Session,
        DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCaptureSession.class);
    private static final String NEW_KEY_HEADER = "__debezium.newkey";
    private static final String OLD_KEY_HEADER = "__debezium.oldkey";
    /**
     * Shortens the spec's {@link CaptureSpec.Watch#silence()} (tests only; at least 5 s, above the
     * server's 1.6 s heartbeat).
     */
    static final String SILENCE_PROPERTY = "tideway.capture.mysql.silence-millis";
    /** A connected binlog reader that delivers nothing for this long is taken as disconnected. */
    private final long silenceMillis;

    private final CaptureSpec spec;
    private final CaptureSink sink;
    private final String id;
    private final String prefix;
    private final CapturedTables tables;
    /** Samples of the binlog's end, which tell how far the capture has read. */
    private final BinlogEnds binlogEnds;
    private final Set<String> schemas = new HashSet<>();
    private final CanonicalValues values = new CanonicalValues();
    /** Puts back the zero dates the binlog reader delivers as NULL or a default (see {@link ZeroDateLookup}). */
    private final ZeroDateLookup zeroDates;
    /** Drops the changes of Tideway's own apply transactions (see {@link io.tideway.core.change.ApplyMarker}). */
    private final io.tideway.core.change.ApplyMarker.Filter own = new io.tideway.core.change.ApplyMarker.Filter();

    private volatile CaptureEngine engine;
    /** Checks the binlog connection every second ({@link #watchConnection}), from the start of streaming on. */
    private volatile ConnectionWatch watch;
    private volatile String startPosition;
    private volatile Throwable failure;
    private volatile String lastMessage;
    private volatile boolean closed;
    /** When the last batch began or ended (epoch ms), and whether one is being handled now. */
    private volatile long lastBatchAt = System.currentTimeMillis();
    private volatile boolean inBatch;
    /** Since when the reader has been seen disconnected (epoch ms), 0 while it is connected. */
    private volatile long disconnectedSince;
    /** The DELETE half of a primary key change, waiting for its INSERT half (it may end a batch). */
    private ChangeEvent pendingKeyChangeDelete;
    private long lastSourceMillis;
    private volatile Map<String, ?> lastOffset;

    MySqlCaptureSession(CaptureSpec spec, CaptureSink sink, String id, String prefix) {
        this.spec = spec;
        this.sink = sink;
        this.id = id;
        this.prefix = prefix;
        this.silenceMillis = Math.max(5_000, Long.getLong(SILENCE_PROPERTY, spec.watch().silence().toMillis()));
        this.tables = new CapturedTables(spec);
        this.zeroDates = new ZeroDateLookup(spec);
        this.binlogEnds = new BinlogEnds(spec);
        for (TableId t : spec.tables()) {
            schemas.add(t.schema());
        }
    }

    void attach(CaptureEngine e) {
        this.engine = e;
    }

    void started(String position) {
        this.lastBatchAt = System.currentTimeMillis();
        this.startPosition = position;
        this.watch = new ConnectionWatch(spec.name(), 1_000, this::watchConnection);
    }

    /** The position of the last record whose event is in the sink; null before the first. */
    String reachedPosition() {
        Map<String, ?> off = lastOffset;
        return off == null || off.get("file") == null ? null : BinlogPosition.ofOffset(off, true);
    }

    /** When the engine last began handing over a batch of records ({@link System#nanoTime()}), 0 before the first. */
    long batchStartedNanos() {
        return batchStartedNanos;
    }

    private volatile long batchStartedNanos;

    void batchStarted() {
        batchStartedNanos = System.nanoTime();
        inBatch = true;
        lastBatchAt = System.currentTimeMillis();
    }

    void batchEnded() {
        lastBatchAt = System.currentTimeMillis();
        inBatch = false;
    }

    /**
     * The binlog client's own keep-alive reconnect is off (see {@link MySqlCapture#properties}), so
     * this session ends, with a TRANSIENT failure, when its binlog connection is lost without an error
     * (the server closed it: the reader is no longer connected) or goes silent: no batch for
     * {@link #silenceMillis} ms although the server sends a heartbeat every 1.6 s on an idle binlog.
     * Nothing is lost: offsets cover only what the sink accepted.
     */
    private void watchConnection() {
        if (closed || startPosition == null || failure != null || engine == null || engine.stopped()) {
            return;
        }
        String why = null;
        long now = System.currentTimeMillis();
        if (MySqlCapture.streamingPosition(prefix) != null) {
            disconnectedSince = 0;
            if (!inBatch && now - lastBatchAt > silenceMillis) {
                why = "nothing came from the binlog connection to " + spec.source().address() + " for "
                        + silenceMillis / 1000 + " s, not even the server's heartbeats: the connection is taken as lost";
            }
        } else if (disconnectedSince == 0) {
            disconnectedSince = now;
        } else if (now - disconnectedSince > 3_000) {
            // an error of the reader stops the engine within moments, with its own failure: this is a quiet close
            why = "the binlog connection to " + spec.source().address() + " was closed";
        }
        if (why != null) {
            synchronized (this) {
                if (failure == null) {
                    failure = new TidewayException(ErrorCode.TRANSIENT, "capture " + spec.name() + ": " + why);
                    LOG.warn("capture {}: {}", spec.name(), why);
                }
            }
        }
    }

    void stopped(Throwable error, String message) {
        this.lastMessage = message;
        if (error != null && failure == null) {
            failure = error;
            if (!closed && startPosition != null) {
                LOG.error("capture {}: stopped: {}", spec.name(), message, error);
            }
        }
    }

    String lastMessage() {
        return lastMessage;
    }

    // ------------------------------------------------------------------ Session

    @Override
    public String startPosition() {
        return startPosition;
    }

    @Override
    public boolean running() {
        watchConnection();
        return !closed && failure == null && engine != null && !engine.stopped() && MySqlCapture.streamingPosition(prefix) != null;
    }

    @Override
    public Throwable failure() {
        watchConnection();
        return failure;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ConnectionWatch w = watch;
        if (w != null) {
            w.close();
        }
        binlogEnds.close();
        try {
            CaptureEngine e = engine;
            if (e != null) {
                e.close(); // stops the task after the current batch and commits the offsets of processed records
            }
        } finally {
            zeroDates.close();
            CaptureStates.unregister(id);
        }
    }

    // ------------------------------------------------------------------ ChangeConsumer

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>(records.size());
        boolean changes = false;
        int n = records.size();
        // the last record is marked only once its event is in the sink (a pending key-change half is not)
        int markUpTo = n;
        // records of Tideway's own transactions are not marked processed: offsets never point inside one, so a
        // restart reads it again from its start and sees its marker write again
        boolean[] skipMark = new boolean[n];
        for (int i = 0; i < n; i++) {
            SourceRecord r = records.get(i).record();
            Struct value = r.value() instanceof Struct s ? s : null;
            if (value == null) {
                continue;
            }
            if (value.schema().field("ddl") == null && value.schema().field("op") != null) {
                Struct src = value.getStruct("source");
                if (src != null && !isSnapshot(src)
                        && own.drop(new TableId(src.getString("db"), src.getString("table")), transactionOf(r.sourceOffset()))) {
                    skipMark[i] = true;
                    continue;
                }
            } else if (value.schema().field("op") == null && own.isOwn(transactionOf(r.sourceOffset()))) {
                skipMark[i] = true;   // a heartbeat inside one of Tideway's transactions
            }
            if (value.schema().field("ddl") != null) {
                ChangeEvent e = ddl(r, value);
                if (e != null) {
                    out.add(e);
                    changes = true;
                }
                continue;
            }
            if (value.schema().field("op") == null) {
                if (r.topic() != null && r.topic().startsWith("__debezium-heartbeat")) {
                    ChangeEvent h = heartbeat(r);
                    // everything the source logged before the time of an end sample this heartbeat has passed is read
                    long readUpTo = binlogEnds.readUpTo(r.sourceOffset());
                    if (readUpTo > h.sourceMillis()) {
                        h = ChangeEvent.heartbeat(readUpTo, h.position());
                    }
                    out.add(h);
                }
                continue;
            }
            ChangeEvent e = change(r, value);
            if (e == null) {
                continue;
            }
            changes = true;
            if (pendingKeyChangeDelete != null) {
                if (e.op() == Op.INSERT && r.headers().lastWithName(OLD_KEY_HEADER) != null) {
                    ChangeEvent d = pendingKeyChangeDelete;
                    pendingKeyChangeDelete = null;
                    out.add(new ChangeEvent(Op.UPDATE, e.table(), e.columns(), d.before(), e.after(), null,
                            e.sourceMillis(), e.position()));
                    continue;
                }
                out.add(pendingKeyChangeDelete); // not followed by its insert half: deliver it as it is
                pendingKeyChangeDelete = null;
            }
            Header newKey = r.headers().lastWithName(NEW_KEY_HEADER);
            if (e.op() == Op.DELETE && newKey != null) {
                pendingKeyChangeDelete = e;
                if (i == n - 1) {
                    markUpTo = n - 1;
                }
                continue;
            }
            out.add(e);
        }
        zeroDates.resolve();
        if (!out.isEmpty()) {
            sink.accept(out);
        }
        // what caughtUp() judges by: the offset of the last record whose event is in the sink (set only now,
        // so that "read to the end" never covers changes still on their way to the spool)
        for (int i = markUpTo - 1; i >= 0; i--) {
            Map<String, ?> off = records.get(i).record().sourceOffset();
            if (off != null) {
                lastOffset = off;
                break;
            }
        }
        for (int i = 0; i < markUpTo; i++) {
            if (!skipMark[i]) {
                committer.markProcessed(records.get(i));
            }
        }
        committer.markBatchFinished();
    }

    /**
     * Whether the capture has read the binlog up to its end as of the last two seconds (asks the
     * source for the end at most twice a second).
     */
    @Override
    public synchronized boolean caughtUp() {
        long t = binlogEnds.readUpTo(lastOffset);
        return t > 0 && System.currentTimeMillis() - t < 2_000;
    }


    /** A transaction's identity: the binlog file and the position of its start, the same for all its changes. */
    private static String transactionOf(Map<String, ?> off) {
        return off == null ? null : off.get("file") + ":" + off.get("pos");
    }

    /** Changes of Tideway's own apply transactions dropped so far (marker writes included). */
    long ownChangesDropped() {
        return own.dropped();
    }

    private ChangeEvent heartbeat(SourceRecord r) {
        Map<String, ?> off = r.sourceOffset();
        Object tsSec = off == null ? null : off.get("ts_sec");
        long source = tsSec instanceof Number s ? s.longValue() * 1000 : lastSourceMillis;
        return ChangeEvent.heartbeat(Math.max(source, lastSourceMillis), BinlogPosition.ofOffset(off, false));
    }

    private ChangeEvent change(SourceRecord r, Struct value) {
        Struct source = value.getStruct("source");
        if (isSnapshot(source)) {
            return null;
        }
        TableId table = new TableId(source.getString("db"), source.getString("table"));
        if (!tables.contains(table)) {
            return null;
        }
        long ts = source.getInt64("ts_ms");
        lastSourceMillis = Math.max(lastSourceMillis, ts);
        String position = BinlogPosition.ofOffset(r.sourceOffset(), true);
        String op = value.getString("op");
        Struct before = value.getStruct("before");
        Struct after = value.getStruct("after");
        switch (op) {
            case "c":
            case "r": {
                CanonicalValues.RowShape s = values.shape(after.schema());
                return new ChangeEvent(Op.INSERT, table, s.columns(), null, afterImage(table, s, after), null, ts, position);
            }
            case "u": {
                CanonicalValues.RowShape s = values.shape(after.schema());
                return new ChangeEvent(Op.UPDATE, table, s.columns(), s.convert(before), afterImage(table, s, after), null, ts,
                        position);
            }
            case "d": {
                CanonicalValues.RowShape s = values.shape(before.schema());
                return new ChangeEvent(Op.DELETE, table, s.columns(), s.convert(before), null, null, ts, position);
            }
            case "t":
                return new ChangeEvent(Op.TRUNCATE, table, List.of(), null, null, null, ts, position);
            default:
                LOG.warn("capture {}: ignoring an event with unknown operation '{}' at {}", spec.name(), op, position);
                return null;
        }
    }

    /** The converted after image; its values that may stand for zero dates are noted for the batch's look-up. */
    private Object[] afterImage(TableId table, CanonicalValues.RowShape s, Struct after) {
        Object[] row = s.convert(after);
        int[] suspects = s.suspects(row, !spec.zeroDatesAsNull());
        if (suspects != null) {
            zeroDates.note(table, s.columns(), row, suspects);
        }
        return row;
    }

    private ChangeEvent ddl(SourceRecord r, Struct value) {
        Struct source = value.getStruct("source");
        if (source == null || isSnapshot(source)) {
            return null;
        }
        String db = value.getString("databaseName");
        TableId table = null;
        boolean ours = false;
        List<String> columnsAfter = List.of();
        Field changesField = value.schema().field("tableChanges");
        List<?> changes = changesField == null ? null : value.getArray("tableChanges");
        if (changes != null) {
            for (Object o : changes) {
                if (o instanceof Struct c && c.getString("id") != null) {
                    TableId t = ConnectorTableIds.candidates(c.getString("id")).stream().filter(tables::contains)
                            .findFirst().orElse(null);
                    if (t != null) {
                        table = t;
                        ours = true;
                        columnsAfter = columnsOf(c);
                    }
                }
            }
        }
        if (!ours && (changes == null || changes.isEmpty()) && db != null && schemas.contains(db)) {
            ours = true; // a statement of a captured database that the connector did not tie to a table
        }
        if (!ours) {
            return null;
        }
        long ts = source.getInt64("ts_ms");
        lastSourceMillis = Math.max(lastSourceMillis, ts);
        String position = BinlogPosition.ofOffset(r.sourceOffset(), false);
        zeroDates.forget(table);
        return new ChangeEvent(Op.DDL, table, columnsAfter, null, null, value.getString("ddl"), ts, position);
    }

    /** The table's column names after the DDL, in order, from the connector's table change; empty when absent. */
    private static List<String> columnsOf(Struct change) {
        try {
            Struct t = change.getStruct("table");
            if (t == null) {
                return List.of();
            }
            List<Object> cols = t.getArray("columns");
            if (cols == null) {
                return List.of();
            }
            List<Struct> sorted = new java.util.ArrayList<>();
            for (Object o : cols) {
                if (o instanceof Struct s) {
                    sorted.add(s);
                }
            }
            sorted.sort(java.util.Comparator.comparingInt(s -> s.getInt32("position") == null ? 0 : s.getInt32("position")));
            return sorted.stream().map(s -> s.getString("name")).toList();
        } catch (org.apache.kafka.connect.errors.DataException e) {
            return List.of();
        }
    }

    private static boolean isSnapshot(Struct source) {
        if (source == null || source.schema().field("snapshot") == null) {
            return false;
        }
        Object s = source.get("snapshot");
        return s != null && !"false".equals(s.toString());
    }
}

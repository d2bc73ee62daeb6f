package io.tideway.postgresql.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.ChangeEvent.Op;
import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.postgresql.PostgresDialect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's batches into {@link ChangeEvent}s, hands them to the sink, and only then marks the
 * records processed (so saved offsets never pass a change the sink has not accepted). Records stay
 * structured (Connect {@link Struct}s) all the way.
 */
final class PgRecords {
    private static final Logger LOG = LoggerFactory.getLogger(PgRecords.class);
    private static final String HEARTBEAT_TOPIC = "__debezium-heartbeat";
    private static final String NEW_KEY_HEADER = "__debezium.newkey";

    private final CaptureSpec spec;
    private final PostgresDialect dialect;
    private final Map<TableId, Table> tables;
    private final Map<Schema, Layout> layouts = new IdentityHashMap<>();
    /** Per table and column list, the row schema seen last: a new one with the same columns means changed types. */
    private final Map<List<Object>, Schema> rowSchemas = new java.util.HashMap<>();
    /** Per table, a note that its column types changed, for the next change of it (see {@link #event}). */
    private final Map<TableId, String> typeChanges = new java.util.HashMap<>();
    private final String placeholder;
    /** Whether values are delivered verbatim, for a PostgreSQL destination (see PostgresDialect#withPeer). */
    private final boolean verbatim;
    private final byte[] placeholderBytes;
    private final Set<TableId> warnedToast = new HashSet<>();
    /** Drops the changes of Tideway's own apply transactions (see {@link io.tideway.core.change.ApplyMarker}). */
    private final io.tideway.core.change.ApplyMarker.Filter own = new io.tideway.core.change.ApplyMarker.Filter();
    private Connection lookup;
    private volatile Throwable failure;
    /** Gives each heartbeat the time as of which the capture has verifiably handed over every change. */
    private final PgCaughtUp caughtUp;

    private long lastCommit;
    private long lastLsn = -1;
    private int index;
    private String lastPosition;

    /** A DELETE that the engine emitted for a key change, waiting for its INSERT half. */
    private RecordChangeEvent<SourceRecord> pendingRecord;
    private Object[] pendingBefore;

    PgRecords(CaptureSpec spec, PostgresDialect dialect, Map<TableId, Table> tables, long startLsn, String startPosition,
              String placeholder, PgCaughtUp caughtUp) {
        this.spec = spec;
        this.caughtUp = caughtUp;
        this.dialect = dialect;
        this.tables = new HashMap<>(tables);
        this.lastCommit = startLsn;
        this.lastPosition = startPosition;
        this.placeholder = placeholder;
        this.verbatim = dialect.verbatim();
        this.placeholderBytes = placeholder.getBytes(StandardCharsets.UTF_8);
        for (String h : spec.state().loadHistory()) {
            if (h.startsWith(OWN_TRANSACTION)) {
                own.restore(Long.valueOf(h.substring(OWN_TRANSACTION.length())));
                savedOwn = own.marked();
            }
        }
    }

    /**
     * The capture's history record naming the transaction of the last marker write, kept before a
     * heartbeat's offsets are saved while that transaction may still be going on (a heartbeat carries
     * the position of the last change read, which may lie inside it): a restart from there sees the
     * rest of the transaction without its marker write, and drops it by this.
     */
    static final String OWN_TRANSACTION = "own-transaction ";
    private Object savedOwn;

    /** The columns of one struct schema of one table, resolved once. */
    private record Layout(TableId table, List<String> names, Column[] columns, Field[] fields) { }

    Throwable failure() {
        return failure;
    }

    void handle(List<RecordChangeEvent<SourceRecord>> batch,
                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer, CaptureSink sink)
            throws InterruptedException {
        try {
            List<ChangeEvent> out = new ArrayList<>(batch.size());
            List<RecordChangeEvent<SourceRecord>> processed = new ArrayList<>(batch.size() + 1);
            for (RecordChangeEvent<SourceRecord> rec : batch) {
                translate(rec, out, processed);
            }
            if (!out.isEmpty()) {
                sink.accept(out);
            }
            for (RecordChangeEvent<SourceRecord> rec : processed) {
                committer.markProcessed(rec);
            }
            committer.markBatchFinished();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private void translate(RecordChangeEvent<SourceRecord> rec, List<ChangeEvent> out,
                           List<RecordChangeEvent<SourceRecord>> processed) {
        SourceRecord r = rec.record();
        if (!(r.value() instanceof Struct v)) {
            addProcessed(rec, processed);
            return;
        }
        if (r.topic() != null && r.topic().startsWith(HEARTBEAT_TOPIC)) {
            // its time is not when it was made, but the time as of which the server is known to have sent everything
            // committed (0 while unknown): the connector makes one whenever the connection is empty, also while the
            // server has yet to send what was committed
            Long made = v.schema().field("ts_ms") == null ? null : v.getInt64("ts_ms");
            out.add(ChangeEvent.heartbeat(caughtUp.heartbeat(made == null ? 0 : made), PgPosition.heartbeat(lastPosition)));
            if (own.lastWasOwn() && own.marked() != null && !own.marked().equals(savedOwn)) {
                spec.state().appendHistory(OWN_TRANSACTION + own.marked());
                savedOwn = own.marked();
            }
            addProcessed(rec, processed);
            return;
        }
        if (v.schema().field("op") == null || v.schema().field("source") == null) {
            addProcessed(rec, processed);
            return;
        }
        String op = v.getString("op");
        Struct src = v.getStruct("source");
        TableId id = new TableId(src.getString("schema"), src.getString("table"));
        if (own.drop(id, src.schema().field("txId") == null ? null : src.get("txId"))) {
            // Tideway's own apply transaction: not delivered, and not marked processed, so that saved offsets never
            // point inside it (a restart reads it again from its start and sees its marker write again)
            if (pendingRecord != null) {
                flushPendingAsDelete(out, processed);   // of an earlier transaction: its second half cannot follow now
            }
            return;
        }
        long ts = src.getInt64("ts_ms");
        long lsn = src.getInt64("lsn");
        long commit = Math.max(lastCommit, commitOf(src.getString("sequence")));
        if (pendingRecord != null && !("c".equals(op))) {
            // the key change's second half did not follow: deliver the DELETE on its own
            flushPendingAsDelete(out, processed);
        }
        switch (op) {
            case "c", "r" -> {
                Struct after = v.getStruct("after");
                Layout l = layout(id, after.schema());
                Object[] a = row(l, after, null);
                if (pendingRecord != null) {
                    Object[] b = pendingBefore;
                    processed.add(pendingRecord);
                    pendingRecord = null;
                    pendingBefore = null;
                    if (a == null) {
                        out.add(event(Op.DELETE, l, b, null, ts, commit, lsn));
                    } else {
                        out.add(event(Op.UPDATE, l, b, a, ts, commit, lsn));
                    }
                } else if (a != null) {
                    out.add(event(Op.INSERT, l, null, a, ts, commit, lsn));
                }
                addProcessed(rec, processed);
            }
            case "u" -> {
                Struct after = v.getStruct("after");
                Struct beforeStruct = v.getStruct("before");
                Layout l = layout(id, after.schema());
                Object[] b = beforeStruct == null ? null : beforeRow(layout(id, beforeStruct.schema()), beforeStruct);
                Object[] a = row(l, after, b);
                if (a != null) {
                    out.add(event(Op.UPDATE, l, b, a, ts, commit, lsn));
                }
                addProcessed(rec, processed);
            }
            case "d" -> {
                Struct beforeStruct = v.getStruct("before");
                Layout l = layout(id, beforeStruct.schema());
                Object[] b = beforeRow(l, beforeStruct);
                if (r.headers() != null && r.headers().lastWithName(NEW_KEY_HEADER) != null) {
                    pendingRecord = rec;
                    pendingBefore = b;
                    return;
                }
                out.add(event(Op.DELETE, l, b, null, ts, commit, lsn));
                addProcessed(rec, processed);
            }
            case "t" -> {
                out.add(new ChangeEvent(Op.TRUNCATE, id, List.of(), null, null, null, ts, position(commit, lsn)));
                addProcessed(rec, processed);
            }
            default -> addProcessed(rec, processed);
        }
    }

    /** Records after a held DELETE are marked only once the DELETE is resolved, so offsets never pass it. */
    private void addProcessed(RecordChangeEvent<SourceRecord> rec, List<RecordChangeEvent<SourceRecord>> processed) {
        if (pendingRecord == null) {
            processed.add(rec);
        }
    }

    private void flushPendingAsDelete(List<ChangeEvent> out, List<RecordChangeEvent<SourceRecord>> processed) {
        Struct v = (Struct) pendingRecord.record().value();
        Struct src = v.getStruct("source");
        TableId id = new TableId(src.getString("schema"), src.getString("table"));
        Layout l = layout(id, v.getStruct("before").schema());
        long commit = Math.max(lastCommit, commitOf(src.getString("sequence")));
        out.add(event(Op.DELETE, l, pendingBefore, null, src.getInt64("ts_ms"), commit, src.getInt64("lsn")));
        processed.add(pendingRecord);
        pendingRecord = null;
        pendingBefore = null;
    }

    /** A row change; the first one of a table after its column types changed carries the note of it. */
    private ChangeEvent event(Op op, Layout l, Object[] before, Object[] after, long ts, long commit, long lsn) {
        return new ChangeEvent(op, l.table, l.names, before, after, typeChanges.remove(l.table), ts, position(commit, lsn));
    }

    private String position(long commit, long lsn) {
        if (commit == lastCommit && lsn == lastLsn) {
            index++;
        } else {
            index = 0;
        }
        lastCommit = commit;
        lastLsn = lsn;
        lastPosition = PgPosition.of(commit, lsn, index);
        return lastPosition;
    }

    /** The first element of the source's sequence ["commitLsn","lsn"], or 0 when absent. */
    static long commitOf(String sequence) {
        if (sequence == null) {
            return 0;
        }
        int q1 = sequence.indexOf('"');
        int bracket = sequence.indexOf('[');
        int comma = sequence.indexOf(',');
        if (q1 < 0 || q1 > comma) {
            return 0; // [null,"..."]
        }
        int q2 = sequence.indexOf('"', q1 + 1);
        return bracket < 0 ? 0 : Long.parseLong(sequence.substring(q1 + 1, q2));
    }

    // ---------------------------------------------------------------- rows

    private Layout layout(TableId id, Schema schema) {
        Layout l = layouts.get(schema);
        if (l != null) {
            return l;
        }
        List<Field> fields = schema.fields();
        Table known = tables.get(id);
        List<Object> shape = new ArrayList<>(fields.size() + 1);
        shape.add(id);
        fields.forEach(f -> shape.add(f.name()));
        Schema previous = rowSchemas.put(List.copyOf(shape), schema);
        String typesChanged = previous == null ? null : typeChanges(id, previous, schema);
        if (typesChanged != null) {
            typeChanges.put(id, typesChanged);
        }
        Table t = known == null || typesChanged != null || fields.stream().anyMatch(f -> known.column(f.name()).isEmpty())
                ? reload(id) : known;
        Column[] cols = new Column[fields.size()];
        List<String> names = new ArrayList<>(fields.size());
        for (int i = 0; i < cols.length; i++) {
            String name = fields.get(i).name();
            Table tt = t;
            cols[i] = tt == null ? null : tt.column(name).orElse(null);
            if (cols[i] == null) {
                cols[i] = new Column(name, ColumnType.of(Kind.OTHER, "unknown"), true, null, false, null);
            }
            names.add(name);
        }
        l = new Layout(id, List.copyOf(names), cols, fields.toArray(new Field[0]));
        layouts.put(schema, l);
        return l;
    }

    /**
     * "column types of T changed on the source: c varchar(20) -> varchar(200), ..." when two schemas of the same
     * columns of a table differ in a column's type (as the source names it, with length and scale); else null.
     */
    static String typeChanges(TableId id, Schema before, Schema after) {
        List<String> changed = new ArrayList<>();
        for (Field f : after.fields()) {
            Field was = before.field(f.name());
            if (was == null) {
                continue;
            }
            String from = sourceType(was.schema());
            String to = sourceType(f.schema());
            if (!from.equals(to)) {
                changed.add(f.name() + " " + from + " -> " + to);
            }
        }
        return changed.isEmpty() ? null : "column types of " + id + " changed on the source: " + String.join(", ", changed);
    }

    /** A field's type as the source names it (from the schema parameters the capture asks for), else its schema's. */
    private static String sourceType(Schema s) {
        Map<String, String> p = s.parameters() == null ? Map.of() : s.parameters();
        String type = p.get("__debezium.source.column.type");
        if (type == null) {
            return String.valueOf(s.name() == null ? s.type() : s.name()) + p;
        }
        String length = p.get("__debezium.source.column.length");
        String scale = p.get("__debezium.source.column.scale");
        return type.toLowerCase(java.util.Locale.ROOT) + (length == null ? "" : "(" + length + (scale == null ? "" : "," + scale) + ")");
    }

    private Table reload(TableId id) {
        try {
            List<Table> read = dialect.catalog().readTables(connection(), id.schema(), id::equals);
            if (!read.isEmpty()) {
                tables.put(id, read.get(0));
                return read.get(0);
            }
            return tables.get(id);
        } catch (SQLException e) {
            throw dialect.errors().classify(e, "reading the definition of table " + id);
        }
    }

    private Connection connection() {
        if (lookup == null) {
            lookup = dialect.connect(spec.source());
        }
        return lookup;
    }

    /**
     * The canonical row of a struct; values the log does not carry (unchanged TOASTed values) are filled
     * from {@code before} or from the table. Null when the row no longer exists, so such an UPDATE is
     * superseded by a later change of the same key and is dropped.
     */
    private Object[] row(Layout l, Struct s, Object[] before) {
        Object[] out = new Object[l.fields.length];
        List<Integer> missing = null;
        for (int i = 0; i < out.length; i++) {
            Field f = l.fields[i];
            Object raw = s.get(f);
            if (raw != null && isPlaceholder(raw)) {
                if (before != null && i < before.length && before[i] != null) {
                    out[i] = before[i];
                } else {
                    if (missing == null) {
                        missing = new ArrayList<>();
                    }
                    missing.add(i);
                }
                continue;
            }
            out[i] = PgValues.canonical(raw, f.schema(), l.columns[i], l.table, verbatim);
        }
        return missing == null ? out : fill(l, out, missing);
    }

    /** A before image: what the log does not carry stays null (only the key is sure without REPLICA IDENTITY FULL). */
    private Object[] beforeRow(Layout l, Struct s) {
        Object[] out = new Object[l.fields.length];
        for (int i = 0; i < out.length; i++) {
            Object raw = s.get(l.fields[i]);
            out[i] = raw == null || isPlaceholder(raw) ? null : PgValues.canonical(raw, l.fields[i].schema(), l.columns[i], l.table, verbatim);
        }
        return out;
    }

    private boolean isPlaceholder(Object raw) {
        if (raw instanceof String str) {
            return str.equals(placeholder);
        }
        if (raw instanceof byte[] b) {
            return Arrays.equals(b, placeholderBytes);
        }
        if (raw instanceof ByteBuffer bb) {
            return bb.remaining() == placeholderBytes.length && bb.duplicate().equals(ByteBuffer.wrap(placeholderBytes));
        }
        if (raw instanceof List<?> list && list.size() == 1 && list.get(0) != null) {
            return isPlaceholder(list.get(0));
        }
        return false;
    }

    private Object[] fill(Layout l, Object[] row, List<Integer> missing) {
        Table t = tables.get(l.table);
        if (warnedToast.add(l.table)) {
            LOG.warn("table {}: an UPDATE left large (TOASTed) values unchanged and the table's REPLICA IDENTITY is not "
                    + "FULL, so the log does not carry them; reading them from the table by key (run 'ALTER TABLE {} "
                    + "REPLICA IDENTITY FULL' to avoid these reads)", l.table, dialect.quote(l.table));
        }
        List<Object> key = new ArrayList<>();
        for (String k : t.rowKey()) {
            int i = l.names.indexOf(k);
            if (i < 0 || row[i] == null) {
                throw new TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + l.table
                        + ": an unchanged large value is not in the log and the row key is unknown");
            }
            key.add(row[i]);
        }
        Table probe = t.withEstimates(1, 1L << 40);
        try (RowCursor cur = dialect.rows().openRows(connection(), probe, new KeyRange(key, null), ReadOptions.DEFAULT)) {
            if (!cur.next()) {
                return null;
            }
            Object[] current = cur.row();
            int[] keyIdx = t.rowKey().stream().mapToInt(t::columnIndex).toArray();
            for (int k = 0; k < keyIdx.length; k++) {
                if (!Objects.equals(current[keyIdx[k]], key.get(k))) {
                    return null;
                }
            }
            for (int i : missing) {
                int ci = t.columnIndex(l.names.get(i));
                if (ci < 0) {
                    throw new TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + l.table + ", column "
                            + l.names.get(i) + ": the value is not in the log and the column is not in the table any more");
                }
                row[i] = current[ci];
            }
            return row;
        } catch (SQLException e) {
            throw dialect.errors().classify(e, "reading unchanged large values of table " + l.table);
        }
    }

    void close() {
        if (lookup != null) {
            try {
                lookup.close();
            } catch (SQLException e) {
                LOG.debug("closing the lookup connection: {}", e.toString());
            }
            lookup = null;
        }
    }
}

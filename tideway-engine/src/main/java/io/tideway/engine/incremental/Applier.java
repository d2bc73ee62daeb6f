package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.Column;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.store.Spool;
import io.tideway.engine.verify.Canonical;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Connector: replays the spool on the destination from its checkpoint.
 *
 * <ol>
 *   <li>Reads a batch of events from the spool.</li>
 *   <li>Compacts it per row key: the last image of each key wins (an upsert of the after image,
 *       or a delete); an update that changes the key deletes the old key. Replaying events the
 *       full copy already saw therefore converges to the source's state.</li>
 *   <li>Splits the keys across {@code lanes} by hash; each lane writes its deletes and upserts in
 *       one destination transaction on its own connection.</li>
 *   <li>When every lane has committed, checkpoints the spool address after the batch in the
 *       MetaDB. A crash in between replays the batch: idempotent.</li>
 * </ol>
 * TRUNCATE is a barrier (the batch before it is applied first). DDL is not synchronized yet: it
 * is recorded as a warning event and skipped. Tables without a key get their changes one by one,
 * in order, a row found by all its columns; replaying a batch after a crash between commit and
 * checkpoint may then insert a row twice (the weaker guarantee README.md documents).
 */
public final class Applier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private static final Object DELETE = new Object();

    private final Endpoints ends;
    private final MetaDb metaDb;
    private final long projectId;
    private final String captureName;
    private final Map<TableId, MappedTable> tables = new HashMap<>();
    private final Map<TableId, Map<List<String>, int[]>> columnMaps = new HashMap<>();
    private final int lanes;
    private final int maxBatch;
    private final ExecutorService pool;
    private final Connection[] conns;
    private final Spool.Reader reader;
    private final java.util.function.Consumer<String> warnings;
    private long eventsApplied;
    private long lastSourceMillis;
    private String lastPosition;

    /** Result of one batch. */
    public record Batch(int events, int rowsWritten, long lastSourceMillis) { }

    public Applier(Endpoints ends, MetaDb metaDb, long projectId, String captureName, List<MappedTable> mapped, Spool spool,
                   int lanes, int maxBatch, java.util.function.Consumer<String> warnings) {
        this.ends = ends;
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.captureName = captureName;
        this.lanes = Math.max(1, lanes);
        this.maxBatch = maxBatch;
        this.warnings = warnings;
        for (MappedTable m : mapped) {
            tables.put(m.source().id(), m);
        }
        ApplyCheckpoint cp = metaDb.incremental().applyCheckpoint(projectId, captureName).orElse(null);
        Spool.Address from = cp == null ? new Spool.Address(1, 0) : new Spool.Address(cp.segment(), cp.offset());
        if (cp != null) {
            eventsApplied = cp.eventsApplied();
            lastSourceMillis = cp.sourceMillis();
            lastPosition = cp.position();
        }
        this.reader = new Spool.Reader(spool.directory(), from);
        this.pool = Executors.newFixedThreadPool(this.lanes, r -> {
            Thread t = new Thread(r, "tideway-apply-lane");
            t.setDaemon(true);
            return t;
        });
        this.conns = new Connection[this.lanes];
        LOG.info("apply starts at spool {} ({} events applied before)", from, eventsApplied);
    }

    public long eventsApplied() {
        return eventsApplied;
    }

    public long lastSourceMillis() {
        return lastSourceMillis;
    }

    public String lastPosition() {
        return lastPosition;
    }

    public Spool.Address address() {
        return reader.address();
    }

    /** Applies the next batch of spooled events (possibly none) and checkpoints it. */
    public Batch applyNext() {
        List<ChangeEvent> events;
        Spool.Address before = reader.address();
        try {
            events = reader.read(maxBatch);
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the spool at " + before + ": " + e.getMessage(), e);
        }
        if (events.isEmpty()) {
            return new Batch(0, 0, lastSourceMillis);
        }
        int rows = 0;
        Map<TableId, LinkedHashMap<String, Object[]>> pending = new LinkedHashMap<>();
        Map<TableId, List<Object[]>> pendingInserts = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            switch (e.op()) {
                case HEARTBEAT -> { }
                case DDL -> {
                    rows += flush(pending, pendingInserts);
                    warnings.accept("DDL not synchronized (this version does not convert DDL yet): " + e.ddl());
                }
                case TRUNCATE -> {
                    rows += flush(pending, pendingInserts);
                    truncate(e.table());
                }
                default -> collect(e, pending, pendingInserts);
            }
            lastSourceMillis = Math.max(lastSourceMillis, e.sourceMillis());
            lastPosition = e.position();
        }
        rows += flush(pending, pendingInserts);
        eventsApplied += events.size();
        Spool.Address after = reader.address();
        // the batch is committed on the destination; the checkpoint comes only now
        io.tideway.engine.FaultPoints.hit("apply.after-commit");
        metaDb.incremental().saveApplyCheckpoint(projectId, captureName,
                new ApplyCheckpoint(after.segment(), after.offset(), lastPosition, lastSourceMillis, eventsApplied, null));
        return new Batch(events.size(), rows, lastSourceMillis);
    }

    private void collect(ChangeEvent e, Map<TableId, LinkedHashMap<String, Object[]>> pending,
                         Map<TableId, List<Object[]>> pendingInserts) {
        MappedTable m = tables.get(e.table());
        if (m == null) {
            return;   // a table the project does not move
        }
        Table dt = m.destination();
        int[] map = columnMap(m, e.columns());
        Object[] before = e.before() == null ? null : project(e.before(), map);
        Object[] after = e.after() == null ? null : project(e.after(), map);
        if (dt.rowKey().isEmpty()) {
            // no key: changes apply one by one, in order, a row found by all its columns
            pendingInserts.computeIfAbsent(m.source().id(), k -> new ArrayList<>()).add(new Object[] {e.op(), before, after});
            return;
        }
        LinkedHashMap<String, Object[]> byKey = pending.computeIfAbsent(m.source().id(), k -> new LinkedHashMap<>());
        switch (e.op()) {
            case INSERT -> put(byKey, keyOf(dt, after), after);
            case UPDATE -> {
                String newKey = keyOf(dt, after);
                if (before != null) {
                    String oldKey = keyOf(dt, before);
                    if (!oldKey.equals(newKey)) {
                        put(byKey, oldKey, before);
                        byKey.get(oldKey)[0] = DELETE;
                    }
                }
                put(byKey, newKey, after);
            }
            case DELETE -> {
                String k = keyOf(dt, before);
                put(byKey, k, before);
                byKey.get(k)[0] = DELETE;
            }
            default -> { }
        }
    }

    /** Entry: [marker-or-null, row]; the row is the after image, or the key-bearing before image of a delete. */
    private static void put(LinkedHashMap<String, Object[]> byKey, String key, Object[] row) {
        byKey.remove(key);   // keep insertion order = order of the last change
        byKey.put(key, new Object[] {null, row});
    }

    private int flush(Map<TableId, LinkedHashMap<String, Object[]>> pending, Map<TableId, List<Object[]>> pendingInserts) {
        if (pending.isEmpty() && pendingInserts.isEmpty()) {
            return 0;
        }
        // lane -> table -> (deletes, upserts)
        List<Map<TableId, List<Object[]>[]>> work = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            work.add(new LinkedHashMap<>());
        }
        int rows = 0;
        for (var te : pending.entrySet()) {
            Table dt = tables.get(te.getKey()).destination();
            for (var ke : te.getValue().entrySet()) {
                int lane = Math.floorMod(ke.getKey().hashCode(), lanes);
                @SuppressWarnings("unchecked")
                List<Object[]>[] lists = work.get(lane).computeIfAbsent(te.getKey(), k -> new List[] {new ArrayList<>(), new ArrayList<>()});
                Object[] entry = ke.getValue();
                if (entry[0] == DELETE) {
                    lists[0].add(keyValues(dt, (Object[]) entry[1]));
                } else {
                    lists[1].add((Object[]) entry[1]);
                }
                rows++;
            }
        }
        for (var ie : pendingInserts.entrySet()) {
            @SuppressWarnings("unchecked")
            List<Object[]>[] lists = work.get(0).computeIfAbsent(ie.getKey(), k -> new List[] {new ArrayList<>(), new ArrayList<>()});
            lists[1].addAll(ie.getValue());   // [op, before, after] in event order
            rows += ie.getValue().size();
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            if (work.get(i).isEmpty()) {
                continue;
            }
            final int lane = i;
            futures.add(pool.submit(() -> {
                applyLane(lane, work.get(lane));
                return null;
            }));
        }
        RuntimeException failure = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (failure == null) {
                    failure = c instanceof RuntimeException re ? re : new TidewayException(ErrorCode.INTERNAL, c.toString(), c);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new TidewayException(ErrorCode.INTERNAL, "interrupted while applying", e);
            }
        }
        pending.clear();
        pendingInserts.clear();
        if (failure != null) {
            throw failure;
        }
        return rows;
    }

    private void applyLane(int lane, Map<TableId, List<Object[]>[]> work) {
        Dialect dd = ends.destinationDialect();
        Connection c = connection(lane);
        try {
            c.setAutoCommit(false);
            for (var e : work.entrySet()) {
                Table dt = tables.get(e.getKey()).destination();
                List<Object[]> deletes = e.getValue()[0];
                List<Object[]> upserts = e.getValue()[1];
                if (!deletes.isEmpty()) {
                    dd.deleteKeys(c, dt, deletes);
                }
                if (upserts.isEmpty()) {
                    continue;
                }
                if (dt.rowKey().isEmpty()) {
                    applyKeyless(dd, c, dt, upserts);
                } else {
                    dd.upsert(c, dt, upserts.iterator());
                }
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            discard(lane);
            throw dd.classify(e, "applying changes to the destination");
        } catch (RuntimeException e) {
            discard(lane);
            throw e;
        }
    }

    /** Ordered changes of a table without a key: runs of inserts go in bulk, others one row at a time. */
    private static void applyKeyless(Dialect dd, Connection c, Table dt, List<Object[]> ops) throws SQLException {
        List<Object[]> inserts = new ArrayList<>();
        for (Object[] op : ops) {
            ChangeEvent.Op kind = (ChangeEvent.Op) op[0];
            if (kind == ChangeEvent.Op.INSERT) {
                inserts.add((Object[]) op[2]);
                continue;
            }
            if (!inserts.isEmpty()) {
                dd.bulkInsert(c, dt, inserts.iterator());
                inserts.clear();
            }
            if (op[1] != null) {
                dd.deleteOneMatching(c, dt, (Object[]) op[1]);
            }
            if (kind == ChangeEvent.Op.UPDATE && op[2] != null) {
                inserts.add((Object[]) op[2]);
            }
        }
        if (!inserts.isEmpty()) {
            dd.bulkInsert(c, dt, inserts.iterator());
        }
    }

    private void truncate(TableId source) {
        MappedTable m = tables.get(source);
        if (m == null) {
            return;
        }
        Connection c = connection(0);
        try (Statement s = c.createStatement()) {
            s.execute(ends.destinationDialect().truncateSql(m.destination().id()));
        } catch (SQLException e) {
            discard(0);
            throw ends.destinationDialect().classify(e, "truncating " + m.destination().id());
        }
    }

    private Connection connection(int lane) {
        if (conns[lane] == null) {
            conns[lane] = ends.connectDestination();
        }
        return conns[lane];
    }

    private void discard(int lane) {
        if (conns[lane] != null) {
            try {
                conns[lane].rollback();
            } catch (SQLException ignored) {
                // the connection is dropped below
            }
            try {
                conns[lane].close();
            } catch (SQLException ignored) {
                // best effort
            }
            conns[lane] = null;
        }
    }

    private int[] columnMap(MappedTable m, List<String> eventColumns) {
        return columnMaps.computeIfAbsent(m.source().id(), k -> new HashMap<>()).computeIfAbsent(eventColumns, cols -> {
            List<Column> src = m.source().columns();
            int[] map = new int[src.size()];
            for (int j = 0; j < src.size(); j++) {
                map[j] = cols.indexOf(src.get(j).name());
            }
            return map;
        });
    }

    private static Object[] project(Object[] row, int[] map) {
        Object[] out = new Object[map.length];
        for (int j = 0; j < map.length; j++) {
            out[j] = map[j] < 0 || map[j] >= row.length ? null : row[map[j]];
        }
        return out;
    }

    private static String keyOf(Table t, Object[] row) {
        StringBuilder sb = new StringBuilder();
        for (String k : t.rowKey()) {
            int i = t.columnIndex(k);
            sb.append(Canonical.of(row[i], t.columns().get(i).type())).append('\u0001');
        }
        return sb.toString();
    }

    private static Object[] keyValues(Table t, Object[] row) {
        List<String> key = t.rowKey();
        Object[] out = new Object[key.size()];
        for (int j = 0; j < key.size(); j++) {
            out[j] = row[t.columnIndex(key.get(j))];
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (int i = 0; i < lanes; i++) {
            discard(i);
        }
        try {
            reader.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}

package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch;
import io.tideway.core.change.ChangeBatch.Keyed;
import io.tideway.core.change.ChangeBatch.Keyless;
import io.tideway.core.change.ChangeBatch.TableChanges;
import io.tideway.core.change.HeldPositions.Held;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.Sink;
import io.tideway.core.spi.SinkPosition;
import io.tideway.engine.Endpoints;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.metadb.MetaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC sink: the Connector's writers on the destination, {@code lanes} connections, each writing
 * its share of a batch in one transaction of its own. Each lane takes a contiguous range of a
 * table's keys (sorted), so that no two lanes visit the same destination page in one batch; keys
 * that cannot be ordered go by hash; a table with another unique key, and every table without a
 * key, goes to lane 0. Once the marker table exists (loop prevention), every transaction with rows
 * writes its row first ({@link MarkerWrites}); tables with another unique key and tables without a
 * key are written by {@link TableWrites}.
 *
 * <p>The position and the fencing ({@link Sink}): every lane's transaction of a batch, one with no
 * rows of it too, first updates the lane's row of {@link SinkTable} with the batch's position,
 * guarded by this writer's epoch, and is refused and rolled back when the destination holds a newer
 * epoch; the destination's position is the lowest of the lanes' (the rule is stated in
 * {@link SinkTable}). TRUNCATE goes in such a guarded transaction too. DDL statements cannot be
 * (the MySQL family commits them by themselves): the epoch is checked just before them.
 */
final class Lanes implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(Lanes.class);

    private final Endpoints ends;
    private final String captureName;
    private final int lanes;
    private final ExecutorService pool;
    private final Connection[] conns;
    /** What the destination holds of tables without a key. */
    private final KeylessHeld keyless;
    /** Where the sink's position and epoch live on the destination (null: the direction writes no table). */
    private final SinkTable sinkTable;
    private final long epoch;
    /** Whether {@link #open} claimed the destination. */
    private boolean claimed;
    /** Called about every 250 ms while the lanes write. */
    private volatile Runnable whileWriting = () -> { };

    private final MarkerWrites markers;

    /** While the lanes write a batch: true, with the number of keyed rows they upsert and have sent so far. */
    private volatile boolean writing;
    private volatile long batchUpserts;
    private final AtomicLong batchRowsSent = new AtomicLong();

    /**
     * The rows a lane writes of one table in one batch.
     *
     * @param deletes key values of the rows deleted
     * @param upserts rows written whole
     * @param keyless the changes of a table without a key, in order
     */
    record TableWork(List<Object[]> deletes, List<Object[]> upserts, List<Keyless> keyless) {
        TableWork() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /**
     * @param sinkTable where the position and epoch live (null: the direction writes no table)
     * @param epoch this writer's epoch (the run lease's)
     */
    Lanes(Endpoints ends, MetaDb metaDb, long projectId, String captureName, int lanes, KeylessHeld keyless, TableId marker,
          SinkTable sinkTable, long epoch) {
        this.ends = ends;
        this.captureName = captureName;
        this.lanes = Math.max(1, lanes);
        this.keyless = keyless;
        this.markers = new MarkerWrites(metaDb, projectId, captureName, marker);
        this.sinkTable = sinkTable;
        this.epoch = epoch;
        this.pool = Executors.newFixedThreadPool(this.lanes, r -> {
            Thread t = new Thread(r, "tideway-apply-lane");
            t.setDaemon(true);
            return t;
        });
        this.conns = new Connection[this.lanes];
    }

    /** How far the batch being written has come, or null when none is. */
    String progress(int changes) {
        if (!writing) {
            return null;
        }
        long total = batchUpserts;
        return total == 0 ? String.format("writing a batch of %,d changes", changes)
                : String.format("writing a batch of %,d changes: %,d of %,d rows sent, not yet committed", changes,
                        Math.min(batchRowsSent.get(), total), total);
    }

    /** Sets what is called about every 250 ms while the lanes write a batch. */
    void whileWriting(Runnable tick) {
        this.whileWriting = tick == null ? () -> { } : tick;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public Optional<SinkPosition> open() {
        if (sinkTable == null) {
            return Optional.empty();
        }
        Dialect dd = ends.destinationDialect();
        SinkTable.Claim claim;
        try {
            Connection c = connection(0);
            sinkTable.ensure(dd, c, ends.sourceFamily());
            claim = sinkTable.claim(dd, c, epoch, lanes);
        } catch (SQLException e) {
            discard(0);
            throw dd.errors().classify(e, "claiming " + sinkTable.id() + " for epoch " + epoch);
        }
        if (claim.refused()) {
            throw sinkTable.fenced(epoch, claim.newerEpoch());
        }
        claimed = true;
        LOG.info("{} apply: {} claimed for epoch {}; the destination holds {}", captureName, sinkTable.id(), epoch,
                claim.held().map(p -> "position " + p.resumeFrom() + " (" + p.changes() + " changes)").orElse("no position yet"));
        return claim.held();
    }

    @Override
    public Optional<SinkPosition> heldPosition() {
        if (sinkTable == null) {
            return Optional.empty();
        }
        Dialect dd = ends.destinationDialect();
        try {
            return SinkTable.claim(sinkTable.rows(dd, connection(0)), Long.MAX_VALUE).held();
        } catch (SQLException e) {
            discard(0);
            throw dd.errors().classify(e, "reading " + sinkTable.id());
        }
    }

    /** Checks, outside a transaction, that no newer writer holds the destination (before DDL, which commits by itself). */
    void checkEpoch() {
        if (!claimed) {
            return;
        }
        Dialect dd = ends.destinationDialect();
        long held;
        try {
            held = sinkTable.heldEpoch(dd, connection(0));
        } catch (SQLException e) {
            discard(0);
            throw dd.errors().classify(e, "reading " + sinkTable.id());
        }
        if (held > epoch) {
            throw sinkTable.fenced(epoch, held);
        }
    }

    /**
     * Writes a batch, each lane its share in one transaction with the position {@code reached};
     * what the destination holds of each table without a key once the batch is applied is written
     * by lane 0 with those tables' rows.
     */
    @Override
    public void write(ChangeBatch batch, SinkPosition reached) {
        Map<TableId, Held> keylessHeld = new LinkedHashMap<>();
        for (TableChanges t : batch.tables()) {
            if (t.lastPosition() != null) {
                keylessHeld.put(t.source(), keyless.after(t.source(), t.lastPosition()));
            }
        }
        if (!keylessHeld.isEmpty()) {
            keyless.ensure(connection(0));
        }
        List<Map<TableId, TableWork>> work = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            work.add(new LinkedHashMap<>());
        }
        Map<TableId, Table> destinations = new LinkedHashMap<>();
        long upserts = 0;
        for (TableChanges tc : batch.tables()) {
            Table dt = tc.destination();
            destinations.put(tc.source(), dt);
            if (!tc.keyless().isEmpty()) {
                work.get(0).computeIfAbsent(tc.source(), k -> new TableWork()).keyless().addAll(tc.keyless());
            }
            if (tc.keyed().isEmpty()) {
                continue;
            }
            // a table with another unique key is written by one lane: its rows' unique values tie them together
            boolean oneLane = !KeyOrder.keyOrderIsFree(dt);
            List<Keyed> entries = tc.keyed();
            boolean ranges = !oneLane && lanes > 1 && KeyOrder.sortEntriesByKey(entries, dt);
            int perLane = (entries.size() + lanes - 1) / lanes;
            int i = 0;
            for (Keyed entry : entries) {
                int lane = oneLane || lanes == 1 ? 0 : ranges ? i / perLane
                        : Math.floorMod(KeyOrder.keyOf(dt, entry.row()).hashCode(), lanes);
                i++;
                TableWork w = work.get(lane).computeIfAbsent(tc.source(), k -> new TableWork());
                if (entry.delete()) {
                    w.deletes().add(KeyOrder.keyValues(dt, entry.row()));
                } else {
                    w.upserts().add(entry.row());
                    upserts++;
                }
            }
        }
        batchRowsSent.set(0);
        batchUpserts = upserts;
        writing = true;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < lanes; i++) {
                if (work.get(i).isEmpty() && !claimed) {
                    continue;
                }
                final int lane = i;
                futures.add(pool.submit(() -> {
                    applyLane(lane, work.get(lane), destinations, lane == 0 ? keylessHeld : Map.of(), reached);
                    return null;
                }));
            }
            RuntimeException failure = null;
            for (Future<?> f : futures) {
                try {
                    while (true) {
                        try {
                            f.get(250, TimeUnit.MILLISECONDS);
                            break;
                        } catch (TimeoutException stillWriting) {
                            whileWriting.run();
                        }
                    }
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (failure == null) {
                        failure = c instanceof RuntimeException re ? re : new TidewayException(ErrorCode.INTERNAL, c.toString(), c);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new TidewayException(ErrorCode.INTERNAL, "interrupted while applying", e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            writing = false;
        }
        keyless.committed(keylessHeld);   // lane 0 committed these with its rows
    }

    private void applyLane(int lane, Map<TableId, TableWork> work, Map<TableId, Table> destinations,
                           Map<TableId, Held> keylessHeld, SinkPosition reached) {
        Dialect dd = ends.destinationDialect();
        Connection c = connection(lane);
        try {
            c.setAutoCommit(false);
            if (!work.isEmpty()) {
                markers.write(dd, c, lane);
            }
            guard(dd, c, lane, reached);
            for (var e : work.entrySet()) {
                Table dt = destinations.get(e.getKey());
                TableWork w = e.getValue();
                if (dt.rowKey().isEmpty()) {
                    TableWrites.applyKeyless(dd, c, dt, w.keyless());
                    continue;
                }
                boolean keyOrder = KeyOrder.keyOrderIsFree(dt);
                if (!keyOrder) {
                    TableWrites.replaceRows(dd, c, dt, w.deletes(), w.upserts(), this::counted);
                    continue;
                }
                if (!w.deletes().isEmpty()) {
                    KeyOrder.sortByKey(w.deletes(), IntStream.range(0, dt.rowKey().size()).toArray());
                    dd.writer().deleteKeys(c, dt, w.deletes());
                }
                if (!w.upserts().isEmpty()) {
                    KeyOrder.sortByKey(w.upserts(), dt.rowKey().stream().mapToInt(dt::columnIndex).toArray());
                    dd.writer().upsert(c, dt, counted(w.upserts()));
                }
            }
            for (var e : keylessHeld.entrySet()) {
                keyless.write(dd, c, e.getKey(), e.getValue());
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            discard(lane);
            throw dd.errors().classify(e, "applying changes to the destination");
        } catch (RuntimeException e) {
            discard(lane);
            throw e;
        }
    }

    /**
     * In the lane's transaction: its row of the sink table takes this writer's epoch and
     * {@code reached} (null: the epoch only) unless a newer writer holds it; then the transaction is
     * rolled back by the caller and the batch refused.
     */
    private void guard(Dialect dd, Connection c, int lane, SinkPosition reached) throws SQLException {
        if (!claimed) {
            return;
        }
        if (!sinkTable.guarded(dd, c, lane, epoch, reached)) {
            c.rollback();
            throw sinkTable.fenced(epoch, sinkTable.heldEpoch(dd, c));
        }
    }

    /** The rows, counted into {@link #batchRowsSent} as the dialect takes them (progress of a large batch). */
    private Iterator<Object[]> counted(List<Object[]> rows) {
        Iterator<Object[]> it = rows.iterator();
        return new Iterator<>() {
            private int unreported;

            @Override
            public boolean hasNext() {
                boolean more = it.hasNext();
                if (!more && unreported > 0) {
                    batchRowsSent.addAndGet(unreported);
                    unreported = 0;
                }
                return more;
            }

            @Override
            public Object[] next() {
                Object[] row = it.next();
                if (++unreported == 1024) {
                    batchRowsSent.addAndGet(unreported);
                    unreported = 0;
                }
                return row;
            }
        };
    }

    /**
     * Empties a destination table. While the marker table exists (a capture of the destination may
     * be running: a switchover's reverse sync) the table is emptied in a marked transaction, which
     * that capture drops, so the source is never emptied in return; a table without a key is emptied
     * in the transaction that records the TRUNCATE's position ({@code keylessHeld}, else null).
     */
    void truncate(TableId dst, TableId source, Held keylessHeld) {
        Dialect dd = ends.destinationDialect();
        Connection c = connection(0);
        try (Statement s = c.createStatement()) {
            if (!markers.active() && keylessHeld == null && !claimed) {
                s.execute(dd.schema().truncateSql(dst));
            } else {
                c.setAutoCommit(false);
                markers.write(dd, c, 0);
                guard(dd, c, 0, null);
                s.execute(dd.schema().truncateInTransactionSql(dst));
                if (keylessHeld != null) {
                    keyless.write(dd, c, source, keylessHeld);
                }
                c.commit();
                c.setAutoCommit(true);
                if (keylessHeld != null) {
                    keyless.committed(Map.of(source, keylessHeld));
                }
            }
        } catch (SQLException e) {
            discard(0);
            throw dd.errors().classify(e, "truncating " + dst);
        } catch (RuntimeException e) {
            discard(0);
            throw e;
        }
    }

    /** Runs DDL on the destination, on lane 0's connection, once the epoch is checked. */
    void execute(List<String> sql, String what) {
        checkEpoch();
        Connection c = connection(0);
        try (Statement st = c.createStatement()) {
            for (String q : sql) {
                LOG.debug("DDL: {}", q);
                st.execute(q);
            }
        } catch (SQLException ex) {
            discard(0);
            throw ends.destinationDialect().errors().classify(ex, what);
        }
    }

    /**
     * Looks for the marker table (now and then until found); once it exists, every transaction
     * with rows writes a row of it first. Called between batches, so no transaction is in flight
     * while the decision changes.
     */
    void checkMarker() {
        if (!markers.due()) {
            return;
        }
        try {
            if (SchemaStep.find(ends.destinationDialect(), connection(0), markers.table()).isPresent()) {
                markers.found();
            }
        } catch (SQLException ex) {
            discard(0);
            throw ends.destinationDialect().errors().classify(ex, "looking for the marker table " + markers.table());
        }
    }

    /** Whether this Connector writes its marker table in each transaction now. */
    boolean marking() {
        return markers.active();
    }

    Connection connection(int lane) {
        if (conns[lane] == null) {
            conns[lane] = ends.connectDestination();
        }
        return conns[lane];
    }

    void discard(int lane) {
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

    /** What the destination holds of tables without a key. */
    KeylessHeld keyless() {
        return keyless;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (int i = 0; i < lanes; i++) {
            discard(i);
        }
    }
}

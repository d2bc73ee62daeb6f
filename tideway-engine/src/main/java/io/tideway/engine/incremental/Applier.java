package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.SinkPosition;
import io.tideway.engine.Endpoints;
import io.tideway.engine.FaultPoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.store.Spool;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import java.io.IOException;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Connector: replays the spool on the destination from the position the destination holds.
 *
 * <ol>
 *   <li>Reads a batch of events from the spool ({@link SpoolBatch}), compacted per row key: the
 *       last image of each key wins; replaying events the full copy already saw therefore converges
 *       to the source's state.</li>
 *   <li>Splits the keys across {@code lanes} ({@link Lanes}); each lane writes its deletes and
 *       upserts in one destination transaction on its own connection, in key order where the rows
 *       are independent ({@link KeyOrder}).</li>
 *   <li>Each lane's transaction records the spool address after the batch in the destination,
 *       guarded by this Connector's epoch ({@link Lanes}, a {@link io.tideway.core.spi.Sink}; the
 *       rule in {@link SinkTable}): a newer run's Connector fences this one. When every lane has
 *       committed, the MetaDB checkpoint mirrors the position. A Connector resumes from what the
 *       destination holds; a crash between lanes' commits replays the batch: idempotent.</li>
 * </ol>
 * TRUNCATE and DDL are barriers (what came before is applied and checkpointed first); schema
 * changes are followed by {@link SchemaFollower}. Tables without a key get their changes one by one,
 * in order, a row found by all its columns, on lane 0; since such a change applied twice is a row
 * written twice, the destination itself records in the same transaction the position of the last
 * change of each such table it applied ({@link HeldTable}), and a change at or before what it holds
 * (that position, or the log place the table's full copy was read at) is skipped.
 */
public final class Applier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    /**
     * When a batch ends: at {@code changes} changes, or once the rows it keeps (each key's newest
     * row, with its key) take about {@code heapBytes} of the heap, as {@link SpoolBatch#heapBytes}
     * estimates them. The rest of the heap holds the capture's queue, the lanes' statements and the
     * collector's headroom. Larger batches let a destination whose cache is smaller than the table
     * visit each page fewer times while catching up (docs/BENCHMARKS.md).
     */
    public record BatchLimits(int changes, long heapBytes) {
        /** The least heap a batch may take, whatever share of the heap is configured. */
        static final long MIN_HEAP_BYTES = 16L << 20;

        public BatchLimits {
            if (changes < 1 || heapBytes < 1) {
                throw new IllegalArgumentException("batch limits must be positive: " + changes + " changes, " + heapBytes + " bytes");
            }
        }

        /** At most {@code changes} changes and {@code heapShare} of the Java heap (at least 16 MB). */
        public static BatchLimits of(int changes, double heapShare) {
            return new BatchLimits(changes, Math.max(MIN_HEAP_BYTES, (long) (Runtime.getRuntime().maxMemory() * heapShare)));
        }
    }

    private final Endpoints ends;
    private final MetaDb metaDb;
    private final long projectId;
    private final String captureName;
    private final BatchLimits limits;
    private final Consumer<String> warnings;
    private final SchemaFollower schema;
    private final Lanes lanes;
    private final SpoolBatch batch = new SpoolBatch();
    /** What MySQL zero dates in captured rows become (KEEP: nothing to do). */
    private final ZeroDates zeroDates;
    /** The columns of each source table (by its picture) that may hold a zero date. */
    private final Map<Table, int[]> dateColumns = new IdentityHashMap<>();
    /** Zero-date conversions already reported (each is told once). */
    private final Set<String> zeroDateWarnings = new HashSet<>();
    private long eventsApplied;
    private long lastSourceMillis;
    private String lastPosition;
    private boolean reconciled;

    /** What the destination holds of tables without a key. */
    private final KeylessHeld keyless;
    private final Spool spool;
    private Spool.Reader reader;

    /** Result of one batch. */
    public record Batch(int events, int rowsWritten, long lastSourceMillis) { }

    /** Called about once a second while a batch is read or written (a large one takes seconds), to report progress. */
    private volatile Runnable whileApplying = () -> { };
    private long lastWhileApplying;
    /** Changes read into the batch being built, or -1 between batches. */
    private volatile int batchChanges = -1;

    /**
     * @param destinationOf where a (re-read) source table lands: renames applied, as the project says
     * @param selected whether a source table is selected by the project's table patterns (for tables
     *     created or renamed on the source while it runs)
     * @param options what schema changes do ({@code incremental} in the project file)
     * @param zeroDates what MySQL zero dates become, as the full copy made them (resolved)
     */
    public Applier(Endpoints ends, MetaDb metaDb, long projectId, String captureName, HeldTable held, SinkTable sinkTable,
                   long epoch, List<MappedTable> mapped, Spool spool, int lanes, BatchLimits limits, Consumer<String> warnings,
                   UnaryOperator<Table> destinationOf, Predicate<TableId> selected, IncrementalOptions options,
                   ZeroDates zeroDates) {
        this.zeroDates = ends.sourceDialect().storesZeroDates() ? zeroDates : ZeroDates.KEEP;
        this.ends = ends;
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.captureName = captureName;
        this.spool = spool;
        this.keyless = new KeylessHeld(held, ends, captureName);
        this.limits = limits;
        this.warnings = warnings;
        ApplyCheckpoint cp = metaDb.incremental().applyCheckpoint(projectId, captureName).orElse(null);
        Spool.Address from = cp == null ? new Spool.Address(1, 0) : new Spool.Address(cp.segment(), cp.offset());
        if (cp != null) {
            eventsApplied = cp.eventsApplied();
            lastSourceMillis = cp.sourceMillis();
            lastPosition = cp.position();
        }
        this.reader = new Spool.Reader(spool.directory(), from);
        this.lanes = new Lanes(ends, metaDb, projectId, captureName, lanes, keyless, Direction.markerOf(mapped), sinkTable, epoch);
        this.schema = new SchemaFollower(ends, metaDb, projectId, mapped, destinationOf, selected, options, spool.directory(),
                this::address, this.lanes::execute, warnings);
        LOG.info("apply starts at spool {} ({} events applied before)", from, eventsApplied);
    }

    /** Sets what {@link #applyNext} calls about once a second while it reads or writes a batch. */
    public void whileApplying(Runnable report) {
        this.whileApplying = report == null ? () -> { } : report;
    }

    /**
     * What the batch under way has come to, for progress reports ("reading a batch: N changes", "writing a batch
     * of N changes: R of T rows sent, not yet committed"); null between batches.
     */
    public String batchUnderWay() {
        int changes = batchChanges;
        if (changes < 0) {
            return null;
        }
        String writing = lanes.progress(changes);
        return writing != null ? writing : String.format("reading a batch: %,d changes", changes);
    }

    private void tick() {
        long now = System.currentTimeMillis();
        if (now - lastWhileApplying >= 1000) {
            lastWhileApplying = now;
            whileApplying.run();
        }
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

    /** Whether this Connector writes its marker table in each transaction now. */
    public boolean marking() {
        return lanes.marking();
    }

    /**
     * Once per start: reads what the destination holds of each table without a key (the log place
     * of its full copy, the last change applied to it).
     */
    private void loadHeld() {
        List<TableId> keylessTables = schema.tables().stream().filter(m -> m.destination().rowKey().isEmpty())
                .map(m -> m.source().id()).toList();
        if (!keyless.active() || keylessTables.isEmpty()) {
            return;
        }
        Dialect dd = ends.destinationDialect();
        try {
            keyless.load(lanes.connection(0), keylessTables);
        } catch (SQLException ex) {
            lanes.discard(0);
            throw dd.errors().classify(ex, "reading " + keyless.table().id());
        }
    }

    /**
     * Once per start: claims the destination for this Connector's epoch and resumes from the
     * position the destination holds. The MetaDB checkpoint is written after the destination commits,
     * so it may be behind (a crash in between): the destination wins, and the log says so. It is
     * ahead only when {@code tideway skip-ddl} moved it past the DDL at the destination's position;
     * then it is taken. A destination that holds no position yet (a project begun before Tideway kept
     * it there) leaves the MetaDB checkpoint as it is.
     */
    private void resume() {
        SinkPosition held = lanes.open().orElse(null);
        if (held == null) {
            return;
        }
        Spool.Address dest = SpoolPositions.address(held);
        Spool.Address meta = reader.address();
        if (dest.equals(meta)) {
            return;
        }
        if (dest.compareTo(meta) < 0 && SpoolPositions.skippedDdl(spool.directory(), dest, meta)) {
            LOG.info("{} apply: the MetaDB checkpoint {} is past the DDL at the destination's position {} (skip-ddl):"
                    + " resuming from the MetaDB's", captureName, meta, dest);
            return;
        }
        LOG.warn("{} apply: the destination holds position {} ({} changes applied), the MetaDB checkpoint says {}:"
                + " resuming from the destination's", captureName, dest, held.changes(), meta);
        try {
            reader.close();
        } catch (IOException ignored) {
            // reopened below
        }
        reader = new Spool.Reader(spool.directory(), dest);
        eventsApplied = held.changes();
        lastSourceMillis = held.sourceMillis();
        lastPosition = held.sourcePosition();
        checkpoint(dest);
    }

    /** Applies the next batch of spooled events (possibly none) and checkpoints it. */
    public Batch applyNext() {
        if (!reconciled) {
            resume();
            schema.reconcile();
            loadHeld();
            reconciled = true;
        }
        lanes.checkMarker();
        batch.clear();
        lastWhileApplying = System.currentTimeMillis();
        try {
            return readAndApply();
        } finally {
            batchChanges = -1;
            batch.clear();
        }
    }

    private Batch readAndApply() {
        int count = 0;
        int rows = 0;
        while (count < limits.changes() && batch.heapBytes() < limits.heapBytes()) {
            if ((count & 8191) == 0) {
                batchChanges = count;
                tick();
            }
            Spool.Address at = reader.address();
            ChangeEvent e;
            try {
                e = reader.readOne();
            } catch (IOException ex) {
                throw new TidewayException(ErrorCode.INTERNAL, "reading the spool at " + at + ": " + ex.getMessage(), ex);
            }
            if (e == null) {
                break;
            }
            if (e.op() == ChangeEvent.Op.TRUNCATE || schema.drifted(e)) {
                // a barrier: what came before is applied and checkpointed first
                batchChanges = count;
                rows += flush(count, at);
                eventsApplied += count;
                count = 0;
                checkpoint(at);
                if (e.op() == ChangeEvent.Op.TRUNCATE) {
                    truncate(e.table(), e.position());
                } else {
                    schema.onSchemaChange(e);
                }
            }
            switch (e.op()) {
                case HEARTBEAT, DDL, TRUNCATE -> { }
                default -> collect(e);
            }
            lastSourceMillis = Math.max(lastSourceMillis, e.sourceMillis());
            lastPosition = e.position();
            count++;
        }
        if (count == 0) {
            schema.checkCatalog();
            return new Batch(0, rows, lastSourceMillis);
        }
        batchChanges = count;
        Spool.Address after = reader.address();
        rows += flush(count, after);
        eventsApplied += count;
        // the batch is committed on the destination; the checkpoint comes only now
        FaultPoints.hit("apply.after-commit");
        checkpoint(after);
        return new Batch(count, rows, lastSourceMillis);
    }

    private void checkpoint(Spool.Address at) {
        metaDb.incremental().saveApplyCheckpoint(projectId, captureName,
                new ApplyCheckpoint(at.segment(), at.offset(), lastPosition, lastSourceMillis, eventsApplied, null));
    }

    private void collect(ChangeEvent e) {
        MappedTable m = schema.table(e.table());
        if (m == null) {
            if (e.table() != null && schema.selects(e.table()) && !schema.vanished(e.table())) {
                throw new TidewayException(ErrorCode.DDL_UNSUPPORTED, "a change of " + e.table() + " at " + e.position()
                        + " arrived, a table the project's table patterns select but the project does not know: "
                        + schema.unknownTableReason()
                        + ". Create it on the destination and copy its rows by hand (or exclude it with tables.exclude),"
                        + " then run the project again");
            }
            return;   // a table the project does not move
        }
        Table dt = m.destination();
        int[] map = schema.columnMap(m, e.columns());
        Object[] before = e.before() == null ? null : project(e.before(), map);
        Object[] after = e.after() == null ? null : project(e.after(), map);
        if (zeroDates.mode() != ZeroDates.Mode.KEEP) {
            mapZeroDates(m.source(), before);
            mapZeroDates(m.source(), after);
        }
        if (dt.rowKey().isEmpty()) {
            // no key: changes apply one by one, in order, a row found by all its columns; never one the destination holds
            if (!keyless.holds(m.source().id(), e.position())) {
                batch.keyless(m.source().id(), dt, e.op(), before, after, e.position());
            }
            return;
        }
        batch.keyed(m.source().id(), dt, e.op(), before, after);
    }

    /**
     * Writes the batch built so far of {@code count} changes, and the position after them,
     * {@code reached} (lanes commit each their share with it); returns the rows written. Nothing
     * when no change was read.
     */
    private int flush(int count, Spool.Address reached) {
        if (count == 0 && batch.isEmpty()) {
            return 0;
        }
        ChangeBatch changes = batch.toBatch();
        batch.clear();
        lanes.whileWriting(this::tick);
        lanes.write(changes, SpoolPositions.position(reached, lastPosition, lastSourceMillis, eventsApplied + count));
        return changes.rows();
    }

    private void truncate(TableId source, String position) {
        MappedTable m = schema.table(source);
        if (m == null) {
            return;
        }
        boolean keylessTable = keyless.active() && m.destination().rowKey().isEmpty();
        if (keylessTable && keyless.holds(source, position)) {
            return;   // the destination holds this TRUNCATE and maybe rows written after it
        }
        if (keylessTable) {
            keyless.ensure(lanes.connection(0));
        }
        lanes.truncate(m.destination().id(), source, keylessTable ? keyless.after(source, position) : null);
    }

    /** Makes the zero dates of a row (in the source table's column order) what the project chooses, as the full copy does. */
    private void mapZeroDates(Table source, Object[] row) {
        if (row == null) {
            return;
        }
        int[] cols = dateColumns.computeIfAbsent(source, t -> IntStream.range(0, t.columns().size())
                .filter(i -> ZeroDates.applies(t.columns().get(i).type().kind())).toArray());
        for (int i : cols) {
            if (row[i] instanceof String s && ZeroDates.isZero(s)) {
                row[i] = zeroDates.apply(s, source.columns().get(i), source.id(), w -> {
                    if (zeroDateWarnings.add(w)) {
                        warnings.accept(w);
                    }
                });
            }
        }
    }

    private static Object[] project(Object[] row, int[] map) {
        Object[] out = new Object[map.length];
        for (int j = 0; j < map.length; j++) {
            out[j] = map[j] < 0 || map[j] >= row.length ? null : row[map[j]];
        }
        return out;
    }

    @Override
    public void close() {
        lanes.close();
        try {
            reader.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}

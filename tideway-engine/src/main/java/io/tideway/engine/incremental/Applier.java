package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.HeldPositions.Held;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Endpoints;
import io.tideway.engine.FaultPoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.store.Spool;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import java.io.IOException;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
 * The Connector: replays the spool on the destination from its checkpoint.
 *
 * <ol>
 *   <li>Reads a batch of events from the spool ({@link SpoolBatch}), compacted per row key: the
 *       last image of each key wins; replaying events the full copy already saw therefore converges
 *       to the source's state.</li>
 *   <li>Splits the keys across {@code lanes} ({@link Lanes}); each lane writes its deletes and
 *       upserts in one destination transaction on its own connection, in key order where the rows
 *       are independent ({@link KeyOrder}).</li>
 *   <li>When every lane has committed, checkpoints the spool address after the batch in the
 *       MetaDB. A crash in between replays the batch: idempotent.</li>
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
     * A batch also ends once the rows it keeps (each key's newest row, with its key) take about this
     * much of the heap, as {@link SpoolBatch#heapBytes} estimates them: 30% of the heap. The rest of
     * the heap holds the capture's queue, the lanes' statements and the collector's headroom. Larger
     * batches let a destination whose cache is smaller than the table visit each page fewer times
     * while catching up (docs/BENCHMARKS.md).
     */
    static final long MAX_BATCH_HEAP = Math.max(16L << 20, (long) (Runtime.getRuntime().maxMemory() * 0.3));

    private final Endpoints ends;
    private final MetaDb metaDb;
    private final long projectId;
    private final String captureName;
    private final int maxBatch;
    private final Spool.Reader reader;
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

    /** Where this direction's positions of tables without a key live on the destination (null: it writes no table). */
    private final HeldTable held;
    /** What the destination holds of each table without a key, as last read or written. */
    private final Map<TableId, Held> heldPositions = new HashMap<>();
    /** Whether {@link #held} is known to exist on the destination. */
    private boolean heldReady;
    private ChangeCapture capture;

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
    public Applier(Endpoints ends, MetaDb metaDb, long projectId, String captureName, HeldTable held, List<MappedTable> mapped,
                   Spool spool, int lanes, int maxBatch, Consumer<String> warnings, UnaryOperator<Table> destinationOf,
                   Predicate<TableId> selected, IncrementalOptions options, ZeroDates zeroDates) {
        this.zeroDates = ends.sourceFamily() == DataSourceType.Family.MYSQL ? zeroDates : ZeroDates.KEEP;
        this.ends = ends;
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.captureName = captureName;
        this.held = held;
        this.maxBatch = maxBatch;
        this.warnings = warnings;
        ApplyCheckpoint cp = metaDb.incremental().applyCheckpoint(projectId, captureName).orElse(null);
        Spool.Address from = cp == null ? new Spool.Address(1, 0) : new Spool.Address(cp.segment(), cp.offset());
        if (cp != null) {
            eventsApplied = cp.eventsApplied();
            lastSourceMillis = cp.sourceMillis();
            lastPosition = cp.position();
        }
        this.reader = new Spool.Reader(spool.directory(), from);
        this.lanes = new Lanes(ends, metaDb, projectId, captureName, lanes, held, Direction.markerOf(mapped));
        this.schema = new SchemaFollower(ends, metaDb, projectId, mapped, destinationOf, selected, options, spool.directory(),
                reader::address, this.lanes::execute, warnings);
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

    private ChangeCapture capture() {
        if (capture == null) {
            capture = Store.captureFor(ends.source().type());
        }
        return capture;
    }

    /**
     * Once per start: reads what the destination holds of each table without a key (the log place
     * of its full copy, the last change applied to it).
     */
    private void loadHeld() {
        List<TableId> keyless = schema.tables().stream().filter(m -> m.destination().rowKey().isEmpty())
                .map(m -> m.source().id()).toList();
        if (held == null || keyless.isEmpty()) {
            return;
        }
        Dialect dd = ends.destinationDialect();
        try {
            heldPositions.putAll(held.load(dd, lanes.connection(0), keyless));
        } catch (SQLException ex) {
            lanes.discard(0);
            throw dd.classify(ex, "reading " + held.id());
        }
        for (var e : heldPositions.entrySet()) {
            LOG.info("{} apply: {} (no key) holds the changes up to {}", captureName, e.getKey(),
                    e.getValue().appliedPosition() != null ? "position " + e.getValue().appliedPosition()
                            : "the log place of its copy, " + e.getValue().snapshotPoint());
        }
    }

    /** Makes sure {@link #held} exists; between batches only (it may run DDL). */
    private void ensureHeld() {
        if (!heldReady && held != null) {
            held.ensure(ends.destinationDialect(), lanes.connection(0), ends.sourceFamily());
            heldReady = true;
        }
    }

    /** Whether the destination already holds this change of a table without a key. */
    private boolean alreadyHeld(TableId source, String position) {
        Held h = heldPositions.get(source);
        return h != null && h.covers(position, capture());
    }

    /** What the destination holds of {@code source} once the change at {@code position} is applied. */
    private Held heldAfter(TableId source, String position) {
        Held h = heldPositions.get(source);
        return new Held(h == null ? null : h.snapshotPoint(), position);
    }

    /** Applies the next batch of spooled events (possibly none) and checkpoints it. */
    public Batch applyNext() {
        if (!reconciled) {
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
        while (count < maxBatch && batch.heapBytes() < MAX_BATCH_HEAP) {
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
                rows += flush();
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
        rows += flush();
        eventsApplied += count;
        Spool.Address after = reader.address();
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
            if (!alreadyHeld(m.source().id(), e.position())) {
                batch.keyless(m.source().id(), dt, e.op(), before, after, e.position());
            }
            return;
        }
        batch.keyed(m.source().id(), dt, e.op(), before, after);
    }

    /** Writes the batch built so far (lanes commit each their share); returns the rows written. */
    private int flush() {
        if (batch.isEmpty()) {
            return 0;
        }
        ChangeBatch changes = batch.toBatch();
        batch.clear();
        Map<TableId, Held> keylessHeld = new LinkedHashMap<>();
        for (ChangeBatch.TableChanges t : changes.tables()) {
            if (t.lastPosition() != null) {
                keylessHeld.put(t.source(), heldAfter(t.source(), t.lastPosition()));
            }
        }
        if (!keylessHeld.isEmpty()) {
            ensureHeld();
        }
        int rows = lanes.write(changes, keylessHeld, this::tick);
        heldPositions.putAll(keylessHeld);   // lane 0 committed these with its rows
        return rows;
    }

    private void truncate(TableId source, String position) {
        MappedTable m = schema.table(source);
        if (m == null) {
            return;
        }
        boolean keyless = held != null && m.destination().rowKey().isEmpty();
        if (keyless && alreadyHeld(source, position)) {
            return;   // the destination holds this TRUNCATE and maybe rows written after it
        }
        if (keyless) {
            ensureHeld();
        }
        Held after = keyless ? heldAfter(source, position) : null;
        lanes.truncate(m.destination().id(), source, after);
        if (keyless) {
            heldPositions.put(source, after);
        }
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

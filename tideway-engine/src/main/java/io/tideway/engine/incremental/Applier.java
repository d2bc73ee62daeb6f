package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.Column;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.IncrementalOptions;
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
import java.util.concurrent.TimeUnit;
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
 * TRUNCATE and DDL are barriers (what came before is applied and checkpointed first). With
 * {@code incremental.ddl: follow}, a DDL, or a row change that shows columns the project did not
 * know (PostgreSQL logs no DDL), makes the Connector re-read the source table and follow it on the
 * destination, judged against the destination's catalog so that a replay finds the work done:
 * columns added, dropped, renamed or changed in type, nullability or default; indexes created and
 * dropped; tables created, renamed (while still selected) and, when the project says so, dropped.
 * Anything else stops the step naming the statement. Tables without a key get their changes one by one,
 * in order, a row found by all its columns, on lane 0; since such a change applied twice is a row
 * written twice, the destination itself records in the same transaction the position of the last
 * change of each such table it applied ({@link HeldTable}), and a change at or before what it holds
 * (that position, or the log place the table's full copy was read at) is skipped.
 */
public final class Applier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    private static final Object DELETE = new Object();
    /**
     * A batch also ends once the rows it keeps (each key's newest row, with its key) take about this
     * much of the heap, as {@link #heapBytes} estimates them: 30% of the heap (154 MB of the 512 MB the
     * launcher gives a run). The rest of the heap holds the capture's
     * queue, the lanes' statements and the collector's headroom. Larger batches let a destination
     * whose cache is smaller than the table visit each page fewer times while catching up: one pass
     * of 442,451 keys over a 2M-row table cost a 128 MB-cache MariaDB 10 s of CPU, four passes of a
     * quarter each 18 s (docs/BENCHMARKS.md).
     */
    static final long MAX_BATCH_HEAP = Math.max(16L << 20, (long) (Runtime.getRuntime().maxMemory() * 0.3));

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
    /** What MySQL zero dates in captured rows become (KEEP: nothing to do). */
    private final io.tideway.core.model.ZeroDates zeroDates;
    /** The columns of each source table (by its picture) that may hold a zero date. */
    private final Map<Table, int[]> dateColumns = new java.util.IdentityHashMap<>();
    /** Zero-date conversions already reported (each is told once). */
    private final java.util.Set<String> zeroDateWarnings = new java.util.HashSet<>();
    private long eventsApplied;
    private long lastSourceMillis;
    private String lastPosition;

    /** Result of one batch. */
    public record Batch(int events, int rowsWritten, long lastSourceMillis) { }

    /** Called about once a second while a batch is read or written (a large one takes seconds), to report progress. */
    private volatile Runnable whileApplying = () -> { };
    private long lastWhileApplying;
    /** Changes read into the batch being built, or -1 between batches. */
    private volatile int batchChanges = -1;
    /** While the lanes write a batch: true, with the number of keyed rows they upsert and have sent so far. */
    private volatile boolean writing;
    private volatile long batchUpserts;
    /** Rows the lanes have sent of the batch being written (not committed until every lane is done). */
    private final java.util.concurrent.atomic.AtomicLong batchRowsSent = new java.util.concurrent.atomic.AtomicLong();

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
        if (!writing) {
            return String.format("reading a batch: %,d changes", changes);
        }
        long total = batchUpserts;
        return total == 0 ? String.format("writing a batch of %,d changes", changes)
                : String.format("writing a batch of %,d changes: %,d of %,d rows sent, not yet committed", changes,
                        Math.min(batchRowsSent.get(), total), total);
    }

    private void tick() {
        long now = System.currentTimeMillis();
        if (now - lastWhileApplying >= 1000) {
            lastWhileApplying = now;
            whileApplying.run();
        }
    }

    private final java.util.function.UnaryOperator<Table> destinationOf;
    private final java.util.function.Predicate<TableId> selected;
    private final IncrementalOptions options;
    private final java.nio.file.Path spoolDir;
    /** Tables created and dropped on the source before their CREATE was applied: their changes are moot. */
    private final java.util.Set<TableId> vanished = new java.util.HashSet<>();
    /** Tables the spool shows dropped later on: their schema changes are not followed meanwhile. */
    private final java.util.Set<TableId> doomed = new java.util.HashSet<>();
    /** Columns rows still carry that the source dropped since: their values are not kept. */
    private final Map<TableId, java.util.Set<String>> goneColumns = new HashMap<>();
    /** The marker table this Connector writes in each of its transactions once it exists (loop prevention), or null. */
    private final TableId marker;
    private volatile Table markerModel;
    private long markerCheckedAt;
    private final java.util.concurrent.atomic.AtomicLong markerSeq = new java.util.concurrent.atomic.AtomicLong(
            System.currentTimeMillis() * 1000);
    /** How often the Connector looks for its marker table while it does not exist. */
    static final long MARKER_CHECK_MILLIS = 2_000;

    /**
     * @param destinationOf where a (re-read) source table lands: renames applied, as the project says
     * @param selected whether a source table is selected by the project's table patterns (for tables
     *     created or renamed on the source while it runs)
     * @param options what schema changes do ({@code incremental} in the project file)
     * @param zeroDates what MySQL zero dates become, as the full copy made them (resolved)
     */
    public Applier(Endpoints ends, MetaDb metaDb, long projectId, String captureName, HeldTable held, List<MappedTable> mapped,
                   Spool spool,
                   int lanes, int maxBatch, java.util.function.Consumer<String> warnings,
                   java.util.function.UnaryOperator<Table> destinationOf, java.util.function.Predicate<TableId> selected,
                   IncrementalOptions options, io.tideway.core.model.ZeroDates zeroDates) {
        this.zeroDates = ends.sourceDialect().storesZeroDates()
                ? zeroDates : io.tideway.core.model.ZeroDates.KEEP;
        this.destinationOf = destinationOf;
        this.selected = selected;
        this.options = options;
        this.spoolDir = spool.directory();
        this.ends = ends;
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.captureName = captureName;
        this.held = held;
        this.lanes = Math.max(1, lanes);
        this.maxBatch = maxBatch;
        this.warnings = warnings;
        for (MappedTable m : mapped) {
            tables.put(m.source().id(), m);
        }
        this.marker = Direction.markerOf(mapped);
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

    private boolean reconciled;

    /** Where this direction's positions of tables without a key live on the destination (null: it writes no table). */
    private final HeldTable held;
    /** What the destination holds of each table without a key, as last read or written. */
    private final Map<TableId, io.tideway.core.change.HeldPositions.Held> heldPositions = new HashMap<>();
    /** Whether {@link #held} is known to exist on the destination. */
    private boolean heldReady;
    /** Per table without a key: the position of its last change in the batch being built. */
    private final Map<TableId, String> keylessUpTo = new LinkedHashMap<>();
    private io.tideway.core.change.ChangeCapture capture;

    private io.tideway.core.change.ChangeCapture capture() {
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
        List<TableId> keyless = tables.values().stream().filter(m -> m.destination().rowKey().isEmpty())
                .map(m -> m.source().id()).toList();
        if (held == null || keyless.isEmpty()) {
            return;
        }
        Dialect dd = ends.destinationDialect();
        try {
            heldPositions.putAll(held.load(dd, connection(0), keyless));
        } catch (SQLException ex) {
            discard(0);
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
            held.ensure(ends.destinationDialect(), connection(0), ends.sourceFamily());
            heldReady = true;
        }
    }

    /** Whether the destination already holds this change of a table without a key. */
    private boolean alreadyHeld(TableId source, String position) {
        var h = heldPositions.get(source);
        return h != null && h.covers(position, capture());
    }

    /**
     * Once per start. With {@code incremental.ddl: follow}: adds to destination tables the columns
     * their source tables have gained while Tideway was not running (a DDL spooled but not yet
     * followed when it stopped); never drops. Otherwise the project's picture of each table keeps
     * only the columns the destination has, so that a row carrying another stops the step. Tables
     * the destination lacks are left to the spooled CREATE or RENAME that makes them.
     */
    private void reconcile() {
        for (MappedTable m : List.copyOf(tables.values())) {
            Table have = destinationTable(m.destination().id());
            if (have == null && !sourceLogsDdl()) {
                throw new TidewayException(ErrorCode.DDL_UNSUPPORTED, "the destination table " + m.destination().id()
                        + " of source table " + m.label() + " does not exist: the table was created on the source after the"
                        + " project's schema step, or renamed from another name, and PostgreSQL logs no DDL, so Tideway"
                        + " cannot tell which nor copy its rows. Create it on the destination and copy its rows by hand, or"
                        + " exclude it (tables.exclude), then run the project again");
            }
            if (have == null) {
                LOG.info("destination table {} does not exist yet", m.destination().id());
                continue;
            }
            if (options.ddl() != IncrementalOptions.Ddl.FOLLOW) {
                List<Column> keep = new ArrayList<>();
                for (int i = 0; i < m.source().columns().size(); i++) {
                    if (have.column(m.destination().columns().get(i).name()).isPresent()) {
                        keep.add(m.source().columns().get(i));
                    }
                }
                if (keep.size() < m.source().columns().size()) {
                    Table narrowed = m.source().withColumns(keep);
                    tables.put(m.source().id(), new MappedTable(narrowed, destinationOf.apply(narrowed)));
                }
                continue;
            }
            List<String> sql = alignDestination("the source's current columns", m, have, m.destination(), null, false,
                    List.of(), null);
            if (sql.isEmpty()) {
                continue;
            }
            execute(sql, "adding columns to " + m.destination().id());
            warnings.accept("schema change followed on " + m.destination().id() + ": " + String.join("; ", sql));
        }
    }

    /** Whether the source's log carries DDL (MySQL family); PostgreSQL's does not. */
    private boolean sourceLogsDdl() {
        return ends.sourceDialect().logCarriesDdl();
    }

    private static final long CATALOG_CHECK_MILLIS = 15_000;
    private long lastCatalogCheck = System.currentTimeMillis();
    private final java.util.Set<TableId> reportedNew = new java.util.HashSet<>();

    /**
     * For a source whose log carries no DDL, now and then while nothing waits to be applied: a
     * table of the project that the source no longer has (dropped or renamed) stops the step, since
     * its later changes, under whatever name, are not captured; a new table the patterns select is
     * reported once, as not carried.
     */
    private void checkCatalog() {
        long now = System.currentTimeMillis();
        if (sourceLogsDdl() || now - lastCatalogCheck < CATALOG_CHECK_MILLIS) {
            return;
        }
        lastCatalogCheck = now;
        java.util.Set<TableId> present = new java.util.HashSet<>();
        java.util.Set<String> schemas = new java.util.TreeSet<>();
        tables.keySet().forEach(t -> schemas.add(t.schema()));
        try (Connection c = ends.connectSource()) {
            for (String schema : schemas) {
                for (Table t : ends.sourceDialect().readTables(c, schema, selected)) {
                    present.add(t.id());
                }
            }
        } catch (SQLException ex) {
            LOG.warn("reading the source catalog: {}", ex.toString());
            return;
        }
        for (TableId t : tables.keySet()) {
            if (!present.contains(t)) {
                throw new TidewayException(ErrorCode.DDL_UNSUPPORTED, "the source table " + t + " no longer exists: it was"
                        + " dropped or renamed, which PostgreSQL does not log, so Tideway can neither tell which nor follow"
                        + " it, and changes made under a new name are not captured. Drop or rename "
                        + tables.get(t).destination().id() + " on the destination by hand (and copy the table's rows if it"
                        + " lives on under a name the project selects), then run the project again");
            }
        }
        for (TableId t : present) {
            if (!tables.containsKey(t) && reportedNew.add(t)) {
                warnings.accept("table " + t + " appeared on the source and is selected by the project's table patterns, but"
                        + " PostgreSQL logs no DDL: it is not carried; move it with a project of its own, or exclude it");
            }
        }
    }

    /** Runs DDL on the destination, on lane 0's connection. */
    private void execute(List<String> sql, String what) {
        Connection c = connection(0);
        try (Statement st = c.createStatement()) {
            for (String q : sql) {
                LOG.debug("DDL: {}", q);
                st.execute(q);
            }
        } catch (SQLException ex) {
            discard(0);
            throw ends.destinationDialect().classify(ex, what);
        }
    }

    /** The destination table as its catalog has it now, or null. */
    private Table destinationTable(TableId dst) {
        Dialect dd = ends.destinationDialect();
        try (Connection c = ends.connectDestination()) {
            return io.tideway.engine.schema.SchemaStep.find(dd, c, dst).orElse(null);
        } catch (SQLException ex) {
            throw dd.classify(ex, "reading the destination table " + dst);
        }
    }

    /** The source table as its catalog has it now, or null. */
    private Table sourceTable(TableId id, String what) {
        try (Connection c = ends.connectSource()) {
            return io.tideway.engine.schema.SchemaStep.find(ends.sourceDialect(), c, id).orElse(null);
        } catch (SQLException ex) {
            throw ends.sourceDialect().classify(ex, "reading the source table " + id + " after " + what);
        }
    }

    /**
     * Looks for the marker table (at most every {@value #MARKER_CHECK_MILLIS} ms until found); once it
     * exists, every transaction of this Connector writes a row of it first, and the MetaDB records so.
     * Called between batches, so no transaction is in flight while the decision changes.
     */
    private void checkMarker() {
        long now = System.currentTimeMillis();
        if (marker == null || markerModel != null || now - markerCheckedAt < MARKER_CHECK_MILLIS) {
            return;
        }
        markerCheckedAt = now;
        try {
            if (io.tideway.engine.schema.SchemaStep.find(ends.destinationDialect(), connection(0), marker).isPresent()) {
                markerModel = io.tideway.core.change.ApplyMarker.model(marker);
                metaDb.switchovers().markerInUse(projectId, captureName, marker.toString());
                LOG.info("{} apply: marker table {} found; every apply transaction writes it first", captureName, marker);
            }
        } catch (SQLException ex) {
            discard(0);
            throw ends.destinationDialect().classify(ex, "looking for the marker table " + marker);
        }
    }

    /** Whether this Connector writes its marker table in each transaction now. */
    public boolean marking() {
        return markerModel != null;
    }

    /** Applies the next batch of spooled events (possibly none) and checkpoints it. */
    public Batch applyNext() {
        if (!reconciled) {
            reconcile();
            loadHeld();
            reconciled = true;
        }
        checkMarker();
        Map<TableId, LinkedHashMap<String, Object[]>> pending = new LinkedHashMap<>();
        Map<TableId, List<Object[]>> pendingInserts = new LinkedHashMap<>();
        heldBytes = 0;
        lastWhileApplying = System.currentTimeMillis();
        try {
            return readAndApply(pending, pendingInserts);
        } finally {
            batchChanges = -1;
            writing = false;
        }
    }

    private Batch readAndApply(Map<TableId, LinkedHashMap<String, Object[]>> pending, Map<TableId, List<Object[]>> pendingInserts) {
        int count = 0;
        int rows = 0;
        while (count < maxBatch && heldBytes < MAX_BATCH_HEAP) {
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
            boolean drift = e.table() != null && (e.op() == ChangeEvent.Op.DDL || typesChanged(e) || schemaDrifted(e));
            if (drift || e.op() == ChangeEvent.Op.TRUNCATE) {
                // a barrier: what came before is applied and checkpointed first
                batchChanges = count;
                rows += flush(pending, pendingInserts);
                eventsApplied += count;
                count = 0;
                checkpoint(at);
                if (e.op() == ChangeEvent.Op.TRUNCATE) {
                    truncate(e.table(), e.position());
                } else {
                    onSchemaChange(e);
                }
            }
            switch (e.op()) {
                case HEARTBEAT, DDL, TRUNCATE -> { }
                default -> collect(e, pending, pendingInserts);
            }
            lastSourceMillis = Math.max(lastSourceMillis, e.sourceMillis());
            lastPosition = e.position();
            count++;
        }
        if (count == 0) {
            checkCatalog();
            return new Batch(0, rows, lastSourceMillis);
        }
        batchChanges = count;
        rows += flush(pending, pendingInserts);
        eventsApplied += count;
        Spool.Address after = reader.address();
        // the batch is committed on the destination; the checkpoint comes only now
        io.tideway.engine.FaultPoints.hit("apply.after-commit");
        checkpoint(after);
        return new Batch(count, rows, lastSourceMillis);
    }

    private void checkpoint(Spool.Address at) {
        metaDb.incremental().saveApplyCheckpoint(projectId, captureName,
                new ApplyCheckpoint(at.segment(), at.offset(), lastPosition, lastSourceMillis, eventsApplied, null));
    }

    /** True when a row change comes with the capture's note that its table's column types changed just before it. */
    private static boolean typesChanged(ChangeEvent e) {
        return e.ddl() != null && e.op() != ChangeEvent.Op.DDL && e.op() != ChangeEvent.Op.HEARTBEAT;
    }

    /** True when a row change carries columns the project's picture of its table lacks (a DDL the log did not show). */
    private boolean schemaDrifted(ChangeEvent e) {
        MappedTable m = tables.get(e.table());
        if (m == null || e.columns().isEmpty() || doomed.contains(e.table())) {
            return false;
        }
        Object[] seen = checkedColumns.get(e.table());
        if (seen != null && seen[0] == e.columns() && seen[1] == m) {
            return false;   // the spool reader hands out one list per table and shape: checked already
        }
        java.util.Set<String> gone = goneColumns.getOrDefault(e.table(), java.util.Set.of());
        for (String c : e.columns()) {
            if (m.source().column(c).isEmpty() && !gone.contains(c)) {
                return true;
            }
        }
        if (gone.isEmpty()) {
            checkedColumns.put(e.table(), new Object[] {e.columns(), m});
        }
        return false;
    }

    /** Per table: the column list last found to match, and the table picture it was checked against. */
    private final Map<TableId, Object[]> checkedColumns = new HashMap<>();

    private static String describe(ChangeEvent e) {
        return typesChanged(e) ? "the change of " + e.ddl() : e.ddl() != null ? "DDL `" + e.ddl() + "`" : "a change of the columns of " + e.table();
    }

    /**
     * A DDL event, or a row showing columns the project does not know (PostgreSQL logs no DDL), as
     * {@code incremental.ddl} says: followed, logged and skipped, or a stop for the DBA. Followed:
     * RENAME TABLE renames the destination table when the new name is still selected (and stops
     * when it is not); CREATE TABLE of a selected table creates it; DROP TABLE drops the destination
     * table only with {@code incremental.drop-tables: true} (else stops); anything else on a table of
     * the project goes to {@link #followSchema}.
     */
    private void onSchemaChange(ChangeEvent e) {
        String what = describe(e);
        List<TableId[]> renames = ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).renames();
        boolean concerned = tables.containsKey(e.table()) || selected.test(e.table())
                || renames.stream().anyMatch(r -> tables.containsKey(r[0]) || selected.test(r[0]) || selected.test(r[1]));
        if (!concerned) {
            return;   // a table the project does not move
        }
        if (typesChanged(e) && !typesDiffer(e.table(), what)) {
            return;   // the project's picture has the new types already (read after the change, as after a restart)
        }
        if (options.ddl() == IncrementalOptions.Ddl.IGNORE) {
            if (typesChanged(e)) {
                warnings.accept("not applied to the destination (incremental.ddl is ignore): " + e.ddl());
                return;
            }
            if (e.op() != ChangeEvent.Op.DDL) {
                throw unknownColumns(e);
            }
            warnings.accept("DDL not applied to the destination (incremental.ddl is ignore): " + e.ddl());
            return;
        }
        if (options.ddl() == IncrementalOptions.Ddl.STOP) {
            throw ddlStop(what, "the project's incremental.ddl is stop, so every schema change waits for the DBA");
        }
        if (e.op() != ChangeEvent.Op.DDL) {
            followSchema(e);
            return;
        }
        boolean renamed = false;
        for (TableId[] r : renames) {
            renamed |= renameTable(what, r[0], r[1]);
        }
        MappedTable m = tables.get(e.table());
        if (ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).dropsTable()) {
            dropTable(what, e.table());
            return;
        }
        if (ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).createsTable()) {
            if (m != null && ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).replacesTable()) {
                dropTable(what, e.table());
                m = null;
            }
            if (m == null || destinationTable(m.destination().id()) == null) {
                createTable(what, e.table());
                return;
            }
        }
        if (m == null) {
            if (!renamed && selected.test(e.table()) && !vanished.contains(e.table())) {
                throw ddlStop(what, "table " + e.table() + " is selected by the project's table patterns but was not there"
                        + " when the project started, and this is not the statement that created it");
            }
            return;
        }
        followSchema(e);
    }

    /** A row with columns the project does not know, while schema changes are not followed. */
    private TidewayException unknownColumns(ChangeEvent e) {
        MappedTable m = tables.get(e.table());
        List<String> unknown = e.columns().stream().filter(c -> m.source().column(c).isEmpty()).toList();
        return new TidewayException(ErrorCode.DDL_UNSUPPORTED, "a change of " + e.table() + " at " + e.position()
                + " carries columns " + unknown + " that the destination table " + m.destination().id() + " lacks:"
                + " the project's incremental.ddl is " + options.ddl().id() + ", so the schema change that added them was"
                + " not applied. Add them to the destination table by hand and run the project again (or set"
                + " incremental.ddl: follow)");
    }

    /**
     * RENAME of {@code from} to {@code to}: renames the destination table when both names are
     * selected, judged against the destination's catalog (a replay finds it done). Returns whether
     * the statement concerned the project.
     */
    private boolean renameTable(String what, TableId from, TableId to) {
        MappedTable known = tables.get(from);
        if (known == null && tables.containsKey(to)) {
            // after a restart the project's picture has the new name already
            Table src = tables.get(to).source().renamed(from, Map.of());
            known = new MappedTable(src, destinationOf.apply(src));
        }
        boolean fromOurs = tables.containsKey(from) || (selected.test(from) && !vanished.contains(from));
        if (!fromOurs) {
            if (selected.test(to) && (known == null || destinationTable(destinationOf.apply(known.source()
                    .renamed(to, Map.of())).id()) == null)) {
                throw ddlStop(what, "table " + to + " appeared by renaming " + from + ", which the project does not carry,"
                        + " so its rows were never copied; copy it with a project of its own, or exclude it (tables.exclude)");
            }
            return false;
        }
        if (known == null) {
            // a selected table the project has no picture of (excluded before, or created while a DDL was skipped)
            TableId oldDst = destinationOf.apply(new Table(from, List.of(), List.of(), List.of(), null, 0, 0)).id();
            if (destinationTable(oldDst) != null || selected.test(to)) {
                throw ddlStop(what, "table " + from + " is not known to the project, so its destination table cannot be renamed");
            }
            return true;
        }
        TableId oldDst = known.destination().id();
        if (!selected.test(to)) {
            if (destinationTable(oldDst) != null) {
                throw ddlStop(what, "table " + from + " was renamed to " + to + ", which the project's table patterns"
                        + " (tables.include / tables.exclude) do not select, so its later changes would not be carried;"
                        + " drop or rename " + oldDst + " on the destination yourself, or select " + to + " in the project file");
            }
            tables.remove(from);
            columnMaps.remove(from);
            return true;
        }
        Table newSource = known.source().renamed(to, Map.of());
        Table newDest = destinationOf.apply(newSource);
        TableId newDst = newDest.id();
        if (!oldDst.equals(newDst)) {
            boolean hasOld = destinationTable(oldDst) != null;
            boolean hasNew = destinationTable(newDst) != null;
            if (hasOld && hasNew) {
                throw ddlStop(what, "both " + oldDst + " and " + newDst + " exist on the destination");
            }
            if (!hasOld && !hasNew) {
                throw ddlStop(what, "neither " + oldDst + " nor " + newDst + " exists on the destination");
            }
            if (hasOld) {
                List<String> sql = new ArrayList<>(ensureSchema(newDst.schema()));
                sql.addAll(ends.destinationDialect().renameTableSql(oldDst, newDst));
                execute(sql, "renaming " + oldDst + " to " + newDst);
                warnings.accept("table renamed on the destination: " + oldDst + " -> " + newDst + " (" + what + ")");
            }
        }
        tables.remove(from);
        columnMaps.remove(from);
        tables.put(to, new MappedTable(newSource, newDest));
        columnMaps.remove(to);
        metaDb.checkpoints().upsertTable(projectId, to, newDst, io.tideway.engine.TableStates.DONE, newSource.estimatedRows());
        return true;
    }

    /** CREATE TABLE of a selected table: created on the destination (with its indexes), its rows follow in the spool. */
    private void createTable(String what, TableId id) {
        Table now = sourceTable(id, what);
        if (now == null) {
            Fate fate = fateOf(id);
            if (fate.renamedTo() == null) {
                vanished.add(id);
                warnings.accept("table " + id + " was created and " + (fate.dropped() ? "dropped" : "is gone") + " on the"
                        + " source before Tideway got to it: not created on the destination (" + what + ")");
                return;
            }
            now = fate.renamedTo().renamed(id, Map.of());
        }
        vanished.remove(id);
        checkReadable(what, now);
        Dialect dd = ends.destinationDialect();
        if (!ends.sameFamily()) {
            List<String> unsupported = ends.sourceDialect().unsupportedColumns(now).stream()
                    .filter(u -> u.startsWith("column ")).toList();
            if (!unsupported.isEmpty()) {
                throw ddlStop(what, String.join("; ", unsupported));
            }
        }
        Table dest = destinationOf.apply(now);
        Table have = destinationTable(dest.id());
        if (have != null) {
            String diff = io.tideway.engine.Precheck.columnDifference(dest, have);
            if (diff != null) {
                throw ddlStop(what, diff);
            }
        } else {
            io.tideway.core.spi.CreateTablePlan plan = dd.createTable(dest, ends.sourceFamily());
            if (!plan.problems().isEmpty()) {
                throw ddlStop(what, String.join("; ", plan.problems()));
            }
            plan.warnings().forEach(w -> warnings.accept(dest.id() + ": " + w));
            List<String> sql = new ArrayList<>(ensureSchema(dest.id().schema()));
            sql.addAll(plan.statements());
            sql.addAll(dd.createIndexesSql(dest));
            execute(sql, "creating " + dest.id());
            warnings.accept("table created on the destination: " + dest.id() + " (" + what + ")");
        }
        tables.put(id, new MappedTable(now, dest));
        columnMaps.remove(id);
        metaDb.checkpoints().upsertTable(projectId, id, dest.id(), io.tideway.engine.TableStates.DONE, now.estimatedRows());
    }

    /**
     * Stops the step at a table or columns the capture cannot deliver correctly (MariaDB's uuid
     * type), before any row of them is written.
     */
    private void checkReadable(String what, Table t) {
        if (t.columns().isEmpty()) {
            return;
        }
        List<String> unreadable = Store.captureFor(ends.source().type()).unreadableColumns(ends.source().type(), t);
        if (!unreadable.isEmpty()) {
            throw new TidewayException(ErrorCode.DDL_UNSUPPORTED, what + " cannot be followed: " + String.join("; ", unreadable)
                    + ". No row of it is applied. Exclude the table (tables.exclude in the project file), run `tideway"
                    + " skip-ddl PROJECT.yaml` and run the project again; to carry the table, change the column to char(36)"
                    + " on the source (ALTER TABLE ... MODIFY ... char(36) keeps the text) and move it with a project of its own");
        }
    }

    /** DROP TABLE: the destination table is dropped with {@code incremental.drop-tables: true}; else the step stops. */
    private void dropTable(String what, TableId id) {
        MappedTable m = tables.get(id);
        TableId dst = m != null ? m.destination().id()
                : destinationOf.apply(new Table(id, List.of(), List.of(), List.of(), null, 0, 0)).id();
        if ((m != null || selected.test(id)) && destinationTable(dst) != null) {
            if (!options.dropTables()) {
                throw ddlStop(what, "the source table " + id + " was dropped; drop " + dst + " on the destination by hand,"
                        + " or set incremental.drop-tables: true in the project file to have Tideway drop it");
            }
            execute(List.of(ends.destinationDialect().dropTableSql(dst)), "dropping " + dst);
            warnings.accept("table dropped on the destination: " + dst + " (" + what + ")");
        }
        tables.remove(id);
        columnMaps.remove(id);
        doomed.remove(id);
    }

    private List<String> ensureSchema(String schema) {
        Dialect dd = ends.destinationDialect();
        try (Connection c = ends.connectDestination()) {
            return dd.listSchemas(c).contains(schema) ? List.of() : dd.createSchemaSql(schema);
        } catch (SQLException ex) {
            throw dd.classify(ex, "reading the destination's schemas");
        }
    }

    /**
     * What became of a table the source no longer has, as the rest of the spool tells: renamed (to
     * a table the source has now, after any further renames) or dropped; neither when it does not tell.
     */
    record Fate(Table renamedTo, boolean dropped) { }

    private Fate fateOf(TableId id) {
        TableId name = id;
        try (Spool.Reader ahead = new Spool.Reader(spoolDir, reader.address())) {
            ChangeEvent e;
            while ((e = ahead.readOne()) != null) {
                if (e.op() != ChangeEvent.Op.DDL || e.table() == null) {
                    continue;
                }
                if (ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).dropsTable() && e.table().equals(name)) {
                    return new Fate(null, true);
                }
                for (TableId[] r : ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).renames()) {
                    if (r[0].equals(name)) {
                        name = r[1];
                        Table now = sourceTable(name, "a rename of " + id);
                        if (now != null) {
                            return new Fate(now, false);
                        }
                    }
                }
            }
        } catch (IOException ex) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the spool ahead of " + reader.address() + ": " + ex.getMessage(), ex);
        }
        return new Fate(null, false);
    }

    /**
     * Brings the destination table in line with the source table as it is now: columns added,
     * dropped or renamed, and columns whose type, nullability or default changed. Anything else (a
     * dropped or renamed table, a changed primary key, a type without equivalent) stops the step
     * naming the statement; the DBA changes the destination by hand and runs {@code tideway skip-ddl},
     * which moves the checkpoint past this event.
     */
    private void followSchema(ChangeEvent e) {
        MappedTable m = tables.get(e.table());
        String what = describe(e);
        Table now = sourceTable(e.table(), what);
        if (now == null) {
            // renamed or dropped since: the rest of the spool says which
            Fate fate = fateOf(e.table());
            if (fate.dropped()) {
                doomed.add(e.table());
                warnings.accept("not followed, the source drops " + e.table() + " later on: " + what);
                return;
            }
            if (fate.renamedTo() == null) {
                throw ddlStop(what, "the source table " + e.table() + " no longer exists (dropped or renamed)");
            }
            now = fate.renamedTo().renamed(e.table(), Map.of());
        }
        String upper = e.ddl() == null ? "" : e.ddl().toUpperCase(java.util.Locale.ROOT);
        // the columns as of this event (the capture's own picture, or the rows'), else as the source has them now
        List<String> names = e.columns().isEmpty() ? now.columns().stream().map(Column::name).toList() : e.columns();
        List<String> before = m.source().columns().stream().map(Column::name).toList();
        List<String> added = names.stream().filter(n -> !before.contains(n)).toList();
        List<String> dropped = before.stream().filter(n -> !names.contains(n)).toList();
        boolean rename = added.size() == 1 && dropped.size() == 1 && (upper.contains("RENAME COLUMN") || upper.contains(" CHANGE "));
        // columns changed in place: unlike the project's picture now, or named by a MODIFY/CHANGE/ALTER
        // clause (after a restart the picture is read anew, so the statement is what tells)
        java.util.Set<String> named = ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).columnsChanged();
        List<Column> cols = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        for (String n : names) {
            Column was = before.contains(n) ? m.source().column(n).orElseThrow()
                    : rename && n.equals(added.get(0)) ? m.source().column(dropped.get(0)).orElseThrow().renamed(n) : null;
            Column is = now.column(n).orElse(null);
            if (was == null && is == null) {
                // added, and dropped again since: its values are not kept
                goneColumns.computeIfAbsent(e.table(), k -> new java.util.HashSet<>()).add(n);
                warnings.accept("column " + n + " of " + e.table() + " is no longer on the source: not added to the destination");
            } else if (was == null) {
                cols.add(is);
            } else if (is != null && (changed(was, is) || named.contains(n))) {
                cols.add(is);
                modified.add(n);
            } else {
                cols.add(was);
            }
        }
        List<Column> newlyTyped = cols.stream().filter(c -> !before.contains(c.name()) || modified.contains(c.name())).toList();
        checkReadable(what, new Table(e.table(), newlyTyped, List.of(), List.of(), null, 0, 0));
        List<String> kept = cols.stream().map(Column::name).toList();
        for (String k : m.source().rowKey()) {
            if (!kept.contains(k) && !(rename && dropped.contains(k))) {
                throw ddlStop(what, "key column " + k + " of " + e.table() + " was dropped");
            }
        }
        List<String> keyAfter = m.source().primaryKey().stream().map(k -> rename && dropped.contains(k) ? added.get(0) : k).toList();
        if (!now.primaryKey().equals(keyAfter) && kept.containsAll(now.primaryKey())) {
            throw ddlStop(what, "the primary key of " + e.table() + " changed from " + keyAfter + " to " + now.primaryKey()
                    + "; change it on the destination the same way");
        }
        Table newSource = new Table(m.source().id(), cols, keyAfter,
                now.indexes().stream().filter(ix -> kept.containsAll(ix.columns())).toList(), m.source().comment(),
                m.source().estimatedRows(), m.source().estimatedBytes());
        List<String> rowKeyBefore = m.source().rowKey().stream()
                .map(k -> rename && dropped.contains(k) ? added.get(0) : k).toList();
        if (!rowKeyBefore.isEmpty() && !newSource.rowKey().equals(rowKeyBefore)) {
            throw ddlStop(what, "the row key of " + e.table() + " (its first not-null unique key) changed from " + rowKeyBefore
                    + " to " + (newSource.rowKey().isEmpty() ? "none" : newSource.rowKey()) + "; change it on the destination the same way");
        }
        Table newDest = destinationOf.apply(newSource);
        List<String> modifiedDest = modified.stream().map(n -> newDest.columns().get(newSource.columnIndex(n)).name()).toList();
        java.util.Set<String> goneIndexes = new java.util.HashSet<>(ends.sourceDialect().parseDdl(e.ddl(), e.table().schema()).indexesDropped());
        m.source().indexes().forEach(ix -> goneIndexes.add(ix.name()));
        now.indexes().forEach(ix -> goneIndexes.remove(ix.name()));
        TableId dst = m.destination().id();
        Table have = destinationTable(dst);
        if (have == null) {
            throw ddlStop(what, "the destination table " + dst + " does not exist");
        }
        List<String> sql = alignDestination(what, m, have, newDest, e.ddl(), true, modifiedDest, goneIndexes);
        execute(sql, "applying " + what + " to " + dst);
        tables.put(e.table(), new MappedTable(newSource, newDest));
        columnMaps.remove(e.table());
        if (!sql.isEmpty()) {
            warnings.accept("schema change followed on " + dst + ": " + String.join("; ", sql));
        }
    }

    /** Whether a column's type, nullability, default or auto-increment differ. */
    /** Whether a column of the project's picture of a table differs from the source's column now (or the table is gone). */
    private boolean typesDiffer(TableId id, String what) {
        MappedTable m = tables.get(id);
        Table now = sourceTable(id, what);
        if (m == null || now == null) {
            return true;
        }
        for (Column was : m.source().columns()) {
            Column is = now.column(was.name()).orElse(null);
            if (is != null && changed(was, is)) {
                return true;
            }
        }
        return false;
    }

    private static boolean changed(Column was, Column is) {
        return !was.type().equals(is.type()) || was.nullable() != is.nullable()
                || !java.util.Objects.equals(was.defaultValue(), is.defaultValue()) || was.autoIncrement() != is.autoIncrement();
    }

    /**
     * The statements that give the destination table the columns of {@code newDest}, judged
     * against the destination's own catalog (so a restart between a DDL and its checkpoint finds
     * the work done, or still to do); then those that change the columns {@code modified} in place.
     */
    /**
     * With {@code goneIndexes} (source index names the source no longer has; null to leave indexes
     * alone) the index statements too: indexes the source lost are dropped, indexes it has that the
     * destination lacks (by columns and uniqueness) are created, and an index whose columns changed
     * under the same name is made again. Indexes the destination has of its own are kept.
     *
     * @param have the destination table as its catalog has it now
     */
    private List<String> alignDestination(String what, MappedTable m, Table have, Table newDest, String ddl, boolean mayDrop,
                                          List<String> modified, java.util.Set<String> goneIndexes) {
        Dialect dd = ends.destinationDialect();
        TableId dst = m.destination().id();
        List<Column> missing = newDest.columns().stream().filter(col -> have.column(col.name()).isEmpty()).toList();
        List<Column> extra = have.columns().stream().filter(col -> newDest.column(col.name()).isEmpty()).toList();
        List<String> sql = new ArrayList<>();
        String upper = ddl == null ? "" : ddl.toUpperCase(java.util.Locale.ROOT);
        boolean rename = missing.size() == 1 && extra.size() == 1
                && (upper.contains("RENAME COLUMN") || upper.contains(" CHANGE "));
        // the destination's indexes as they are once a renamed column is renamed (both families rename it in indexes)
        List<io.tideway.core.model.Index> haveIndexes = have.indexes();
        if (rename) {
            String from = extra.get(0).name();
            String to = missing.get(0).name();
            sql.add(renameColumnSql(dst, from, to));
            missing = List.of();
            extra = List.of();
            haveIndexes = haveIndexes.stream().map(ix -> new io.tideway.core.model.Index(ix.name(),
                    ix.columns().stream().map(n -> n.equals(from) ? to : n).toList(), ix.unique())).toList();
        }
        List<io.tideway.core.model.Index> keptIndexes = new ArrayList<>(haveIndexes);
        if (goneIndexes != null) {
            for (io.tideway.core.model.Index ix : haveIndexes) {
                boolean gone = goneIndexes.stream().anyMatch(n -> dd.indexName(dst, n).equals(ix.name()));
                boolean redefined = newDest.indexes().stream().anyMatch(want -> dd.indexName(dst, want.name()).equals(ix.name())
                        && !signature(want).equals(signature(ix)));
                if (gone || redefined) {
                    sql.add(dd.dropIndexSql(dst, ix.name()));
                    keptIndexes.remove(ix);
                }
            }
        }
        if (mayDrop && !missing.isEmpty() && !extra.isEmpty()) {
            throw ddlStop(what, "columns were both added " + missing.stream().map(Column::name).toList() + " and dropped "
                    + extra.stream().map(Column::name).toList() + "; a rename cannot be told from a drop and an add");
        }
        for (Column col : missing) {
            try {
                sql.addAll(dd.addColumnSql(dst, col, ends.sourceFamily()));
            } catch (TidewayException ex) {
                throw ddlStop(what, ex.getMessage());
            }
        }
        if (mayDrop) {
            for (Column col : extra) {
                sql.add(dd.dropColumnSql(dst, col.name()));
            }
        }
        for (String col : modified) {
            try {
                sql.addAll(dd.modifyColumnSql(newDest, col, ends.sourceFamily()));
            } catch (TidewayException ex) {
                throw ddlStop(what, ex.getMessage());
            }
        }
        if (goneIndexes != null) {
            java.util.Set<String> present = keptIndexes.stream().map(Applier::signature).collect(java.util.stream.Collectors.toSet());
            List<io.tideway.core.model.Index> create = newDest.indexes().stream().filter(ix -> !present.contains(signature(ix))).toList();
            if (!create.isEmpty()) {
                sql.addAll(dd.createIndexesSql(new Table(dst, newDest.columns(), newDest.primaryKey(), create, null, 0, 0)));
            }
        }
        return sql;
    }

    private static String signature(io.tideway.core.model.Index ix) {
        return (ix.unique() ? "U:" : "I:") + String.join("\u0000", ix.columns());
    }

    private String renameColumnSql(TableId table, String from, String to) {
        // both families spell it the same way (MySQL 8, MariaDB 10.5+, PostgreSQL)
        Dialect dd = ends.destinationDialect();
        return "ALTER TABLE " + dd.quote(table) + " RENAME COLUMN " + dd.quote(from) + " TO " + dd.quote(to);
    }

    private static TidewayException ddlStop(String what, String why) {
        return new TidewayException(ErrorCode.DDL_UNSUPPORTED, what + " cannot be applied to the destination: " + why
                + ". Make the change on the destination by hand, then run `tideway skip-ddl PROJECT.yaml` and run the project again");
    }

    private void collect(ChangeEvent e, Map<TableId, LinkedHashMap<String, Object[]>> pending,
                         Map<TableId, List<Object[]>> pendingInserts) {
        MappedTable m = tables.get(e.table());
        if (m == null) {
            if (e.table() != null && selected.test(e.table()) && !vanished.contains(e.table())) {
                throw new TidewayException(ErrorCode.DDL_UNSUPPORTED, "a change of " + e.table() + " at " + e.position()
                        + " arrived, a table the project's table patterns select but the project does not know: "
                        + (options.ddl() == IncrementalOptions.Ddl.FOLLOW
                                ? "it was created or renamed on the source before the change capture started, or while a"
                                        + " schema change was skipped, or renamed from another name while Tideway was stopped"
                                : "incremental.ddl is " + options.ddl().id() + ", so the statement that created it was not applied")
                        + ". Create it on the destination and copy its rows by hand (or exclude it with tables.exclude),"
                        + " then run the project again");
            }
            return;   // a table the project does not move
        }
        Table dt = m.destination();
        int[] map = columnMap(m, e.columns());
        Object[] before = e.before() == null ? null : project(e.before(), map);
        Object[] after = e.after() == null ? null : project(e.after(), map);
        if (zeroDates.mode() != io.tideway.core.model.ZeroDates.Mode.KEEP) {
            mapZeroDates(m.source(), before);
            mapZeroDates(m.source(), after);
        }
        if (dt.rowKey().isEmpty()) {
            // no key: changes apply one by one, in order, a row found by all its columns; never one the destination holds
            if (alreadyHeld(m.source().id(), e.position())) {
                return;
            }
            keylessUpTo.put(m.source().id(), e.position());
            pendingInserts.computeIfAbsent(m.source().id(), k -> new ArrayList<>()).add(new Object[] {e.op(), before, after});
            heldBytes += 32 + heapBytes(before) + heapBytes(after);
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
    private void put(LinkedHashMap<String, Object[]> byKey, String key, Object[] row) {
        Object[] old = byKey.remove(key);   // keep insertion order = order of the last change
        byKey.put(key, new Object[] {null, row});
        heldBytes += old == null ? ENTRY_BYTES + 40 + key.length() + heapBytes(row) : heapBytes(row) - heapBytes((Object[]) old[1]);
    }

    /** Estimated heap bytes of the rows the current batch keeps (see {@link #MAX_BATCH_HEAP}). */
    private long heldBytes;
    /** A kept key's map entry (with the table's slot) and its [marker, row] pair, without the key and the row. */
    private static final int ENTRY_BYTES = 48 + 24;

    /**
     * About how many bytes of heap a decoded row takes: the array and each value's object (strings
     * counted at a byte a character, as the JVM keeps Latin-1 text). An estimate for sizing batches,
     * not an accounting.
     */
    static long heapBytes(Object[] row) {
        if (row == null) {
            return 0;
        }
        long n = 16 + 4L * row.length;
        for (Object v : row) {
            if (v == null || v == DELETE) {
                continue;
            }
            if (v instanceof String s) {
                n += 40 + s.length();
            } else if (v instanceof byte[] b) {
                n += 16 + b.length;
            } else if (v instanceof java.math.BigDecimal d) {
                n += 72 + d.unscaledValue().bitLength() / 8;
            } else if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
                n += 16;
            } else {
                n += 48;   // dates and times, UUIDs, other objects: a few fields each
            }
        }
        return n;
    }

    private int flush(Map<TableId, LinkedHashMap<String, Object[]>> pending, Map<TableId, List<Object[]>> pendingInserts) {
        if (pending.isEmpty() && pendingInserts.isEmpty()) {
            return 0;
        }
        if (!keylessUpTo.isEmpty()) {
            ensureHeld();
        }
        // lane -> table -> (deletes, upserts)
        List<Map<TableId, List<Object[]>[]>> work = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            work.add(new LinkedHashMap<>());
        }
        int rows = 0;
        long upserts = 0;
        for (var te : pending.entrySet()) {
            Table dt = tables.get(te.getKey()).destination();
            // a table with another unique key is written by one lane: its rows' unique values tie them together
            boolean oneLane = !keyOrderIsFree(dt);
            List<Object[]> entries = new ArrayList<>(te.getValue().values());
            // each lane takes a contiguous range of the batch's keys (sorted), so that no two lanes
            // visit the same destination page in one batch; keys that cannot be ordered go by hash
            boolean ranges = !oneLane && lanes > 1 && sortEntriesByKey(entries, dt);
            int perLane = (entries.size() + lanes - 1) / lanes;
            int i = 0;
            for (Object[] entry : entries) {
                int lane = oneLane || lanes == 1 ? 0 : ranges ? i / perLane
                        : Math.floorMod(keyOf(dt, (Object[]) entry[1]).hashCode(), lanes);
                i++;
                @SuppressWarnings("unchecked")
                List<Object[]>[] lists = work.get(lane).computeIfAbsent(te.getKey(), k -> new List[] {new ArrayList<>(), new ArrayList<>()});
                if (entry[0] == DELETE) {
                    lists[0].add(keyValues(dt, (Object[]) entry[1]));
                } else {
                    lists[1].add((Object[]) entry[1]);
                    upserts++;
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
        batchRowsSent.set(0);
        batchUpserts = upserts;
        writing = true;
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
                while (true) {
                    try {
                        f.get(250, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException stillWriting) {
                        tick();
                    }
                }
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
        heldBytes = 0;
        writing = false;
        if (failure != null) {
            keylessUpTo.clear();
            throw failure;
        }
        // lane 0 committed these with its rows
        for (var e : keylessUpTo.entrySet()) {
            heldPositions.put(e.getKey(), heldAfter(e.getKey(), e.getValue()));
        }
        keylessUpTo.clear();
        return rows;
    }

    private void applyLane(int lane, Map<TableId, List<Object[]>[]> work) {
        Dialect dd = ends.destinationDialect();
        Connection c = connection(lane);
        try {
            c.setAutoCommit(false);
            Table mark = markerModel;
            if (mark != null) {
                writeMarker(dd, c, mark, lane);
            }
            for (var e : work.entrySet()) {
                Table dt = tables.get(e.getKey()).destination();
                List<Object[]> deletes = e.getValue()[0];
                List<Object[]> upserts = e.getValue()[1];
                boolean keyOrder = keyOrderIsFree(dt);
                if (!keyOrder && !dt.rowKey().isEmpty()) {
                    replaceRows(dd, c, dt, deletes, upserts);
                    continue;
                }
                if (!deletes.isEmpty()) {
                    if (keyOrder) {
                        sortByKey(deletes, java.util.stream.IntStream.range(0, dt.rowKey().size()).toArray());
                    }
                    dd.deleteKeys(c, dt, deletes);
                }
                if (upserts.isEmpty()) {
                    continue;
                }
                if (dt.rowKey().isEmpty()) {
                    applyKeyless(dd, c, dt, upserts);
                } else {
                    if (keyOrder) {
                        sortByKey(upserts, dt.rowKey().stream().mapToInt(dt::columnIndex).toArray());
                    }
                    dd.upsert(c, dt, counted(upserts));
                }
            }
            if (lane == 0) {
                for (var e : keylessUpTo.entrySet()) {
                    held.write(dd, c, e.getKey(), heldAfter(e.getKey(), e.getValue()));
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

    /**
     * The lane's row of the marker table, written first in a transaction: a capture of this
     * database drops the whole transaction (loop prevention).
     */
    private void writeMarker(Dialect dd, Connection c, Table mark, int lane) throws SQLException {
        dd.upsert(c, mark, List.<Object[]>of(new Object[] {captureName + "-" + lane, markerSeq.incrementAndGet()}).iterator());
    }

    /**
     * Writes a batch of a table that has unique keys besides its row key. Its rows' unique values
     * may have moved between rows within the batch (a value freed by one row and taken by another,
     * two rows swapping values), and a replay of changes the full copy already saw meets rows in a
     * later state than the batch's: upserts in any order could then collide on a unique value, and
     * MariaDB's ON DUPLICATE KEY UPDATE would update the other row. So every row the batch touches
     * is deleted first, then any other row that holds a unique value the batch writes, then the
     * batch's rows are written. Such a row is in a later state than the source's at the end of the
     * batch (or was written on the destination by someone else): its later change, further on in
     * the spool, writes it again whole.
     */
    private void replaceRows(Dialect dd, Connection c, Table dt, List<Object[]> deletes, List<Object[]> upserts)
            throws SQLException {
        List<Object[]> touched = new ArrayList<>(deletes);
        for (Object[] row : upserts) {
            touched.add(keyValues(dt, row));
        }
        dd.deleteKeys(c, dt, touched);
        if (upserts.isEmpty()) {
            return;
        }
        long displaced = 0;
        java.util.Set<String> key = new java.util.HashSet<>(dt.rowKey());
        for (io.tideway.core.model.Index ix : dt.indexes()) {
            if (!ix.unique() || new java.util.HashSet<>(ix.columns()).equals(key)
                    || !ix.columns().stream().allMatch(n -> dt.columnIndex(n) >= 0)) {
                continue;
            }
            int[] at = ix.columns().stream().mapToInt(dt::columnIndex).toArray();
            List<Object[]> values = new ArrayList<>();
            for (Object[] row : upserts) {
                Object[] v = new Object[at.length];
                boolean hasNull = false;
                for (int j = 0; j < at.length; j++) {
                    v[j] = row[at[j]];
                    hasNull |= v[j] == null;
                }
                if (!hasNull) {   // NULLs never collide in a unique key
                    values.add(v);
                }
            }
            if (!values.isEmpty()) {
                Table byIndex = new Table(dt.id(), dt.columns(), ix.columns(), List.of(), dt.comment(), dt.estimatedRows(),
                        dt.estimatedBytes());
                displaced += dd.deleteKeys(c, byIndex, values);
            }
        }
        if (displaced > 0) {
            LOG.info("{}: {} row(s) holding unique values this batch writes were removed first; their later changes"
                    + " write them again", dt.id(), displaced);
        }
        dd.upsert(c, dt, counted(upserts));
    }

    /** The rows, counted into {@link #batchRowsSent} as the dialect takes them (progress of a large batch). */
    private java.util.Iterator<Object[]> counted(List<Object[]> rows) {
        java.util.Iterator<Object[]> it = rows.iterator();
        return new java.util.Iterator<>() {
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
     * Whether the rows of a batch may be written in any order: each key occurs once in a batch, so
     * they are independent unless another unique key ties two of them (a value moving from one row
     * to another must leave the first before it reaches the second).
     */
    static boolean keyOrderIsFree(Table t) {
        java.util.Set<String> key = new java.util.HashSet<>(t.rowKey());
        return !key.isEmpty() && t.indexes().stream().noneMatch(ix -> ix.unique() && !new java.util.HashSet<>(ix.columns()).equals(key));
    }

    /**
     * Sorts rows by their key columns, so that the destination writes them in index order: its
     * pages are then visited once per batch instead of once per row (a batch of changes to random
     * keys of a table larger than the server's cache otherwise reads and writes back a page per row).
     * Rows whose key values cannot be compared keep their order.
     */
    static void sortByKey(List<Object[]> rows, int[] keyIdx) {
        if (rows.size() < 2) {
            return;
        }
        try {
            rows.sort(byKey(keyIdx));
        } catch (ClassCastException | IllegalArgumentException e) {
            // values of different classes in one key column: any order is as correct, this one is kept
        }
    }

    /** Sorts [marker, row] entries by their row's key; false (any order) when the key values cannot be compared. */
    static boolean sortEntriesByKey(List<Object[]> entries, Table t) {
        int[] keyIdx = t.rowKey().stream().mapToInt(t::columnIndex).toArray();
        if (keyIdx.length == 1 && sortByOneIntegralKey(entries, keyIdx[0])) {
            return true;
        }
        java.util.Comparator<Object[]> byKey = byKey(keyIdx);
        try {
            entries.sort((x, y) -> byKey.compare((Object[]) x[1], (Object[]) y[1]));
            return true;
        } catch (ClassCastException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The common case of a batch's sort, a key of one integer column, without the general comparator
     * (a catch-up sorts hundreds of thousands of kept rows per batch, on the path between the capture's
     * end and the last write): Integer keys are packed with their entry's place into longs and sorted as
     * primitives, Long keys compared as primitives. Equal keys keep their order, as in the general sort.
     * False, with the entries untouched, when the key values are not all Integer or all Long.
     */
    private static boolean sortByOneIntegralKey(List<Object[]> entries, int k) {
        int n = entries.size();
        if (n < 2) {
            return true;
        }
        Object first = ((Object[]) entries.get(0)[1])[k];
        if (first instanceof Long) {
            for (Object[] e : entries) {
                if (!(((Object[]) e[1])[k] instanceof Long)) {
                    return false;
                }
            }
            entries.sort(java.util.Comparator.comparingLong(e -> (Long) ((Object[]) e[1])[k]));
            return true;
        }
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            if (!(((Object[]) entries.get(i)[1])[k] instanceof Integer v)) {
                return false;
            }
            packed[i] = ((long) v << 32) | i;   // the key's order first, then the entry's place (i >= 0)
        }
        java.util.Arrays.sort(packed);
        Object[][] sorted = new Object[n][];
        for (int i = 0; i < n; i++) {
            sorted[i] = entries.get((int) packed[i]);
        }
        for (int i = 0; i < n; i++) {
            entries.set(i, sorted[i]);
        }
        return true;
    }

    /** Rows in the order of their values in the columns {@code keyIdx}. */
    private static java.util.Comparator<Object[]> byKey(int[] keyIdx) {
        return (a, b) -> {
            for (int i : keyIdx) {
                int c = compareKeyValues(a[i], b[i]);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeyValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.compareUnsigned(x, y);
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable ca) {
            return ca.compareTo(b);
        }
        throw new ClassCastException("key values of " + a.getClass() + " and " + b.getClass());
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

    private void truncate(TableId source, String position) {
        MappedTable m = tables.get(source);
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
        Dialect dd = ends.destinationDialect();
        Connection c = connection(0);
        Table mark = markerModel;
        try (Statement s = c.createStatement()) {
            if (mark == null && !keyless) {
                s.execute(dd.truncateSql(m.destination().id()));
            } else {
                // a capture of the destination may be running (a switchover's reverse sync): the table is emptied
                // in a marked transaction, which that capture drops, so the source is never emptied in return;
                // a table without a key is emptied in the transaction that records the TRUNCATE's position
                c.setAutoCommit(false);
                if (mark != null) {
                    writeMarker(dd, c, mark, 0);
                }
                s.execute(dd.truncateInTransactionSql(m.destination().id()));
                if (keyless) {
                    held.write(dd, c, source, heldAfter(source, position));
                }
                c.commit();
                if (keyless) {
                    heldPositions.put(source, heldAfter(source, position));
                }
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            discard(0);
            throw ends.destinationDialect().classify(e, "truncating " + m.destination().id());
        }
    }

    /** What the destination holds of {@code source} once the change at {@code position} is applied. */
    private io.tideway.core.change.HeldPositions.Held heldAfter(TableId source, String position) {
        var h = heldPositions.get(source);
        return new io.tideway.core.change.HeldPositions.Held(h == null ? null : h.snapshotPoint(), position);
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

    /** Makes the zero dates of a row (in the source table's column order) what the project chooses, as the full copy does. */
    private void mapZeroDates(Table source, Object[] row) {
        if (row == null) {
            return;
        }
        int[] cols = dateColumns.computeIfAbsent(source, t -> java.util.stream.IntStream.range(0, t.columns().size())
                .filter(i -> io.tideway.core.model.ZeroDates.applies(t.columns().get(i).type().kind())).toArray());
        for (int i : cols) {
            if (row[i] instanceof String s && io.tideway.core.model.ZeroDates.isZero(s)) {
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

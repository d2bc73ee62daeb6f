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
 * TRUNCATE and DDL are barriers (what came before is applied and checkpointed first). A DDL, or a
 * row change that shows columns the project did not know (PostgreSQL logs no DDL), makes the
 * Connector re-read the source table and follow it on the destination: columns added, dropped or
 * renamed; anything else stops the step naming the statement. Tables without a key get their changes one by one,
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

    private final java.util.function.UnaryOperator<Table> destinationOf;

    /**
     * @param destinationOf where a (re-read) source table lands: renames applied, as the project says
     */
    public Applier(Endpoints ends, MetaDb metaDb, long projectId, String captureName, List<MappedTable> mapped, Spool spool,
                   int lanes, int maxBatch, java.util.function.Consumer<String> warnings,
                   java.util.function.UnaryOperator<Table> destinationOf) {
        this.destinationOf = destinationOf;
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

    private boolean reconciled;

    /**
     * Once per start: adds to destination tables the columns their source tables have gained while
     * Tideway was not running (a DDL spooled but not yet followed when it stopped). Never drops.
     */
    private void reconcile() {
        for (MappedTable m : List.copyOf(tables.values())) {
            List<String> sql = alignDestination("the source's current columns", m, m.destination(), null, false, List.of());
            if (sql.isEmpty()) {
                continue;
            }
            Connection c = connection(0);
            try (Statement st = c.createStatement()) {
                for (String q : sql) {
                    st.execute(q);
                }
            } catch (SQLException ex) {
                discard(0);
                throw ends.destinationDialect().classify(ex, "adding columns to " + m.destination().id());
            }
            warnings.accept("schema change followed on " + m.destination().id() + ": " + String.join("; ", sql));
        }
    }

    /** Applies the next batch of spooled events (possibly none) and checkpoints it. */
    public Batch applyNext() {
        if (!reconciled) {
            reconcile();
            reconciled = true;
        }
        int count = 0;
        int rows = 0;
        Map<TableId, LinkedHashMap<String, Object[]>> pending = new LinkedHashMap<>();
        Map<TableId, List<Object[]>> pendingInserts = new LinkedHashMap<>();
        while (count < maxBatch) {
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
            boolean drift = e.table() != null && (e.op() == ChangeEvent.Op.DDL || schemaDrifted(e));
            if (drift || e.op() == ChangeEvent.Op.TRUNCATE) {
                // a barrier: what came before is applied and checkpointed first
                rows += flush(pending, pendingInserts);
                eventsApplied += count;
                count = 0;
                checkpoint(at);
                if (e.op() == ChangeEvent.Op.TRUNCATE) {
                    truncate(e.table());
                } else {
                    followSchema(e);
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
            return new Batch(0, rows, lastSourceMillis);
        }
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

    /** True when a row change carries columns the project's picture of its table lacks (a DDL the log did not show). */
    private boolean schemaDrifted(ChangeEvent e) {
        MappedTable m = tables.get(e.table());
        if (m == null || e.columns().isEmpty()) {
            return false;
        }
        for (String c : e.columns()) {
            if (m.source().column(c).isEmpty()) {
                return true;
            }
        }
        return false;
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
        if (m == null) {
            return;   // a table the project does not move
        }
        String what = e.ddl() != null ? "DDL `" + e.ddl() + "`" : "a change of the columns of " + e.table();
        Table now;
        try (Connection c = ends.connectSource()) {
            now = ends.sourceDialect().readTables(c, e.table().schema(), e.table()::equals).stream().findFirst().orElse(null);
        } catch (SQLException ex) {
            throw ends.sourceDialect().classify(ex, "reading the source table " + e.table() + " after " + what);
        }
        if (now == null) {
            throw ddlStop(what, "the source table " + e.table() + " no longer exists (dropped or renamed)");
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
        java.util.Set<String> named = columnsChangedBy(e.ddl());
        List<Column> cols = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        for (String n : names) {
            Column was = before.contains(n) ? m.source().column(n).orElseThrow()
                    : rename && n.equals(added.get(0)) ? m.source().column(dropped.get(0)).orElseThrow().renamed(n) : null;
            Column is = now.column(n).orElse(null);
            if (was == null) {
                cols.add(now.column(n).orElseThrow(() -> ddlStop(what, "column " + n + " is no longer on the source, so its"
                        + " type cannot be read")));
            } else if (is != null && (changed(was, is) || named.contains(n))) {
                cols.add(is);
                modified.add(n);
            } else {
                cols.add(was);
            }
        }
        for (String k : m.source().rowKey()) {
            if (!names.contains(k) && !(rename && dropped.contains(k))) {
                throw ddlStop(what, "key column " + k + " of " + e.table() + " was dropped");
            }
        }
        List<String> keyAfter = m.source().primaryKey().stream().map(k -> rename && dropped.contains(k) ? added.get(0) : k).toList();
        if (!now.primaryKey().equals(keyAfter) && names.containsAll(now.primaryKey())) {
            throw ddlStop(what, "the primary key of " + e.table() + " changed from " + keyAfter + " to " + now.primaryKey()
                    + "; change it on the destination the same way");
        }
        Table newSource = new Table(m.source().id(), cols, keyAfter,
                m.source().indexes().stream().filter(ix -> names.containsAll(ix.columns())).toList(), m.source().comment(),
                m.source().estimatedRows(), m.source().estimatedBytes());
        Table newDest = destinationOf.apply(newSource);
        List<String> modifiedDest = modified.stream().map(n -> newDest.columns().get(newSource.columnIndex(n)).name()).toList();
        List<String> sql = alignDestination(what, m, newDest, e.ddl(), true, modifiedDest);
        TableId dst = m.destination().id();
        Dialect dd = ends.destinationDialect();
        Connection c = connection(0);
        try (Statement st = c.createStatement()) {
            for (String q : sql) {
                st.execute(q);
            }
        } catch (SQLException ex) {
            discard(0);
            throw dd.classify(ex, "applying " + what + " to " + dst);
        }
        tables.put(e.table(), new MappedTable(newSource, newDest));
        columnMaps.remove(e.table());
        if (!sql.isEmpty()) {
            warnings.accept("schema change followed on " + dst + ": " + String.join("; ", sql));
        }
    }

    /** Whether a column's type, nullability, default or auto-increment differ. */
    private static boolean changed(Column was, Column is) {
        return !was.type().equals(is.type()) || was.nullable() != is.nullable()
                || !java.util.Objects.equals(was.defaultValue(), is.defaultValue()) || was.autoIncrement() != is.autoIncrement();
    }

    private static final java.util.regex.Pattern COLUMN_CHANGE = java.util.regex.Pattern.compile(
            "(?i)\\b(MODIFY|CHANGE|ALTER)\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?(`(?:[^`]|``)+`|[\\w$]+)"
                    + "(?:\\s+(`(?:[^`]|``)+`|[\\w$]+))?");

    /** The columns a MySQL-family statement changes in place (MODIFY c, CHANGE old new, ALTER [COLUMN] c). */
    static java.util.Set<String> columnsChangedBy(String ddl) {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (ddl == null) {
            return out;
        }
        java.util.regex.Matcher mt = COLUMN_CHANGE.matcher(ddl);
        while (mt.find()) {
            String verb = mt.group(1).toUpperCase(java.util.Locale.ROOT);
            String first = unquote(mt.group(2));
            if (verb.equals("ALTER") && first.equalsIgnoreCase("TABLE")) {
                continue;
            }
            out.add(first);
            if (verb.equals("CHANGE") && mt.group(3) != null) {
                out.add(unquote(mt.group(3)));
            }
        }
        return out;
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("`") ? identifier.substring(1, identifier.length() - 1).replace("``", "`") : identifier;
    }

    /**
     * The statements that give the destination table the columns of {@code newDest}, judged
     * against the destination's own catalog (so a restart between a DDL and its checkpoint finds
     * the work done, or still to do); then those that change the columns {@code modified} in place.
     */
    private List<String> alignDestination(String what, MappedTable m, Table newDest, String ddl, boolean mayDrop,
                                          List<String> modified) {
        Dialect dd = ends.destinationDialect();
        TableId dst = m.destination().id();
        Table have;
        try (Connection c = ends.connectDestination()) {
            have = dd.readTables(c, dst.schema(), dst::equals).stream().findFirst().orElse(null);
        } catch (SQLException ex) {
            throw dd.classify(ex, "reading the destination table " + dst);
        }
        if (have == null) {
            throw ddlStop(what, "the destination table " + dst + " does not exist");
        }
        List<Column> missing = newDest.columns().stream().filter(col -> have.column(col.name()).isEmpty()).toList();
        List<Column> extra = have.columns().stream().filter(col -> newDest.column(col.name()).isEmpty()).toList();
        List<String> sql = new ArrayList<>();
        String upper = ddl == null ? "" : ddl.toUpperCase(java.util.Locale.ROOT);
        boolean rename = missing.size() == 1 && extra.size() == 1
                && (upper.contains("RENAME COLUMN") || upper.contains(" CHANGE "));
        if (rename) {
            sql.add(renameColumnSql(dst, extra.get(0).name(), missing.get(0).name()));
            missing = List.of();
            extra = List.of();
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
        return sql;
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

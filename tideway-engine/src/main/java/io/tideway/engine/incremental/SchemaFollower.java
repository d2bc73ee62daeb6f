package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.DdlStatement;
import io.tideway.core.model.Column;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.engine.store.Spool;
import io.tideway.metadb.MetaDb;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Connector's picture of the project's tables, and how it follows the source's schema changes
 * on the destination. With {@code incremental.ddl: follow}, a DDL, or a row change that shows
 * columns the project did not know (PostgreSQL logs no DDL), makes the Connector re-read the source
 * table and follow it on the destination, judged against the destination's catalog so that a
 * replay finds the work done: tables created, renamed (while still selected) and, when the project
 * says so, dropped here; columns and indexes by {@link ColumnFollower}. Anything else stops the step
 * naming the statement. The MySQL family's DDL text is read by {@link DdlStatements}.
 */
final class SchemaFollower {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaFollower.class);
    private static final long CATALOG_CHECK_MILLIS = 15_000;

    private final Endpoints ends;
    private final MetaDb metaDb;
    private final long projectId;
    private final Map<TableId, MappedTable> tables = new HashMap<>();
    private final Map<TableId, Map<List<String>, int[]>> columnMaps = new HashMap<>();
    private final UnaryOperator<Table> destinationOf;
    private final Predicate<TableId> selected;
    private final IncrementalOptions options;
    private final Path spoolDir;
    /** Where the Connector's reader is: the spool ahead of it tells what became of a table. */
    private final Supplier<Spool.Address> readerAt;
    /** Runs DDL on the destination (statements, what they do). */
    private final BiConsumer<List<String>, String> execute;
    private final Consumer<String> warnings;
    private final ColumnFollower columns;
    /** Tables created and dropped on the source before their CREATE was applied: their changes are moot. */
    private final Set<TableId> vanished = new HashSet<>();
    /** Tables the spool shows dropped later on: their schema changes are not followed meanwhile. */
    private final Set<TableId> doomed = new HashSet<>();
    /** Columns rows still carry that the source dropped since: their values are not kept. */
    private final Map<TableId, Set<String>> goneColumns = new HashMap<>();
    /** Per table: the column list last found to match, and the table picture it was checked against. */
    private final Map<TableId, Checked> checkedColumns = new HashMap<>();
    private long lastCatalogCheck = System.currentTimeMillis();
    private final Set<TableId> reportedNew = new HashSet<>();

    /** A row's column list found to match a table picture (the spool reader hands out one list per table and shape). */
    private record Checked(List<String> columns, MappedTable table) { }

    /**
     * What became of a table the source no longer has, as the rest of the spool tells: renamed (to
     * a table the source has now, after any further renames) or dropped; neither when it does not tell.
     */
    record Fate(Table renamedTo, boolean dropped) { }

    SchemaFollower(Endpoints ends, MetaDb metaDb, long projectId, List<MappedTable> mapped, UnaryOperator<Table> destinationOf,
                   Predicate<TableId> selected, IncrementalOptions options, Path spoolDir, Supplier<Spool.Address> readerAt,
                   BiConsumer<List<String>, String> execute, Consumer<String> warnings) {
        this.ends = ends;
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.destinationOf = destinationOf;
        this.selected = selected;
        this.options = options;
        this.spoolDir = spoolDir;
        this.readerAt = readerAt;
        this.execute = execute;
        this.warnings = warnings;
        for (MappedTable m : mapped) {
            tables.put(m.source().id(), m);
        }
        this.columns = new ColumnFollower(this, ends);
    }

    /** The project's table of a source table, or null when the project does not move it. */
    MappedTable table(TableId source) {
        return tables.get(source);
    }

    Collection<MappedTable> tables() {
        return tables.values();
    }

    /** Whether {@code id} is selected by the project's table patterns. */
    boolean selects(TableId id) {
        return selected.test(id);
    }

    /** Whether a table was created and dropped on the source before its CREATE was applied. */
    boolean vanished(TableId id) {
        return vanished.contains(id);
    }

    /** Where each of the source table's columns is in a row of {@code eventColumns} (-1: absent). */
    int[] columnMap(MappedTable m, List<String> eventColumns) {
        return columnMaps.computeIfAbsent(m.source().id(), k -> new HashMap<>()).computeIfAbsent(eventColumns, cols -> {
            List<Column> src = m.source().columns();
            int[] map = new int[src.size()];
            for (int j = 0; j < src.size(); j++) {
                map[j] = cols.indexOf(src.get(j).name());
            }
            return map;
        });
    }

    /** Whether a change is a schema change to follow: a DDL, or a row showing changed types or columns. */
    boolean drifted(ChangeEvent e) {
        return e.table() != null && (e.op() == ChangeEvent.Op.DDL || typesChanged(e) || schemaDrifted(e));
    }

    /** The project's picture of a table changed: a new source and destination, column positions read anew. */
    void replace(TableId id, MappedTable m) {
        tables.put(id, m);
        columnMaps.remove(id);
    }

    void execute(List<String> sql, String what) {
        execute.accept(sql, what);
    }

    void warn(String warning) {
        warnings.accept(warning);
    }

    /** Marks a table the source drops later on (its schema changes are not followed meanwhile). */
    void doomed(TableId id) {
        doomed.add(id);
    }

    /** Notes a column that rows still carry but the source dropped since. */
    void columnGone(TableId id, String column) {
        goneColumns.computeIfAbsent(id, k -> new HashSet<>()).add(column);
    }

    /** Why a change of a selected table the project does not know cannot be applied. */
    String unknownTableReason() {
        return options.ddl() == IncrementalOptions.Ddl.FOLLOW
                ? "it was created or renamed on the source before the change capture started, or while a"
                        + " schema change was skipped, or renamed from another name while Tideway was stopped"
                : "incremental.ddl is " + options.ddl().id() + ", so the statement that created it was not applied";
    }

    UnaryOperator<Table> destinationOf() {
        return destinationOf;
    }

    /**
     * Once per start. With {@code incremental.ddl: follow}: adds to destination tables the columns
     * their source tables have gained while Tideway was not running (a DDL spooled but not yet
     * followed when it stopped); never drops. Otherwise the project's picture of each table keeps
     * only the columns the destination has, so that a row carrying another stops the step. Tables
     * the destination lacks are left to the spooled CREATE or RENAME that makes them.
     */
    void reconcile() {
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
            List<String> sql = columns.align("the source's current columns", m, have, m.destination(), null, false,
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


    /**
     * For a source whose log carries no DDL, now and then while nothing waits to be applied: a
     * table of the project that the source no longer has (dropped or renamed) stops the step, since
     * its later changes, under whatever name, are not captured; a new table the patterns select is
     * reported once, as not carried.
     */
    void checkCatalog() {
        long now = System.currentTimeMillis();
        if (sourceLogsDdl() || now - lastCatalogCheck < CATALOG_CHECK_MILLIS) {
            return;
        }
        lastCatalogCheck = now;
        Set<TableId> present = new HashSet<>();
        Set<String> schemas = new TreeSet<>();
        tables.keySet().forEach(t -> schemas.add(t.schema()));
        try (Connection c = ends.connectSource()) {
            for (String schema : schemas) {
                for (Table t : ends.sourceDialect().catalog().readTables(c, schema, selected)) {
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


    /** The destination table as its catalog has it now, or null. */
    Table destinationTable(TableId dst) {
        Dialect dd = ends.destinationDialect();
        try (Connection c = ends.connectDestination()) {
            return SchemaStep.find(dd, c, dst).orElse(null);
        } catch (SQLException ex) {
            throw dd.errors().classify(ex, "reading the destination table " + dst);
        }
    }

    /** The source table as its catalog has it now, or null. */
    Table sourceTable(TableId id, String what) {
        try (Connection c = ends.connectSource()) {
            return SchemaStep.find(ends.sourceDialect(), c, id).orElse(null);
        } catch (SQLException ex) {
            throw ends.sourceDialect().errors().classify(ex, "reading the source table " + id + " after " + what);
        }
    }

    /** True when a row change comes with the capture's note that its table's column types changed just before it. */
    static boolean typesChanged(ChangeEvent e) {
        return e.ddl() != null && e.op() != ChangeEvent.Op.DDL && e.op() != ChangeEvent.Op.HEARTBEAT;
    }

    /** True when a row change carries columns the project's picture of its table lacks (a DDL the log did not show). */
    private boolean schemaDrifted(ChangeEvent e) {
        MappedTable m = tables.get(e.table());
        if (m == null || e.columns().isEmpty() || doomed.contains(e.table())) {
            return false;
        }
        Checked seen = checkedColumns.get(e.table());
        if (seen != null && seen.columns() == e.columns() && seen.table() == m) {
            return false;   // the spool reader hands out one list per table and shape: checked already
        }
        Set<String> gone = goneColumns.getOrDefault(e.table(), Set.of());
        for (String c : e.columns()) {
            if (m.source().column(c).isEmpty() && !gone.contains(c)) {
                return true;
            }
        }
        if (gone.isEmpty()) {
            checkedColumns.put(e.table(), new Checked(e.columns(), m));
        }
        return false;
    }


    static String describe(ChangeEvent e) {
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
    void onSchemaChange(ChangeEvent e) {
        String what = describe(e);
        List<DdlStatement.Rename> renames = ddlOf(e).renames();
        boolean concerned = tables.containsKey(e.table()) || selected.test(e.table())
                || renames.stream().anyMatch(r -> tables.containsKey(r.from()) || selected.test(r.from()) || selected.test(r.to()));
        if (!concerned) {
            return;   // a table the project does not move
        }
        if (typesChanged(e) && !columns.typesDiffer(e.table(), what)) {
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
            columns.follow(e);
            return;
        }
        boolean renamed = false;
        for (DdlStatement.Rename r : renames) {
            renamed |= renameTable(what, r.from(), r.to());
        }
        MappedTable m = tables.get(e.table());
        if (ddlOf(e).dropsTable()) {
            dropTable(what, e.table());
            return;
        }
        if (ddlOf(e).createsTable()) {
            if (m != null && ddlOf(e).replacesTable()) {
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
        columns.follow(e);
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
                sql.addAll(ends.destinationDialect().schema().renameTableSql(oldDst, newDst));
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
            List<String> unsupported = ends.sourceDialect().catalog().unsupportedColumns(now).stream()
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
            CreateTablePlan plan = dd.schema().createTable(dest, ends.sourceFamily());
            if (!plan.problems().isEmpty()) {
                throw ddlStop(what, String.join("; ", plan.problems()));
            }
            plan.warnings().forEach(w -> warnings.accept(dest.id() + ": " + w));
            List<String> sql = new ArrayList<>(ensureSchema(dest.id().schema()));
            sql.addAll(plan.statements());
            sql.addAll(dd.schema().createIndexesSql(dest));
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
    void checkReadable(String what, Table t) {
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
            execute(List.of(ends.destinationDialect().schema().dropTableSql(dst)), "dropping " + dst);
            warnings.accept("table dropped on the destination: " + dst + " (" + what + ")");
        }
        tables.remove(id);
        columnMaps.remove(id);
        doomed.remove(id);
    }

    private List<String> ensureSchema(String schema) {
        Dialect dd = ends.destinationDialect();
        try (Connection c = ends.connectDestination()) {
            return dd.catalog().listSchemas(c).contains(schema) ? List.of() : dd.schema().createSchemaSql(schema);
        } catch (SQLException ex) {
            throw dd.errors().classify(ex, "reading the destination's schemas");
        }
    }

    /**
     * What became of a table the source no longer has, as the rest of the spool tells: renamed (to
     * a table the source has now, after any further renames) or dropped; neither when it does not tell.
     */
    Fate fateOf(TableId id) {
        TableId name = id;
        try (Spool.Reader ahead = new Spool.Reader(spoolDir, readerAt.get())) {
            ChangeEvent e;
            while ((e = ahead.readOne()) != null) {
                if (e.op() != ChangeEvent.Op.DDL || e.table() == null) {
                    continue;
                }
                if (ddlOf(e).dropsTable() && e.table().equals(name)) {
                    return new Fate(null, true);
                }
                for (DdlStatement.Rename r : ddlOf(e).renames()) {
                    if (r.from().equals(name)) {
                        name = r.to();
                        Table now = sourceTable(name, "a rename of " + id);
                        if (now != null) {
                            return new Fate(now, false);
                        }
                    }
                }
            }
        } catch (IOException ex) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the spool ahead of " + readerAt.get() + ": " + ex.getMessage(), ex);
        }
        return new Fate(null, false);
    }

    static TidewayException ddlStop(String what, String why) {
        return new TidewayException(ErrorCode.DDL_UNSUPPORTED, what + " cannot be applied to the destination: " + why
                + ". Make the change on the destination by hand, then run `tideway skip-ddl PROJECT.yaml` and run the project again");
    }

    /** What the source's dialect reads in a DDL event's statement. */
    private DdlStatement ddlOf(ChangeEvent e) {
        return ends.sourceDialect().parseDdl(e.ddl(), e.table().schema());
    }
}

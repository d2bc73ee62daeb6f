package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.change.DdlStatement;
import io.tideway.core.model.Column;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper.MappedTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Follows a schema change of one table's columns and indexes on the destination: columns added,
 * dropped, renamed or changed in type, nullability or default; indexes created and dropped. The
 * destination's catalog is the judge of what is still to do, so that a replay finds the work done.
 */
final class ColumnFollower {
    private final SchemaFollower tables;
    private final Endpoints ends;

    ColumnFollower(SchemaFollower tables, Endpoints ends) {
        this.tables = tables;
        this.ends = ends;
    }

    /**
     * Brings the destination table in line with the source table as it is now: columns added,
     * dropped or renamed, and columns whose type, nullability or default changed. Anything else (a
     * dropped or renamed table, a changed primary key, a type without equivalent) stops the step
     * naming the statement; the DBA changes the destination by hand and runs {@code tideway skip-ddl},
     * which moves the checkpoint past this event.
     */
    void follow(ChangeEvent e) {
        MappedTable m = tables.table(e.table());
        String what = SchemaFollower.describe(e);
        Table now = tables.sourceTable(e.table(), what);
        if (now == null) {
            // renamed or dropped since: the rest of the spool says which
            SchemaFollower.Fate fate = tables.fateOf(e.table());
            if (fate.dropped()) {
                tables.doomed(e.table());
                tables.warn("not followed, the source drops " + e.table() + " later on: " + what);
                return;
            }
            if (fate.renamedTo() == null) {
                throw SchemaFollower.ddlStop(what, "the source table " + e.table() + " no longer exists (dropped or renamed)");
            }
            now = fate.renamedTo().renamed(e.table(), Map.of());
        }
        String upper = e.ddl() == null ? "" : e.ddl().toUpperCase(Locale.ROOT);
        // the columns as of this event (the capture's own picture, or the rows'), else as the source has them now
        List<String> names = e.columns().isEmpty() ? now.columns().stream().map(Column::name).toList() : e.columns();
        List<String> before = m.source().columns().stream().map(Column::name).toList();
        List<String> added = names.stream().filter(n -> !before.contains(n)).toList();
        List<String> dropped = before.stream().filter(n -> !names.contains(n)).toList();
        boolean rename = added.size() == 1 && dropped.size() == 1 && (upper.contains("RENAME COLUMN") || upper.contains(" CHANGE "));
        // columns changed in place: unlike the project's picture now, or named by a MODIFY/CHANGE/ALTER
        // clause (after a restart the picture is read anew, so the statement is what tells)
        Set<String> named = ddlOf(e).columnsChanged();
        List<Column> cols = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        for (String n : names) {
            Column was = before.contains(n) ? m.source().column(n).orElseThrow()
                    : rename && n.equals(added.get(0)) ? m.source().column(dropped.get(0)).orElseThrow().renamed(n) : null;
            Column is = now.column(n).orElse(null);
            if (was == null && is == null) {
                // added, and dropped again since: its values are not kept
                tables.columnGone(e.table(), n);
                tables.warn("column " + n + " of " + e.table() + " is no longer on the source: not added to the destination");
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
        tables.checkReadable(what, new Table(e.table(), newlyTyped, List.of(), List.of(), null, 0, 0));
        List<String> kept = cols.stream().map(Column::name).toList();
        for (String k : m.source().rowKey()) {
            if (!kept.contains(k) && !(rename && dropped.contains(k))) {
                throw SchemaFollower.ddlStop(what, "key column " + k + " of " + e.table() + " was dropped");
            }
        }
        List<String> keyAfter = m.source().primaryKey().stream().map(k -> rename && dropped.contains(k) ? added.get(0) : k).toList();
        if (!now.primaryKey().equals(keyAfter) && kept.containsAll(now.primaryKey())) {
            throw SchemaFollower.ddlStop(what, "the primary key of " + e.table() + " changed from " + keyAfter + " to " + now.primaryKey()
                    + "; change it on the destination the same way");
        }
        Table newSource = new Table(m.source().id(), cols, keyAfter,
                now.indexes().stream().filter(ix -> kept.containsAll(ix.columns())).toList(), m.source().comment(),
                m.source().estimatedRows(), m.source().estimatedBytes());
        List<String> rowKeyBefore = m.source().rowKey().stream()
                .map(k -> rename && dropped.contains(k) ? added.get(0) : k).toList();
        if (!rowKeyBefore.isEmpty() && !newSource.rowKey().equals(rowKeyBefore)) {
            throw SchemaFollower.ddlStop(what, "the row key of " + e.table() + " (its first not-null unique key) changed from " + rowKeyBefore
                    + " to " + (newSource.rowKey().isEmpty() ? "none" : newSource.rowKey()) + "; change it on the destination the same way");
        }
        Table newDest = tables.destinationOf().apply(newSource);
        List<String> modifiedDest = modified.stream().map(n -> newDest.columns().get(newSource.columnIndex(n)).name()).toList();
        Set<String> goneIndexes = new HashSet<>(ddlOf(e).indexesDropped());
        m.source().indexes().forEach(ix -> goneIndexes.add(ix.name()));
        now.indexes().forEach(ix -> goneIndexes.remove(ix.name()));
        TableId dst = m.destination().id();
        Table have = tables.destinationTable(dst);
        if (have == null) {
            throw SchemaFollower.ddlStop(what, "the destination table " + dst + " does not exist");
        }
        List<String> sql = align(what, m, have, newDest, e.ddl(), true, modifiedDest, goneIndexes);
        tables.execute(sql, "applying " + what + " to " + dst);
        tables.replace(e.table(), new MappedTable(newSource, newDest));
        if (!sql.isEmpty()) {
            tables.warn("schema change followed on " + dst + ": " + String.join("; ", sql));
        }
    }

    /** Whether a column of the project's picture of a table differs from the source's column now (or the table is gone). */
    boolean typesDiffer(TableId id, String what) {
        MappedTable m = tables.table(id);
        Table now = tables.sourceTable(id, what);
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
                || !Objects.equals(was.defaultValue(), is.defaultValue()) || was.autoIncrement() != is.autoIncrement();
    }

    /**
     * The statements that give the destination table the columns of {@code newDest}, judged
     * against the destination's own catalog (so a restart between a DDL and its checkpoint finds
     * the work done, or still to do); then those that change the columns {@code modified} in place.
     * With {@code goneIndexes} (source index names the source no longer has; null to leave indexes
     * alone) the index statements too: indexes the source lost are dropped, indexes it has that the
     * destination lacks (by columns and uniqueness) are created, and an index whose columns changed
     * under the same name is made again. Indexes the destination has of its own are kept.
     *
     * @param have the destination table as its catalog has it now
     */
    List<String> align(String what, MappedTable m, Table have, Table newDest, String ddl, boolean mayDrop,
                       List<String> modified, Set<String> goneIndexes) {
        Dialect dd = ends.destinationDialect();
        TableId dst = m.destination().id();
        List<Column> missing = newDest.columns().stream().filter(col -> have.column(col.name()).isEmpty()).toList();
        List<Column> extra = have.columns().stream().filter(col -> newDest.column(col.name()).isEmpty()).toList();
        List<String> sql = new ArrayList<>();
        String upper = ddl == null ? "" : ddl.toUpperCase(Locale.ROOT);
        boolean rename = missing.size() == 1 && extra.size() == 1
                && (upper.contains("RENAME COLUMN") || upper.contains(" CHANGE "));
        // the destination's indexes as they are once a renamed column is renamed (both families rename it in indexes)
        List<Index> haveIndexes = have.indexes();
        if (rename) {
            String from = extra.get(0).name();
            String to = missing.get(0).name();
            sql.add(renameColumnSql(dst, from, to));
            missing = List.of();
            extra = List.of();
            haveIndexes = haveIndexes.stream().map(ix -> new Index(ix.name(),
                    ix.columns().stream().map(n -> n.equals(from) ? to : n).toList(), ix.unique())).toList();
        }
        List<Index> keptIndexes = new ArrayList<>(haveIndexes);
        if (goneIndexes != null) {
            for (Index ix : haveIndexes) {
                boolean gone = goneIndexes.stream().anyMatch(n -> dd.schema().indexName(dst, n).equals(ix.name()));
                boolean redefined = newDest.indexes().stream().anyMatch(want -> dd.schema().indexName(dst, want.name()).equals(ix.name())
                        && !signature(want).equals(signature(ix)));
                if (gone || redefined) {
                    sql.add(dd.schema().dropIndexSql(dst, ix.name()));
                    keptIndexes.remove(ix);
                }
            }
        }
        if (mayDrop && !missing.isEmpty() && !extra.isEmpty()) {
            throw SchemaFollower.ddlStop(what, "columns were both added " + missing.stream().map(Column::name).toList() + " and dropped "
                    + extra.stream().map(Column::name).toList() + "; a rename cannot be told from a drop and an add");
        }
        for (Column col : missing) {
            try {
                sql.addAll(dd.schema().addColumnSql(dst, col, ends.sourceFamily()));
            } catch (TidewayException ex) {
                throw SchemaFollower.ddlStop(what, ex.getMessage());
            }
        }
        if (mayDrop) {
            for (Column col : extra) {
                sql.add(dd.schema().dropColumnSql(dst, col.name()));
            }
        }
        for (String col : modified) {
            try {
                sql.addAll(dd.schema().modifyColumnSql(newDest, col, ends.sourceFamily()));
            } catch (TidewayException ex) {
                throw SchemaFollower.ddlStop(what, ex.getMessage());
            }
        }
        if (goneIndexes != null) {
            Set<String> present = keptIndexes.stream().map(ColumnFollower::signature).collect(Collectors.toSet());
            List<Index> create = newDest.indexes().stream().filter(ix -> !present.contains(signature(ix))).toList();
            if (!create.isEmpty()) {
                sql.addAll(dd.schema().createIndexesSql(new Table(dst, newDest.columns(), newDest.primaryKey(), create, null, 0, 0)));
            }
        }
        return sql;
    }

    private static String signature(Index ix) {
        return (ix.unique() ? "U:" : "I:") + String.join("\u0000", ix.columns());
    }

    private String renameColumnSql(TableId table, String from, String to) {
        // both families spell it the same way (MySQL 8, MariaDB 10.5+, PostgreSQL)
        Dialect dd = ends.destinationDialect();
        return "ALTER TABLE " + dd.quote(table) + " RENAME COLUMN " + dd.quote(from) + " TO " + dd.quote(to);
    }

    /** What the source's dialect reads in a DDL event's statement. */
    private DdlStatement ddlOf(ChangeEvent e) {
        return ends.sourceDialect().parseDdl(e.ddl(), e.table().schema());
    }
}

package io.tideway.engine.verify;

import io.tideway.core.model.Column;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.schema.SchemaStep;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a source table with its destination row by row, in memory: every value of every row
 * in canonical form. Meant for tables of up to a few million rows (tests and the demo); the
 * chunked verification step is the tool for production tables.
 */
public final class TableCompare {
    private TableCompare() { }

    /** Rows only in the source, only in the destination, and present on both with other values. */
    public record Result(String table, long sourceRows, long destinationRows, List<String> missing, List<String> extra,
                         List<String> different) {
        public boolean equal() {
            return missing.isEmpty() && extra.isEmpty() && different.isEmpty();
        }

        @Override
        public String toString() {
            return table + ": " + sourceRows + " source rows, " + destinationRows + " destination rows"
                    + (equal() ? ", equal" : ", missing " + first(missing) + ", extra " + first(extra) + ", different " + first(different));
        }

        private static String first(List<String> l) {
            return l.size() + (l.isEmpty() ? "" : " e.g. " + l.subList(0, Math.min(3, l.size())));
        }
    }

    /** Compares values as stored on both sides (a MySQL zero date is no NULL). */
    public static Result compare(Endpoints ends, MappedTable m) {
        return compare(ends, m, ZeroDates.KEEP);
    }

    /**
     * Compares the source's rows, with their zero dates made what {@code zeroDates} (the project's
     * resolved choice) makes them, with the destination's rows as stored.
     */
    public static Result compare(Endpoints ends, MappedTable m, ZeroDates zeroDates) {
        Table src = m.source();
        try (Connection sc = ends.connectSource(); Connection dc = ends.connectDestination()) {
            Table dst = SchemaStep.find(ends.destinationDialect(), dc, m.destination().id()).orElseThrow(() ->
                    new TidewayException(ErrorCode.TABLE_VANISHED, "destination table " + m.destination().id() + " does not exist"));
            // destination columns in the order of the source's (renamed) columns
            List<Column> dcols = new ArrayList<>();
            for (Column c : m.destination().columns()) {
                dcols.add(dst.column(c.name()).orElseThrow(() -> new TidewayException(ErrorCode.TABLE_CONFLICT,
                        "destination table " + dst.id() + " has no column " + c.name())));
            }
            Table dstOrdered = dst.withColumns(dcols);
            List<Integer> key = new ArrayList<>();
            for (String k : src.rowKey()) {
                key.add(src.columnIndex(k));
            }
            Map<String, List<String>> a = load(ends.sourceDialect(), sc, src, key, new ReadOptions(zeroDates, w -> { }));
            Map<String, List<String>> b = load(ends.destinationDialect(), dc, dstOrdered, key, ReadOptions.DEFAULT);
            List<String> missing = new ArrayList<>();
            List<String> different = new ArrayList<>();
            long srcRows = a.values().stream().mapToLong(List::size).sum();
            long dstRows = b.values().stream().mapToLong(List::size).sum();
            for (var e : a.entrySet()) {
                List<String> other = b.remove(e.getKey());
                if (other == null) {
                    missing.add(e.getKey());
                } else if (!other.equals(e.getValue())) {
                    different.add(e.getKey() + " " + diffColumns(src, e.getValue(), other));
                }
            }
            List<String> extra = new ArrayList<>(b.keySet());
            return new Result(src.id().toString(), srcRows, dstRows, missing, extra, different);
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "comparing " + src.id() + ": " + e.getMessage(), e);
        }
    }

    private static String diffColumns(Table t, List<String> a, List<String> b) {
        if (a.size() != 1 || b.size() != 1) {
            return "(duplicate rows differ)";
        }
        String[] x = a.get(0).split("\u0001", -1);
        String[] y = b.get(0).split("\u0001", -1);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < x.length && i < y.length; i++) {
            if (!x[i].equals(y[i])) {
                cols.add(t.columns().get(i).name() + ": " + x[i] + " <> " + y[i]);
            }
        }
        return cols.toString();
    }

    /** Rows by key text; a keyless table's rows are their own keys (a multiset). */
    private static Map<String, List<String>> load(Dialect d, Connection c, Table t, List<Integer> key, ReadOptions how)
            throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (RowCursor cur = d.rows().openRows(c, t, KeyRange.ALL, how)) {
            while (cur.next()) {
                Object[] row = cur.row();
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        all.append('\u0001');
                    }
                    all.append(Canonical.of(row[i], t.columns().get(i).type()));
                }
                String k;
                if (key.isEmpty()) {
                    k = all.toString();
                } else {
                    StringBuilder kb = new StringBuilder();
                    for (int i : key) {
                        kb.append(Canonical.of(row[i], t.columns().get(i).type())).append('|');
                    }
                    k = kb.toString();
                }
                out.computeIfAbsent(k, x -> new ArrayList<>(1)).add(all.toString());
            }
        }
        return out;
    }
}

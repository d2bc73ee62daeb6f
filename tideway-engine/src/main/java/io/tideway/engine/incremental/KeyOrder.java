package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch.Keyed;
import io.tideway.core.model.Table;
import io.tideway.engine.verify.Canonical;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The order in which the Connector writes a batch's rows: in key order where the rows are
 * independent, so that the destination visits each page once per batch instead of once per row
 * (a batch of changes to random keys of a table larger than the server's cache otherwise reads and
 * writes back a page per row); and the keys by which rows are told apart.
 */
final class KeyOrder {
    private KeyOrder() { }

    /**
     * Whether the rows of a batch may be written in any order: each key occurs once in a batch, so
     * they are independent unless another unique key ties two of them (a value moving from one row
     * to another must leave the first before it reaches the second).
     */
    static boolean keyOrderIsFree(Table t) {
        Set<String> key = new HashSet<>(t.rowKey());
        return !key.isEmpty() && t.indexes().stream().noneMatch(ix -> ix.unique() && !new HashSet<>(ix.columns()).equals(key));
    }

    /**
     * Sorts rows by their key columns, so that the destination writes them in index order.
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

    /** Sorts a batch's kept rows by their key; false (any order) when the key values cannot be compared. */
    static boolean sortEntriesByKey(List<Keyed> entries, Table t) {
        int[] keyIdx = t.rowKey().stream().mapToInt(t::columnIndex).toArray();
        if (keyIdx.length == 1 && sortByOneIntegralKey(entries, keyIdx[0])) {
            return true;
        }
        Comparator<Object[]> byKey = byKey(keyIdx);
        try {
            entries.sort((x, y) -> byKey.compare(x.row(), y.row()));
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
    private static boolean sortByOneIntegralKey(List<Keyed> entries, int k) {
        int n = entries.size();
        if (n < 2) {
            return true;
        }
        Object first = entries.get(0).row()[k];
        if (first instanceof Long) {
            for (Keyed e : entries) {
                if (!(e.row()[k] instanceof Long)) {
                    return false;
                }
            }
            entries.sort(Comparator.comparingLong(e -> (Long) e.row()[k]));
            return true;
        }
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            if (!(entries.get(i).row()[k] instanceof Integer v)) {
                return false;
            }
            packed[i] = ((long) v << 32) | i;   // the key's order first, then the entry's place (i >= 0)
        }
        Arrays.sort(packed);
        Keyed[] sorted = new Keyed[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = entries.get((int) packed[i]);
        }
        for (int i = 0; i < n; i++) {
            entries.set(i, sorted[i]);
        }
        return true;
    }

    /** Rows in the order of their values in the columns {@code keyIdx}. */
    private static Comparator<Object[]> byKey(int[] keyIdx) {
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
            return Arrays.compareUnsigned(x, y);
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable ca) {
            return ca.compareTo(b);
        }
        throw new ClassCastException("key values of " + a.getClass() + " and " + b.getClass());
    }

    /** A row's key as text (its canonical values), to tell rows of one table apart. */
    static String keyOf(Table t, Object[] row) {
        StringBuilder sb = new StringBuilder();
        for (String k : t.rowKey()) {
            int i = t.columnIndex(k);
            sb.append(Canonical.of(row[i], t.columns().get(i).type())).append('\u0001');
        }
        return sb.toString();
    }

    /** A row's key values, in the order of the table's row key. */
    static Object[] keyValues(Table t, Object[] row) {
        List<String> key = t.rowKey();
        Object[] out = new Object[key.size()];
        for (int j = 0; j < key.size(); j++) {
            out[j] = row[t.columnIndex(key.get(j))];
        }
        return out;
    }
}

package io.tideway.core.model;

import java.util.List;

/**
 * A half-open range of a table's row key: {@code lower <= key < upper}, compared as a tuple in
 * key-column order. A null bound is unbounded. Values are in canonical form (see
 * {@link ColumnType.Kind}). Immutable.
 */
public record KeyRange(List<Object> lower, List<Object> upper) {
    public static final KeyRange ALL = new KeyRange(null, null);

    public KeyRange {
        lower = lower == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(lower));
        upper = upper == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(upper));
    }

    public boolean isAll() {
        return lower == null && upper == null;
    }

    @Override
    public String toString() {
        return "[" + (lower == null ? "-inf" : lower) + ", " + (upper == null ? "+inf" : upper) + ")";
    }
}

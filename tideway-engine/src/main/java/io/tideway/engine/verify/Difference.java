package io.tideway.engine.verify;

import java.util.List;

/**
 * One row that differs between source and destination, as last read on both sides.
 *
 * @param key the row key's values (source canonical form), null for a table without a key
 * @param keyText the key as compared (canonical texts), null for a table without a key
 * @param columns for DIFFERENT: the source names of the columns whose values differ
 * @param sourceRow every column of the source row (source column order); when EXTRA, null, or with a row
 *     filter the source's row of that key that the filter leaves out (the destination gets it, not a delete)
 * @param destinationRow the compared columns of the destination row; null when MISSING
 */
public record Difference(Kind kind, List<Object> key, String keyText, List<String> columns, Object[] sourceRow,
                         Object[] destinationRow) {

    public enum Kind {
        /** In the source, not in the destination. */
        MISSING,
        /** In the destination, not in the source. */
        EXTRA,
        /** On both sides with other values. */
        DIFFERENT
    }

    public Difference {
        columns = columns == null ? List.of() : List.copyOf(columns);
    }
}

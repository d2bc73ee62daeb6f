package io.tideway.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A table as read from a catalog: columns in ordinal order, the primary key, unique keys and
 * secondary indexes, and the database's own size estimates.
 *
 * @param primaryKey column names, empty when the table has none
 * @param indexes unique keys and secondary indexes, not the primary key
 * @param estimatedRows the catalog's estimate (may be off, never used for correctness)
 * @param collation the table's default collation as its catalog names it (MySQL family, naming the
 *     character set too), or null
 */
public record Table(
        TableId id, List<Column> columns, List<String> primaryKey, List<Index> indexes, String comment,
        long estimatedRows, long estimatedBytes, String collation) {

    public Table {
        Objects.requireNonNull(id, "id");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        indexes = List.copyOf(indexes);
    }

    /** A table without a default collation. */
    public Table(TableId id, List<Column> columns, List<String> primaryKey, List<Index> indexes, String comment,
                 long estimatedRows, long estimatedBytes) {
        this(id, columns, primaryKey, indexes, comment, estimatedRows, estimatedBytes, null);
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public int columnIndex(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The key that chunks and identifies rows: the primary key, else the first unique key whose
     * columns are all NOT NULL; empty when there is none.
     */
    public List<String> rowKey() {
        if (!primaryKey.isEmpty()) {
            return primaryKey;
        }
        for (Index ix : indexes) {
            if (ix.unique() && ix.columns().stream().allMatch(n -> column(n).map(c -> !c.nullable()).orElse(false))) {
                return ix.columns();
            }
        }
        return List.of();
    }

    public List<Column> rowKeyColumns() {
        List<Column> out = new ArrayList<>();
        for (String k : rowKey()) {
            out.add(column(k).orElseThrow());
        }
        return out;
    }

    /** The same table under another name with columns renamed by {@code columnRenames} (old -> new). */
    public Table renamed(TableId newId, Map<String, String> columnRenames) {
        List<Column> cols = columns.stream().map(c -> c.renamed(columnRenames.getOrDefault(c.name(), c.name()))).toList();
        List<String> pk = primaryKey.stream().map(n -> columnRenames.getOrDefault(n, n)).toList();
        List<Index> ix = indexes.stream()
                .map(i -> new Index(i.name(), i.columns().stream().map(n -> columnRenames.getOrDefault(n, n)).toList(), i.unique()))
                .toList();
        return new Table(newId, cols, pk, ix, comment, estimatedRows, estimatedBytes, collation);
    }

    public Table withColumns(List<Column> cols) {
        return new Table(id, cols, primaryKey, indexes, comment, estimatedRows, estimatedBytes, collation);
    }

    public Table withEstimates(long rows, long bytes) {
        return new Table(id, columns, primaryKey, indexes, comment, rows, bytes, collation);
    }
}

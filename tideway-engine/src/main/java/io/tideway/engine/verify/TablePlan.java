package io.tideway.engine.verify;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.engine.TableMapper.MappedTable;
import java.util.ArrayList;
import java.util.List;

/**
 * How one table is compared: the columns read on each side (the project's renames applied, the
 * excluded columns left out, the destination's own types as its catalog reports them), the key
 * rows are matched by, and whether the key orders the same way on both sides.
 *
 * @param source every source column (rows re-read for corrections)
 * @param sourceCompared the compared source columns
 * @param destinationCompared the same columns on the destination, in the same order, keyed by the renamed source key
 * @param destinationWrite the renamed source table, as the full copy writes it, without excluded columns the destination lacks
 * @param destinationWriteCompared its compared columns only (rows that exist on both sides are corrected in these)
 * @param compared positions in {@code source} of the compared columns
 * @param written positions in {@code source} of the columns of {@code destinationWrite}
 * @param key positions of the key columns in the compared columns (empty: no key)
 * @param sourceKey positions of the key columns in {@code source}
 * @param portableOrder both databases return the rows of a key range in the same order
 */
record TablePlan(MappedTable mapped, Table source, Table sourceCompared, Table destinationCompared, Table destinationWrite,
                 Table destinationWriteCompared, int[] compared, int[] written, int[] key, int[] sourceKey, boolean portableOrder,
                 List<String> excluded) {

    String label() {
        return mapped.label();
    }

    boolean keyed() {
        return key.length > 0;
    }

    /**
     * @param destination the destination table as its catalog describes it
     * @throws TidewayException TABLE_CONFLICT when a mapped column is missing on the destination,
     *     CONFIG_INVALID when a key column is excluded
     */
    static TablePlan of(MappedTable m, Table destination, ColumnExclusions exclusions, boolean sameFamily) {
        Table src = m.source();
        Table renamed = m.destination();
        List<String> srcKey = src.rowKey();
        List<Column> srcCols = new ArrayList<>();
        List<Column> dstCols = new ArrayList<>();
        List<Column> writeCols = new ArrayList<>();
        List<Column> allWriteCols = new ArrayList<>();
        List<Integer> compared = new ArrayList<>();
        List<Integer> written = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (int i = 0; i < src.columns().size(); i++) {
            Column c = src.columns().get(i);
            if (exclusions.excludes(src.id(), c.name())) {
                if (srcKey.contains(c.name())) {
                    throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.exclude-columns: " + src.id() + "." + c.name()
                            + " is a column of the table's key, which rows are matched by; it cannot be excluded");
                }
                excluded.add(c.name());
                if (destination.column(renamed.columns().get(i).name()).isPresent()) {
                    allWriteCols.add(renamed.columns().get(i));
                    written.add(i);
                }
                continue;
            }
            String name = renamed.columns().get(i).name();
            Column d = destination.column(name).orElseThrow(() -> new TidewayException(ErrorCode.TABLE_CONFLICT,
                    "destination table " + destination.id() + " has no column " + name + " (source column " + src.id() + "."
                            + c.name() + "); exclude it from verification (verify.exclude-columns) or add it"));
            srcCols.add(c);
            dstCols.add(d);
            writeCols.add(renamed.columns().get(i));
            allWriteCols.add(renamed.columns().get(i));
            compared.add(i);
            written.add(i);
        }
        List<String> dstKey = renamed.rowKey();
        Table sourceCompared = new Table(src.id(), srcCols, srcKey, List.of(), src.comment(), src.estimatedRows(),
                src.estimatedBytes());
        Table destinationCompared = new Table(destination.id(), dstCols, dstKey, List.of(), destination.comment(),
                destination.estimatedRows(), destination.estimatedBytes());
        Table source = new Table(src.id(), src.columns(), srcKey, List.of(), src.comment(), src.estimatedRows(), src.estimatedBytes());
        Table write = new Table(renamed.id(), allWriteCols, dstKey, List.of(), renamed.comment(), 0, 0);
        Table writeCompared = new Table(renamed.id(), writeCols, dstKey, List.of(), renamed.comment(), 0, 0);
        int[] key = new int[srcKey.size()];
        int[] sourceKey = new int[srcKey.size()];
        boolean portable = true;
        for (int k = 0; k < srcKey.size(); k++) {
            key[k] = sourceCompared.columnIndex(srcKey.get(k));
            sourceKey[k] = src.columnIndex(srcKey.get(k));
            portable &= portable(srcCols.get(key[k]).type(), sameFamily) && portable(dstCols.get(key[k]).type(), sameFamily);
        }
        return new TablePlan(m, source, sourceCompared, destinationCompared, write, writeCompared,
                compared.stream().mapToInt(Integer::intValue).toArray(), written.stream().mapToInt(Integer::intValue).toArray(), key,
                sourceKey, portable, List.copyOf(excluded));
    }

    /** As the full copy decides it: types that sort alike everywhere, and within a family integers and bytes. */
    private static boolean portable(ColumnType t, boolean sameFamily) {
        return t.hasPortableOrder() || sameFamily && (t.isInteger() || t.isBinary());
    }

    /** The compared values of a whole source row. */
    Object[] comparedOf(Object[] sourceRow) {
        Object[] out = new Object[compared.length];
        for (int i = 0; i < compared.length; i++) {
            out[i] = sourceRow[compared[i]];
        }
        return out;
    }

    /** The values of a whole source row that {@code destinationWrite} takes. */
    Object[] writtenOf(Object[] sourceRow) {
        Object[] out = new Object[written.length];
        for (int i = 0; i < written.length; i++) {
            out[i] = sourceRow[written[i]];
        }
        return out;
    }

    /** The key values of a row of the compared columns. */
    List<Object> keyOf(Object[] comparedRow) {
        List<Object> out = new ArrayList<>(key.length);
        for (int k : key) {
            out.add(comparedRow[k]);
        }
        return out;
    }

    /** The canonical text a row's key is matched by (of a row of the compared columns of {@code t}). */
    static String keyText(Table t, int[] key, Object[] row) {
        StringBuilder b = new StringBuilder();
        for (int k : key) {
            b.append(Canonical.of(row[k], t.columns().get(k).type())).append('\u0001');
        }
        return b.toString();
    }

    /** Source names of the compared columns whose canonical values differ. */
    List<String> differingColumns(Object[] sourceCompared, Object[] destinationCompared) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < compared.length; i++) {
            String a = Canonical.of(sourceCompared[i], this.sourceCompared.columns().get(i).type());
            String b = Canonical.of(destinationCompared[i], this.destinationCompared.columns().get(i).type());
            if (!a.equals(b)) {
                out.add(this.sourceCompared.columns().get(i).name());
            }
        }
        return out;
    }
}

package io.tideway.engine.incremental;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.ChangeBatch.Keyed;
import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When and how the Connector writes a batch's rows in key order. */
class ApplyOrderTest {
    private static Column col(String name) {
        return new Column(name, ColumnType.of(Kind.INT64, "bigint"), false, null, false, null);
    }

    private static Table table(List<String> pk, List<Index> indexes) {
        return new Table(new TableId("s", "t"), List.of(col("a"), col("b"), col("u")), pk, indexes, null, 0, 0);
    }

    @Test
    void anyOrderOnlyWhenNoOtherUniqueKeyTiesRows() {
        assertThat(KeyOrder.keyOrderIsFree(table(List.of("a"), List.of(new Index("ix_u", List.of("u"), false))))).isTrue();
        assertThat(KeyOrder.keyOrderIsFree(table(List.of("a"), List.of(new Index("uq_u", List.of("u"), true))))).isFalse();
        assertThat(KeyOrder.keyOrderIsFree(table(List.of("b", "a"), List.of(new Index("uq_ab", List.of("a", "b"), true)))))
                .as("a unique index on the key's own columns").isTrue();
        assertThat(KeyOrder.keyOrderIsFree(table(List.of(), List.of()))).as("no key").isFalse();
    }

    @Test
    void rowsAreSortedByTheirKeyColumnsInOrder() {
        List<Object[]> rows = new ArrayList<>(List.of(
                new Object[] {2L, "x", 9L}, new Object[] {1L, "z", 8L}, new Object[] {2L, "a", 7L}, new Object[] {null, "q", 6L}));
        KeyOrder.sortByKey(rows, new int[] {0, 1});
        assertThat(rows).extracting(r -> r[2]).containsExactly(6L, 8L, 7L, 9L);
        List<Object[]> bytes = new ArrayList<>(List.of(new Object[] {new byte[] {(byte) 0xff}}, new Object[] {new byte[] {1}}));
        KeyOrder.sortByKey(bytes, new int[] {0});
        assertThat((byte[]) bytes.get(0)[0]).containsExactly(1);
    }

    private static List<Keyed> entries(Object... keys) {
        List<Keyed> out = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            out.add(new Keyed(false, new Object[] {keys[i], "row" + i, (long) i}));
        }
        return out;
    }

    private static List<Object> keysOf(List<Keyed> entries) {
        return entries.stream().map(e -> e.row()[0]).toList();
    }

    @Test
    void batchEntriesOfOneIntegerOrLongKeyAreSortedWithNegativesFirst() {
        Table t = table(List.of("a"), List.of());
        List<Keyed> ints = entries(5, -3, Integer.MAX_VALUE, 0, Integer.MIN_VALUE, 42, -1);
        assertThat(KeyOrder.sortEntriesByKey(ints, t)).isTrue();
        assertThat(keysOf(ints)).containsExactly(Integer.MIN_VALUE, -3, -1, 0, 5, 42, Integer.MAX_VALUE);
        assertThat(ints).extracting(e -> e.row()[1]).as("each row kept with its key")
                .containsExactly("row4", "row1", "row6", "row3", "row0", "row5", "row2");
        List<Keyed> longs = entries(7L, Long.MIN_VALUE, -2L, Long.MAX_VALUE, 3L);
        assertThat(KeyOrder.sortEntriesByKey(longs, t)).isTrue();
        assertThat(keysOf(longs)).containsExactly(Long.MIN_VALUE, -2L, 3L, 7L, Long.MAX_VALUE);
        List<Keyed> mixed = entries(3, 1L, 2);
        assertThat(KeyOrder.sortEntriesByKey(mixed, t)).as("Integer and Long keys do not compare").isFalse();
        List<Keyed> text = entries("b", "c", "a");
        assertThat(KeyOrder.sortEntriesByKey(text, t)).isTrue();
        assertThat(keysOf(text)).containsExactly("a", "b", "c");
    }

    @Test
    void keyValuesOfDifferentClassesKeepTheirRows() {
        List<Object[]> rows = new ArrayList<>(List.of(new Object[] {"b"}, new Object[] {1L}, new Object[] {"a"}));
        KeyOrder.sortByKey(rows, new int[] {0});
        assertThat(rows).hasSize(3).extracting(r -> r[0]).containsExactlyInAnyOrder("a", "b", 1L);
    }
}

package io.tideway.engine.incremental;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.engine.RunContext;
import io.tideway.engine.TableMapper.MappedTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DirectionTest {
    private static Table table(String schema, String name, String... cols) {
        List<Column> cs = java.util.Arrays.stream(cols)
                .map(c -> new Column(c, ColumnType.of(ColumnType.Kind.INT64, "bigint"), false, null, false, null)).toList();
        return new Table(new TableId(schema, name), cs, List.of(cols[0]), List.of(), null, 0, 0);
    }

    @Test
    void theReverseLandingUndoesTheProjectsRenames() {
        Table src = table("shop", "orders", "id", "qty");
        Table dst = src.renamed(new TableId("sales", "order_list"), Map.of("qty", "quantity"));
        RunContext reverse = new RunContext(null, null, null, 1, List.of(new MappedTable(dst, src)), null);
        Table landed = Direction.REVERSE.landing(reverse).apply(dst);
        assertThat(landed.id()).isEqualTo(new TableId("shop", "orders"));
        assertThat(landed.columns()).extracting(Column::name).containsExactly("id", "qty");
        assertThat(Direction.REVERSE.selects(reverse).test(dst.id())).isTrue();
        assertThat(Direction.REVERSE.selects(reverse).test(new TableId("sales", "other"))).isFalse();
    }

    @Test
    void eachDirectionHasItsOwnNames() {
        assertThat(Direction.FORWARD.captureSpecName("Shop-To-PG")).isEqualTo("tideway_shop_to_pg");
        assertThat(Direction.REVERSE.captureSpecName("Shop-To-PG")).isEqualTo("tideway_shop_to_pg_rev");
        assertThat(Direction.REVERSE.captureSpecName("x".repeat(80))).hasSizeLessThanOrEqualTo(60);
        assertThat(Direction.FORWARD.serverId("p")).isNotEqualTo(Direction.REVERSE.serverId("p"));
        assertThat(Direction.REVERSE.captureName()).isEqualTo(Store.REVERSE);
    }

    @Test
    void theMarkerLivesInTheSchemaOfTheFirstTableWritten() {
        Table a = table("shop", "b", "id");
        Table b = table("crm", "a", "id");
        assertThat(Direction.markerOf(List.of(new MappedTable(a, a), new MappedTable(b, b))))
                .isEqualTo(new TableId("crm", "tideway_apply_marker"));
        assertThat(Direction.markerOf(List.of())).isNull();
    }
}

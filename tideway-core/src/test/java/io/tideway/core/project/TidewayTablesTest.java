package io.tideway.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.ApplyMarker;
import io.tideway.core.model.TableId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TidewayTablesTest {
    @Test
    void theMarkerTableIsOneOfTidewaysOwnTablesInEverySchema() {
        assertThat(TidewayTables.NAMES).contains(ApplyMarker.TABLE, io.tideway.core.change.HeldPositions.TABLE,
                io.tideway.core.change.SinkPositions.TABLE);
        assertThat(TidewayTables.isOwn(ApplyMarker.in("shop"))).isTrue();
        assertThat(TidewayTables.isOwn(new TableId("public", ApplyMarker.TABLE))).isTrue();
        assertThat(TidewayTables.isOwn(new TableId("shop", "orders"))).isFalse();
        assertThat(TidewayTables.isOwn(new TableId("shop", ApplyMarker.TABLE + "_2"))).as("whole names only").isFalse();
    }

    @Test
    void noSelectionEverIncludesTidewaysOwnTablesWhateverThePatternsSay() {
        List<TablePatterns> selections = List.of(
                TablePatterns.of(TableSelection.DEFAULT, "shop"),
                new TablePatterns(List.of("shop.*"), List.of()),
                new TablePatterns(List.of("*.*"), List.of("shop.tmp_*")),
                new TablePatterns(List.of("shop.tideway_*"), List.of()),
                new TablePatterns(List.of("shop." + ApplyMarker.TABLE), List.of()));
        for (TablePatterns p : selections) {
            for (String name : TidewayTables.NAMES) {
                assertThat(p.selects(new TableId("shop", name))).as(p + " selects " + name).isFalse();
            }
        }
        assertThat(selections.get(1).selects(new TableId("shop", "orders"))).isTrue();
    }
}

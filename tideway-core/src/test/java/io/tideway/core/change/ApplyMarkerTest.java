package io.tideway.core.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplyMarkerTest {
    private static final TableId T = new TableId("shop", "orders");
    private static final TableId MARKER = ApplyMarker.in("shop");

    @Test
    void theChangesOfATransactionThatWroteTheMarkerAreDroppedOthersPass() {
        ApplyMarker.Filter f = new ApplyMarker.Filter();
        assertThat(f.drop(T, 1L)).as("an application's transaction").isFalse();
        assertThat(f.drop(MARKER, 2L)).as("the marker write itself").isTrue();
        assertThat(f.drop(T, 2L)).as("the rest of Tideway's transaction").isTrue();
        assertThat(f.lastWasOwn()).isTrue();
        assertThat(f.drop(T, 3L)).as("the next transaction").isFalse();
        assertThat(f.lastWasOwn()).isFalse();
        assertThat(f.dropped()).isEqualTo(2);
    }

    @Test
    void aRestoredTransactionIsDroppedAfterARestartInsideIt() {
        ApplyMarker.Filter f = new ApplyMarker.Filter();
        f.restore(7L);
        assertThat(f.drop(T, 7L)).isTrue();
        assertThat(f.drop(T, 8L)).isFalse();
    }

    @Test
    void transactionsWithoutAnIdentityAreNeverTakenForTidewaysOwn() {
        ApplyMarker.Filter f = new ApplyMarker.Filter();
        assertThat(f.drop(T, null)).isFalse();
    }

    @Test
    void tablePatternsNeverSelectTheMarkerTable() {
        TablePatterns p = new TablePatterns(List.of("shop.*"), List.of());
        assertThat(p.selects(T)).isTrue();
        assertThat(p.selects(MARKER)).isFalse();
    }
}

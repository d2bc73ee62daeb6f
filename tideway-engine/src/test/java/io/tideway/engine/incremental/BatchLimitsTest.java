package io.tideway.engine.incremental;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.engine.component.ComponentConfig;
import io.tideway.engine.component.ComponentKind;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchLimitsTest {
    private static final long HEAP = Runtime.getRuntime().maxMemory();

    private static Applier.BatchLimits of(Map<String, String> connector) {
        return IncrementalStep.batchLimits(new ComponentConfig(ComponentKind.CONNECTOR, 1,
                ComponentConfig.validate(ComponentKind.CONNECTOR, connector), "test", Instant.now()));
    }

    @Test
    void a_batch_ends_at_the_connectors_configured_share_of_the_heap() {
        assertThat(of(Map.of()).heapBytes()).as("default 30%").isEqualTo(Math.max(16L << 20, (long) (HEAP * 0.3)));
        assertThat(of(Map.of("coordinator.batchMaxHeapShare", "0.6")).heapBytes()).isEqualTo(Math.max(16L << 20, (long) (HEAP * 0.6)));
        assertThat(of(Map.of("coordinator.batchMaxHeapShare", "0.000001")).heapBytes()).as("at least 16 MB").isEqualTo(16L << 20);
    }

    @Test
    void a_batch_ends_at_the_configured_changes_or_a_quarter_seconds_worth_under_a_throttle() {
        assertThat(of(Map.of()).changes()).isEqualTo(1_000_000);
        assertThat(of(Map.of("coordinator.batchMaxRows", "5000")).changes()).isEqualTo(5000);
        assertThat(of(Map.of("coordinator.batchMaxRows", "5000", "coordinator.throttleRows", "400")).changes()).isEqualTo(100);
    }
}

package io.tideway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.engine.status.StepStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusQueryTest {
    @Test
    void aCopyReportsRowsDoneOfTotalWithRateAndEta() {
        assertThat(StatusQuery.progress(Map.of("rowsDone", 500, "rowsTotal", 2000, "bytesDone", 9, "rowsPerSecond", 250,
                "etaSeconds", 6))).isEqualTo(new StepStatus.Progress("rows", 500, 2000L, 250.0, 6L));
    }

    @Test
    void anUnknownRateOrEtaIsNull() {
        assertThat(StatusQuery.progress(Map.of("rowsDone", 0, "rowsTotal", 10, "rowsPerSecond", -1, "etaSeconds", -1)))
                .isEqualTo(new StepStatus.Progress("rows", 0, 10L, null, null));
    }

    @Test
    void aSyncReportsChangesAppliedWithoutTotal() {
        assertThat(StatusQuery.progress(Map.of("lagMillis", 12, "eventsApplied", 4000, "eventsPerSecond", 800.0)))
                .isEqualTo(new StepStatus.Progress("changes", 4000, null, 800.0, null));
    }

    @Test
    void aStepWithoutFiguresHasNoProgress() {
        assertThat(StatusQuery.progress(Map.of())).isNull();
    }
}

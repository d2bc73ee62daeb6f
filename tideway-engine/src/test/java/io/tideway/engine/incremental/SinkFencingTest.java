package io.tideway.engine.incremental;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.SinkPosition;
import io.tideway.engine.incremental.SinkTable.LaneRow;
import io.tideway.engine.store.Spool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a sink decides, from its rows on the destination, whether a writer may write and where it resumes. */
class SinkFencingTest {
    private static SinkPosition at(long segment, long offset, long changes) {
        return SpoolPositions.position(new Spool.Address(segment, offset), "binlog.000001:" + changes, 1000 + changes, changes);
    }

    @Test
    void aWriterWithAnOlderEpochThanTheDestinationHoldsIsRefused() {
        List<LaneRow> rows = List.of(new LaneRow(0, 7, at(1, 100, 10)), new LaneRow(1, 9, at(1, 100, 10)));
        SinkTable.Claim claim = SinkTable.claim(rows, 8);
        assertThat(claim.refused()).isTrue();
        assertThat(claim.newerEpoch()).isEqualTo(9);
        assertThat(claim.held()).isEmpty();
    }

    @Test
    void theSameOrANewerEpochClaimsTheDestination() {
        List<LaneRow> rows = List.of(new LaneRow(0, 7, at(1, 100, 10)), new LaneRow(1, 7, at(1, 100, 10)));
        assertThat(SinkTable.claim(rows, 7).refused()).as("the same run again (a retry)").isFalse();
        assertThat(SinkTable.claim(rows, 8).refused()).as("a newer run").isFalse();
        assertThat(SinkTable.claim(List.of(), 1).refused()).as("a destination that holds nothing yet").isFalse();
        assertThat(SinkTable.claim(List.of(), 1).held()).isEmpty();
    }

    @Test
    void theHeldPositionIsTheLowestOfTheLanesSoNoLanesUncommittedBatchIsPassed() {
        // lane 1 committed the batch ending at 1:300, lane 0 crashed before committing its share of it
        List<LaneRow> rows = List.of(new LaneRow(0, 7, at(1, 200, 20)), new LaneRow(1, 7, at(1, 300, 30)),
                new LaneRow(2, 7, at(1, 300, 30)));
        assertThat(SinkTable.claim(rows, 7).held()).contains(at(1, 200, 20));
    }

    @Test
    void aLaneWithoutAPositionYetMeansTheDestinationHoldsNone() {
        List<LaneRow> rows = List.of(new LaneRow(0, 7, at(1, 200, 20)), new LaneRow(1, 7, null));
        assertThat(SinkTable.claim(rows, 7).held()).isEmpty();
    }

    @Test
    void theRefusalNamesTheProjectTheDirectionAndBothEpochs() {
        SinkTable t = new SinkTable(new TableId("shop", "tideway_sink_position"), null, "shop-to-pg", "forward");
        assertThatThrownBy(() -> {
            throw t.fenced(5, 6);
        }).isInstanceOfSatisfying(TidewayException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SINK_FENCED);
            assertThat(e.code().retriable()).isFalse();
            assertThat(e.getMessage()).contains("shop-to-pg", "forward", "epoch 6", "epoch 5");
        });
    }

    @Test
    void aSpoolPositionRoundTripsThroughItsStoredForm() {
        SinkPosition p = at(12, 34_567, 99);
        assertThat(p.resumeFrom()).isEqualTo("12:34567");
        assertThat(SpoolPositions.address(p)).isEqualTo(new Spool.Address(12, 34_567));
        assertThatThrownBy(() -> SpoolPositions.address(new SinkPosition("x", null, 0, 0)))
                .hasMessageContaining("SEGMENT:OFFSET");
    }
}

package io.tideway.engine.full;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.KeyRange;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {
    @Test
    void evenSplitCoversTheWholeKeySpaceWithoutGapsOrOverlaps() {
        List<KeyRange> r = ChunkPlanner.evenSplit(BigInteger.ONE, BigInteger.valueOf(1_000_000), 1_000_000, 100_000);
        assertThat(r).hasSize(10);
        assertThat(r.get(0).lower()).isNull();
        assertThat(r.get(r.size() - 1).upper()).isNull();
        for (int i = 1; i < r.size(); i++) {
            assertThat(r.get(i).lower()).isEqualTo(r.get(i - 1).upper());
        }
    }

    @Test
    void aSparseKeyIsCutByTheRowEstimateNotTheSpan() {
        List<KeyRange> r = ChunkPlanner.evenSplit(BigInteger.ZERO, BigInteger.valueOf(1_000_000_000_000L), 50_000, 10_000);
        assertThat(r).hasSize(5);
    }

    @Test
    void unsignedKeysAbove2To63AreBoundariesAsBigIntegers() {
        BigInteger min = new BigInteger("18446744073709000000");
        BigInteger max = new BigInteger("18446744073709551615");
        List<KeyRange> r = ChunkPlanner.evenSplit(min, max, 1000, 100);
        assertThat(r).hasSize(10);
        assertThat(r.get(1).lower().get(0)).isInstanceOf(BigInteger.class);
    }

    @Test
    void aSingleRowTableIsOneUnboundedChunk() {
        List<KeyRange> r = ChunkPlanner.evenSplit(BigInteger.TEN, BigInteger.TEN, 1, 1000);
        assertThat(r).containsExactly(KeyRange.ALL);
    }
}

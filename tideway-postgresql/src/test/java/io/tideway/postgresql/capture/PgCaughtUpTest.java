package io.tideway.postgresql.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class PgCaughtUpTest {
    /** Readings handed out in order, one per heartbeat. */
    private final Deque<PgCaughtUp.Reading> readings = new ArrayDeque<>();
    private final PgCaughtUp caughtUp = new PgCaughtUp("test", () -> {
        if (readings.isEmpty()) {
            throw new SQLException("no reading");
        }
        return readings.poll();
    });

    private void reading(long flush, long sent, long askedAt) {
        readings.add(new PgCaughtUp.Reading(flush, sent, false, askedAt, askedAt + 5));
    }

    @Test
    void heartbeatsWhileTheServerHasNotSentWhatWasCommittedCarryNoNewTime() {
        // the sender stays behind the flush position: the connection is empty, heartbeats come, nothing is verified
        for (long t = 1_000; t <= 10_000; t += 1_000) {
            reading(500, 100, t);
            assertThat(caughtUp.heartbeat(t)).isZero();
        }
        assertThat(caughtUp.verified()).isZero();
    }

    @Test
    void aFlushPositionPassedCountsOnlyForAHeartbeatMadeWellAfterTheReadingThatShowedIt() {
        reading(500, 100, 1_000);               // target: 500, read at 1000
        assertThat(caughtUp.heartbeat(1_000)).isZero();
        reading(700, 500, 2_000);               // the sender passed 500 (answered at 2005)
        assertThat(caughtUp.heartbeat(2_000)).isZero();
        // made before the reading was answered plus the driver's delay: it may come before data still unread
        reading(700, 600, 3_000);
        assertThat(caughtUp.heartbeat(2_005 + PgCaughtUp.READ_DELAY)).isZero();
        reading(700, 700, 4_000);               // the sender at the end as of this reading
        assertThat(caughtUp.heartbeat(2_006 + PgCaughtUp.READ_DELAY)).as("everything committed before the first reading")
                .isEqualTo(1_000);
        reading(900, 700, 6_000);
        assertThat(caughtUp.heartbeat(5_200)).isEqualTo(4_000);
    }

    @Test
    void aSenderWaitingBeforeARecordCutByTheFlushPositionCountsAsAtTheEnd() {
        readings.add(new PgCaughtUp.Reading(8_192, 8_100, true, 1_000, 1_005));
        caughtUp.heartbeat(1_000);
        readings.add(new PgCaughtUp.Reading(8_192, 8_100, true, 2_200, 2_205));
        caughtUp.heartbeat(2_200);
        reading(8_192, 8_100, 4_000);
        assertThat(caughtUp.heartbeat(4_000)).isEqualTo(1_000);
    }

    @Test
    void aSenderWaitingWhileTheFlushPositionMovesIsNotAtTheEnd() {
        readings.add(new PgCaughtUp.Reading(8_192, 8_100, true, 1_000, 1_005));
        caughtUp.heartbeat(1_000);
        readings.add(new PgCaughtUp.Reading(9_000, 8_100, true, 2_200, 2_205));
        caughtUp.heartbeat(2_200);
        reading(9_000, 8_100, 4_000);
        assertThat(caughtUp.heartbeat(4_000)).isZero();
    }

    @Test
    void aServerThatCannotBeReadLeavesTheTimeAsItWas() {
        reading(100, 100, 1_000);
        caughtUp.heartbeat(1_000);
        reading(100, 100, 3_000);
        assertThat(caughtUp.heartbeat(3_000)).isEqualTo(1_000);
        assertThat(caughtUp.heartbeat(5_000)).as("no reading now: the one before still counts").isEqualTo(3_000);
        assertThat(caughtUp.heartbeat(7_000)).isEqualTo(3_000);
    }
}

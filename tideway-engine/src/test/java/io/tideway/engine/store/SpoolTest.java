package io.tideway.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    static ChangeEvent ev(int i) {
        return new ChangeEvent(ChangeEvent.Op.UPDATE, new TableId("shop", "t"), List.of("id", "v"), new Object[] {(long) i, "old"},
                new Object[] {(long) i, "new " + i}, null, 1000L + i, String.format("%010d", i));
    }

    @Test
    void aSpoolLostAndCreatedAgainLacksEveryAddressReadBeforeButItsStart() throws Exception {
        Spool.Address read;
        try (Spool s = Spool.open(dir)) {
            s.append(List.of(ev(1), ev(2)));
            read = s.end();
        }
        assertThat(Spool.lacks(dir, read)).isNull();
        assertThat(Spool.lacks(dir, new Spool.Address(1, 0))).isNull();
        Files.delete(Spool.file(dir, 1));
        assertThat(Spool.lacks(dir, read)).contains("no segment seg-000000000001.tws");
        Spool.open(dir).close();
        assertThat(Spool.lacks(dir, read)).contains("holds 0 bytes, not the " + read.offset());
        assertThat(Spool.lacks(dir, new Spool.Address(1, 0))).isNull();
        assertThat(Spool.lacks(dir, new Spool.Address(3, 0))).contains("no segment seg-000000000003.tws");
    }

    @Test
    void everyCanonicalValueRoundTrips() throws Exception {
        Object[] row = {null, 42L, new BigInteger("18446744073709551615"), new BigDecimal("-0.000000000000000000000000000001"),
            "ü😀\t\n\\ \"q\"", new byte[] {0, (byte) 0xFF, 0}, true, 3.4028235e38f, -0.0d, "x".repeat(100_000)};
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
            cols.add("c" + i);
        }
        try (Spool s = Spool.open(dir)) {
            s.append(List.of(new ChangeEvent(ChangeEvent.Op.INSERT, new TableId("a b", "Mixed \"T\""), cols, null, row, null, 7, "p1"),
                    new ChangeEvent(ChangeEvent.Op.DDL, new TableId("a", "t"), List.of(), null, null, "ALTER TABLE t ADD c INT", 8, "p2"),
                    ChangeEvent.heartbeat(9, "p3")));
        }
        try (Spool.Reader r = new Spool.Reader(dir, new Spool.Address(1, 0))) {
            List<ChangeEvent> back = r.read(10);
            assertThat(back).hasSize(3);
            assertThat(back.get(0).after()).usingRecursiveFieldByFieldElementComparator().containsExactly(row);
            assertThat(back.get(0).table()).isEqualTo(new TableId("a b", "Mixed \"T\""));
            assertThat(back.get(0).before()).isNull();
            assertThat(back.get(1).ddl()).isEqualTo("ALTER TABLE t ADD c INT");
            assertThat(back.get(2).op()).isEqualTo(ChangeEvent.Op.HEARTBEAT);
            assertThat(back.get(2).table()).isNull();
        }
    }

    @Test
    void eventsReDeliveredAfterARestartAreSkipped() throws Exception {
        try (Spool s = Spool.open(dir)) {
            assertThat(s.append(List.of(ev(1), ev(2), ev(3)))).isEqualTo(3);
        }
        try (Spool s = Spool.open(dir)) {
            assertThat(s.lastPosition()).isEqualTo(ev(3).position());
            assertThat(s.append(List.of(ev(2), ev(3), ev(4)))).as("only the new one").isEqualTo(1);
        }
        try (Spool.Reader r = new Spool.Reader(dir, new Spool.Address(1, 0))) {
            assertThat(r.read(100)).extracting(ChangeEvent::position)
                    .containsExactly(ev(1).position(), ev(2).position(), ev(3).position(), ev(4).position());
        }
    }

    @Test
    void aRecordTornByACrashIsCutAndWritingGoesOn() throws Exception {
        try (Spool s = Spool.open(dir)) {
            s.append(List.of(ev(1), ev(2)));
        }
        Path seg = Spool.file(dir, 1);
        long whole = Files.size(seg);
        Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);   // half a record
        try (Spool s = Spool.open(dir)) {
            assertThat(Files.size(seg)).isEqualTo(whole);
            s.append(List.of(ev(3)));
        }
        try (Spool.Reader r = new Spool.Reader(dir, new Spool.Address(1, 0))) {
            assertThat(r.read(100)).hasSize(3);
        }
    }

    @Test
    void readersCrossSegmentsAndResumeFromAnAddress() throws Exception {
        Spool.Address middle;
        try (Spool s = Spool.open(dir, 500)) {
            for (int i = 1; i <= 50; i++) {
                s.append(List.of(ev(i)));
            }
            assertThat(Spool.segments(dir).size()).isGreaterThan(3);
        }
        try (Spool.Reader r = new Spool.Reader(dir, new Spool.Address(1, 0))) {
            assertThat(r.read(20)).hasSize(20);
            middle = r.address();
        }
        try (Spool.Reader r = new Spool.Reader(dir, middle)) {
            List<ChangeEvent> rest = r.read(100);
            assertThat(rest).hasSize(30);
            assertThat(rest.get(0).position()).isEqualTo(ev(21).position());
        }
    }

    @Test
    void bytesAfterAnAddressCountEveryLaterSegmentAndAwaitBytesWakesWhenEnoughIsAppended() throws Exception {
        try (Spool s = Spool.open(dir, 500)) {
            for (int i = 1; i <= 50; i++) {
                s.append(List.of(ev(i)));
            }
            long total = 0;
            for (long seg : Spool.segments(dir)) {
                total += java.nio.file.Files.size(Spool.file(dir, seg));
            }
            assertThat(s.bytesAfter(new Spool.Address(1, 0))).isEqualTo(total);
            assertThat(s.bytesAfter(s.end())).isZero();
            Spool.Address middle;
            try (Spool.Reader r = new Spool.Reader(dir, new Spool.Address(1, 0))) {
                r.read(20);
                middle = r.address();
            }
            long rest = s.bytesAfter(middle);
            assertThat(rest).isPositive().isLessThan(total);

            Spool.Address end = s.end();
            assertThat(s.awaitBytes(end, 1, 50)).isFalse();
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                s.append(List.of(ev(51), ev(52)));
            });
            writer.start();
            assertThat(s.awaitBytes(end, 1, 10_000)).isTrue();
            writer.join();
            assertThat(s.bytesAfter(middle)).isGreaterThan(rest);
        }
    }

    @Test
    void purgeDeletesOnlySegmentsEveryoneHasPassedAndThatAreOldEnough() throws Exception {
        try (Spool s = Spool.open(dir, 500)) {
            for (int i = 1; i <= 50; i++) {
                s.append(List.of(ev(i)));
            }
            int segs = Spool.segments(dir).size();
            assertThat(s.purge(new Spool.Address(3, 0), java.time.Duration.ofDays(7))).as("retention not expired").isZero();
            assertThat(s.purge(new Spool.Address(3, 0), java.time.Duration.ZERO)).isEqualTo(2);
            assertThat(Spool.segments(dir)).hasSize(segs - 2).first().isEqualTo(3L);
        }
    }
}

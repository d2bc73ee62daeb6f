package io.tideway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThrottleTest {
    @Test
    void holdsTheAverageRateUnderTheRowLimit() throws Exception {
        Throttle t = new Throttle(10_000, 0);
        long t0 = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            t.acquire(1000, 0);   // 30,000 rows at 10,000/s: at least ~2 s after the first second's burst
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        assertThat(secs).isGreaterThan(1.5);
    }

    @Test
    void unlimitedNeverWaits() throws Exception {
        Throttle t = new Throttle(0, 0);
        long t0 = System.nanoTime();
        t.acquire(1_000_000_000, 1_000_000_000);
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(0.5);
    }
}

package io.tideway.engine;

import java.util.concurrent.TimeUnit;

/**
 * A shared limit on rows/s and bytes/s (0 = unlimited). Workers call {@link #acquire} with what
 * they are about to send; it sleeps just enough to keep the average under the limits.
 */
public final class Throttle {
    private final double rowsPerNano;
    private final double bytesPerNano;
    private long rowNanos;   // the virtual time at which the rows sent so far are "paid for"
    private long byteNanos;

    public Throttle(long rowsPerSecond, double megabytesPerSecond) {
        this.rowsPerNano = rowsPerSecond <= 0 ? 0 : rowsPerSecond / 1e9;
        this.bytesPerNano = megabytesPerSecond <= 0 ? 0 : megabytesPerSecond * 1_000_000 / 1e9;
        long now = System.nanoTime();
        rowNanos = now;
        byteNanos = now;
    }

    public boolean unlimited() {
        return rowsPerNano == 0 && bytesPerNano == 0;
    }

    public void acquire(long rows, long bytes) throws InterruptedException {
        if (unlimited()) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long until = now;
            if (rowsPerNano > 0) {
                rowNanos = Math.max(rowNanos, now - 1_000_000_000L) + (long) (rows / rowsPerNano);
                until = Math.max(until, rowNanos);
            }
            if (bytesPerNano > 0) {
                byteNanos = Math.max(byteNanos, now - 1_000_000_000L) + (long) (bytes / bytesPerNano);
                until = Math.max(until, byteNanos);
            }
            wait = until - now;
        }
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}

package io.tideway.debezium;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a capture's check of its log connection at a fixed delay on a daemon thread of its own
 * ({@code tideway-capture-watch-NAME}): a connection a network device dropped without telling
 * either end looks alive to the reader, so each plugin asks its server (or its reader's metrics)
 * and ends its session with a TRANSIENT failure when the connection is lost.
 */
public final class ConnectionWatch implements AutoCloseable {
    private final ScheduledExecutorService watch;

    public ConnectionWatch(String name, long everyMillis, Runnable check) {
        watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideway-capture-watch-" + name);
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(check, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops the checks, waiting up to 15 s for one under way. */
    @Override
    public void close() {
        watch.shutdownNow();
        try {
            watch.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.tideway.debezium;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded engine of a capture, run on its own daemon thread ({@code tideway-capture-NAME}):
 * built from the connector's properties and the capture's batch handler, it tells whether it polls,
 * whether and why it stopped, waits for the connector to stream, and stops within a bound.
 */
public final class CaptureEngine {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);
    /** How long {@link #close} waits for the engine to stop. */
    static final long STOP_SECONDS = 60;

    /** What the capture learns when the engine stops: whether it ended well, its message and error. */
    public interface StopListener {
        void stopped(boolean success, String message, Throwable error);
    }

    /** Whether the connector streams now (asked while {@link #awaitStreaming} waits). */
    public interface StreamingCheck {
        boolean streaming() throws SQLException, InterruptedException;
    }

    private final String name;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean polling;
    private volatile boolean closed;

    /**
     * Builds the engine and starts it on its own thread.
     *
     * @param name     the capture's name, for the thread and messages
     * @param loader   the class loader the connector's classes are found by (null: the engine's own)
     * @param handler  receives the batches; marks records processed once they are safe
     * @param listener told once when the engine stops, before {@link #stopped()} turns true
     */
    public CaptureEngine(String name, Properties properties, ClassLoader loader,
                         DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> handler, StopListener listener) {
        this.name = name;
        DebeziumEngine.Builder<RecordChangeEvent<SourceRecord>> b = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties);
        if (loader != null) {
            b = b.using(loader);
        }
        this.engine = b.using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        polling = true;
                    }
                })
                .notifying(handler)
                .using((success, message, error) -> {
                    try {
                        listener.stopped(success, message, error);
                    } finally {
                        done.countDown();
                    }
                })
                .build();
        Thread t = new Thread(engine, "tideway-capture-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Whether the connector's task has started polling. */
    public boolean polling() {
        return polling;
    }

    /** Whether the engine has stopped (by itself or by {@link #close}). */
    public boolean stopped() {
        return done.getCount() == 0;
    }

    /** Waits at most this long for the engine to stop; true when it has. */
    public boolean awaitStop(long time, TimeUnit unit) throws InterruptedException {
        return done.await(time, unit);
    }

    /**
     * Waits until {@code check} says the connector streams, asking every {@code everyMillis} ms.
     * Throws what {@code onStop} gives when the engine stops first, what {@code onTimeout} gives
     * when {@code timeout} passes; a failing check or an interrupt fails the start (INTERNAL).
     */
    public void awaitStreaming(Duration timeout, long everyMillis, StreamingCheck check,
                               Supplier<RuntimeException> onStop, Supplier<RuntimeException> onTimeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (done.await(everyMillis, TimeUnit.MILLISECONDS)) {
                    throw onStop.get();
                }
                if (check.streaming()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw onTimeout.get();
                }
            }
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "capture " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TidewayException(ErrorCode.INTERNAL, "capture " + name + ": interrupted while starting", e);
        }
    }

    /**
     * Stops the engine (the task stops after the current batch and commits the offsets of the
     * records marked processed) and waits up to {@value #STOP_SECONDS} s for it. Once only.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
        } catch (IllegalStateException e) {
            // it had already stopped by itself (its failure is kept)
            LOG.debug("capture {}: closing the engine: {}", name, e.toString());
        } catch (Exception e) {
            LOG.warn("capture {}: stopping the engine: {}", name, e.toString());
        }
        try {
            if (!done.await(STOP_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("capture {}: the engine did not stop within {} s", name, STOP_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An engine's stop message with the root cause's message added when the message lacks it. */
    public static String describe(String message, Throwable error) {
        Throwable root = error;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = message == null ? "" : message;
        if (root != null && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + ": " + root.getMessage();
        }
        return m;
    }
}

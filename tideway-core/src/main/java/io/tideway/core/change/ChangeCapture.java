package io.tideway.core.change;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Table;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Change capture for one family of databases, found with {@link java.util.ServiceLoader}.
 * Implementations wrap Debezium's embedded engine; they never parse logs by hand.
 */
public interface ChangeCapture {

    Set<DataSourceType> types();

    /**
     * Starts capturing. On the first start (no saved offsets) the capture fixes its start position
     * T0 at the source's current log position (MySQL family: binlog file/position and GTID set;
     * PostgreSQL: it creates its replication slot and publication and starts at the slot's
     * consistent point) and records the schema at T0; every change committed after T0 is
     * delivered. On later starts it resumes from the saved offsets. Returns once T0 (or the resume
     * point) is established and streaming has begun, or throws naming what failed
     * (e.g. binlog_format is not ROW, the slot name is taken by another consumer).
     */
    Session start(CaptureSpec spec, CaptureSink sink, Duration startTimeout);

    /**
     * Removes what the capture created on the source (PostgreSQL: its slot and publication).
     * Called when a project is released.
     */
    void release(CaptureSpec spec);

    /**
     * The columns of {@code table} (as a {@code type} source has it) whose values this capture cannot
     * deliver correctly, each as "column NAME ...: why, and what to do"; empty when all can be. A
     * capture refuses such tables when it starts; the Connector asks it of a table created or
     * altered while it applies, and stops naming the statement rather than write wrong values.
     */
    default List<String> unreadableColumns(DataSourceType type, Table table) {
        return List.of();
    }

    /**
     * Whether starting again from the saved offsets may succeed after {@code failure}: the failure
     * of a session that was streaming ({@link Session#failure()}), or one thrown by a {@link #start}
     * made to resume it. True for what may pass by itself (connection refused, reset or timed out,
     * the server shutting down or starting up); false for what needs a person (configuration,
     * privileges, a log position the source no longer has). The default reads the exception chain
     * ({@link CaptureFailures#looksTransient}); a capture adds what only it knows.
     */
    default boolean worthRetrying(Throwable failure) {
        return CaptureFailures.looksTransient(failure);
    }

    /** A running capture. */
    interface Session extends AutoCloseable {
        /** The position capture started from, as {@link ChangeEvent#position()} spells positions. */
        String startPosition();

        /** True while the capture is connected and streaming. */
        boolean running();

        /**
         * True when the capture has read the source's log to its current end (nothing logged is
         * still unread), so an idle source can be told from a capture that is behind. May query
         * the source; callers ask about once a second. The default, false, means "cannot tell".
         */
        default boolean caughtUp() {
            return false;
        }

        /**
         * The failure that stopped the capture, if any; a session does not reconnect by itself
         * (the caller starts a new one from the saved offsets, see {@link ChangeCapture#worthRetrying}).
         */
        Throwable failure();

        /** Stops capturing after the current batch; saved offsets cover every batch the sink accepted. */
        @Override
        void close();
    }
}

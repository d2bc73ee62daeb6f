package io.tideway.core.change;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Table;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

/**
 * Change capture for one family of databases, provided by its {@link io.tideway.core.spi.DatabasePlugin}.
 * Implementations wrap Debezium's embedded engine; they never parse logs by hand.
 */
public interface ChangeCapture {

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

    /**
     * Whether {@code offsets}, as this capture saved them in its {@link CaptureState}, let a restart
     * resume from the start position its session reported (T0), rather than fix a new, later one. Only
     * then may a full copy that the changes since T0 complete begin, and only then does a restart keep
     * it. The default: any saved offsets.
     */
    default boolean resumesFrom(java.util.Map<String, String> offsets) {
        return !offsets.isEmpty();
    }

    /**
     * Begins, on {@code reader} (a source connection whose auto-commit the caller has turned off), a
     * read-only transaction whose view of {@code table} is consistent with a place in the source's
     * log, and returns that place, its snapshot point: every change of the table the view holds is
     * {@link #seenBy} it, every later change is not. The caller then reads the table on {@code reader}
     * and commits. A capture that must briefly lock the table to find the place (waiting for open
     * writes on it to end) opens a second connection with {@code locker} and closes it before returning.
     * Used for tables without a key, whose changes cannot be applied twice.
     *
     * @param type the source's type, as the project file names it
     */
    default String beginConsistentRead(DataSourceType type, Connection reader, java.util.function.Supplier<Connection> locker,
                                       io.tideway.core.model.TableId table) throws java.sql.SQLException {
        throw new UnsupportedOperationException("this capture cannot read a table at a known log position");
    }

    /**
     * Whether the change at {@code position} (as {@link ChangeEvent#position()} spells it) is part of
     * what a read begun by {@link #beginConsistentRead} at {@code snapshotPoint} saw.
     */
    default boolean seenBy(String snapshotPoint, String position) {
        throw new UnsupportedOperationException("this capture cannot read a table at a known log position");
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

package io.tideway.postgresql.capture;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the capture has verifiably read the source's log, judged by the server rather than by the
 * connector's heartbeats alone. The connector makes a heartbeat whenever it finds no data waiting on
 * the replication connection; a server process that has not sent what was committed yet (starved of
 * CPU, or decoding from the slot's restart point after a restart) leaves the connection empty too, so
 * a heartbeat alone does not show that the capture has read the log to its end.
 *
 * <p>Each heartbeat therefore reads, on the source, its WAL flush position and how far this slot's
 * sender has read the log ({@link Reading}). Once the sender has read past a flush position F read
 * at time T, every transaction committed before T has been written to the connection (the server
 * sends a transaction's changes before it moves its sent position past the commit). A heartbeat the
 * connector makes more than {@link #READ_DELAY} ms after that reading comes after all of it: the
 * driver looks at an idle connection at most once a second, and the delay covers a heartbeat made on
 * an older look. Such a heartbeat carries T as its time ({@link #heartbeat}): the capture has handed
 * over everything the source committed before T. Before the first such heartbeat the time is 0
 * (unknown).
 */
final class PgCaughtUp {
    private static final Logger LOG = LoggerFactory.getLogger(PgCaughtUp.class);
    /** How much later than a reading a heartbeat must be made to come after all it showed sent. */
    static final long READ_DELAY = 1_100;

    /**
     * One reading of the server: its WAL flush position, the position this slot's sender has read the
     * log to, and whether the sender waits for more log to be flushed; {@code askedAt} and
     * {@code answeredAt} bound when it was taken (epoch ms).
     */
    record Reading(long flushLsn, long sentLsn, boolean waiting, long askedAt, long answeredAt) { }

    /** Reads the server; null when the slot has no sender now. */
    interface Server {
        Reading read() throws SQLException;
    }

    /** A flush position read at {@code from}, passed by the sender as a reading answered at {@code seenBy} showed. */
    private record Passed(long from, long seenBy) { }

    private final String slot;
    private final Server server;
    /** A reading whose flush position the sender has yet to pass. */
    private Reading target;
    /** The reading before, for {@link #observe}'s second rule. */
    private Reading previous;
    private final Deque<Passed> passed = new ArrayDeque<>();
    private volatile long verified;
    private boolean warned;

    PgCaughtUp(String slot, Server server) {
        this.slot = slot;
        this.server = server;
    }

    /**
     * The time (epoch ms) as of which everything the source committed has been handed over, as the
     * last heartbeat showed; 0 while unknown.
     */
    long verified() {
        return verified;
    }

    /**
     * On a heartbeat the connector made at {@code madeAt} (handled after every change before it):
     * returns {@link #verified()}, advanced by the readings this heartbeat comes after, then reads the
     * server for the next heartbeats.
     */
    long heartbeat(long madeAt) {
        while (!passed.isEmpty() && madeAt > passed.peekFirst().seenBy() + READ_DELAY) {
            verified = Math.max(verified, passed.pollFirst().from());
        }
        long v = verified;
        Reading r;
        try {
            r = server.read();
            warned = false;
        } catch (SQLException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("capture {}: cannot read how far the server has sent the log: {}; the capture counts as behind"
                        + " until it can", slot, e.getMessage());
            }
            return v;
        }
        if (r != null) {
            observe(r);
        }
        return v;
    }

    /**
     * Takes one reading: a flush position it shows passed becomes a candidate, confirmed by a later
     * heartbeat. The sender reads only whole records: when the flush position stops inside a record
     * (the server flushed a page whose last record goes on in the next, and nothing has asked for more
     * since), the sender stays before it, waiting for log. Two readings at least {@link #READ_DELAY}
     * apart that show the sender waiting at the same place, with the flush position unchanged, count
     * as read to the end as of the first: a sender woken by newly flushed log runs within that time.
     */
    void observe(Reading r) {
        Reading before = previous;
        previous = r;
        boolean atEnd = Long.compareUnsigned(r.sentLsn(), r.flushLsn()) >= 0;
        long from = r.askedAt();
        if (!atEnd && before != null && r.waiting() && before.waiting() && before.flushLsn() == r.flushLsn()
                && before.sentLsn() == r.sentLsn() && r.askedAt() - before.answeredAt() >= READ_DELAY) {
            atEnd = true;
            from = before.askedAt();
        }
        if (atEnd) {
            passed(from, r.answeredAt());   // read to the end as of this reading itself
            target = null;
            return;
        }
        if (target != null && Long.compareUnsigned(r.sentLsn(), target.flushLsn()) >= 0) {
            passed(target.askedAt(), r.answeredAt());
            target = null;
        }
        if (target == null) {
            target = r;
        }
    }

    private void passed(long from, long seenBy) {
        Passed last = passed.peekLast();
        if (last == null || from > last.from()) {
            passed.addLast(new Passed(from, seenBy));
        }
        while (passed.size() > 16) {
            passed.pollFirst();
        }
    }
}

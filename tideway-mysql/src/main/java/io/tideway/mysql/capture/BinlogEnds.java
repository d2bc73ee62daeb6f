package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureSpec;
import io.tideway.mysql.MySqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the source's binlog ends, sampled at most twice a second on a connection of its own, and
 * what the samples tell about an offset the capture has reached: the time before which everything
 * the source logged has been read ({@link #readUpTo}).
 */
final class BinlogEnds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BinlogEnds.class);
    private final CaptureSpec spec;
    private Connection probe;
    private long probedAt;
    /** Samples of the binlog's end: {file sequence, position, time of the sample}, oldest first. */
    private final ArrayDeque<long[]> ends = new ArrayDeque<>();

    BinlogEnds(CaptureSpec spec) {
        this.spec = spec;
    }

    /**
     * The newest time before which everything the source logged has been read, judged by an
     * offset the capture has reached: the time of the newest end-of-binlog sample at or before that
     * offset; -1 when there is none. Binlog offsets name where a transaction starts, so reaching a
     * sampled end (always a transaction boundary) means everything logged before the sample is
     * read, whatever tables it touched: a source busy only with tables outside the project still
     * shows as caught up (comparing with the end at the moment of the heartbeat never would, as the
     * end moves on while the heartbeat is made).
     */
    synchronized long readUpTo(Map<String, ?> off) {
        sampleEnd();
        if (off == null || off.get("file") == null || !(off.get("pos") instanceof Number p)) {
            return -1;
        }
        long seq = BinlogPosition.sequence(off.get("file").toString());
        long pos = Math.max(p.longValue(), standaloneGroupEnd(off));
        long best = -1;
        int reached = 0;
        int i = 0;
        for (long[] e : ends) {
            i++;
            if (e[0] < seq || (e[0] == seq && e[1] <= pos)) {
                best = e[2];
                reached = i;
            }
        }
        for (int k = 1; k < reached; k++) {
            ends.pollFirst();   // older samples are of no more use
        }
        return best;
    }

    /** The offset (file and position) {@link #standaloneGroupEnd} looked at last, and what it found there. */
    private String groupAt;
    private long groupEnd = -1;

    /**
     * Where the event group at the offset's position ends when that group is a statement logged on
     * its own (DDL) and the reader has passed it; -1 otherwise. MariaDB's reader takes every GTID
     * event as the start of a transaction and only a commit as its end, so after a DDL (GTID, then
     * the statement, no commit) its offset keeps naming the DDL's start until the next transaction:
     * on a source idle after a DDL (Tideway's own marker table created at a switchover, or a user's
     * ALTER TABLE) the reader would never seem to reach the binlog's end, and the lag would climb.
     * The offset counts the events read since its position ({@code event}): two or more means the
     * statement is read. Asks the server once per such position.
     */
    private long standaloneGroupEnd(Map<String, ?> off) {
        if (!(off.get("event") instanceof Number read) || read.longValue() < 2 || probe == null) {
            return -1;
        }
        String at = off.get("file") + ":" + off.get("pos");
        if (at.equals(groupAt)) {
            return groupEnd;
        }
        try (PreparedStatement ps = probe.prepareStatement("SHOW BINLOG EVENTS IN ? FROM ? LIMIT 2")) {
            ps.setString(1, off.get("file").toString());
            ps.setLong(2, ((Number) off.get("pos")).longValue());
            long end = -1;
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && "Gtid".equalsIgnoreCase(rs.getString("Event_type"))
                        && !String.valueOf(rs.getString("Info")).startsWith("BEGIN")
                        && rs.next() && "Query".equalsIgnoreCase(rs.getString("Event_type"))
                        && !"BEGIN".equalsIgnoreCase(String.valueOf(rs.getString("Info")).strip())) {
                    end = rs.getLong("End_log_pos");
                }
            }
            groupAt = at;
            groupEnd = end;
            return end;
        } catch (SQLException e) {
            LOG.debug("capture {}: cannot read the binlog events at {}: {}", spec.name(), at, e.toString());
            return -1;
        }
    }

    private void sampleEnd() {
        long now = System.currentTimeMillis();
        if (now - probedAt < 500) {
            return;
        }
        probedAt = now;
        try {
            if (probe == null || probe.isClosed()) {
                probe = new MySqlDialect().connect(spec.source());
                // a read on a path that went dead would wait forever, holding the capture's batch
                // handler (and with it the silence rule) and the Connector's "caught up" question
                probe.setNetworkTimeout(Runnable::run, (int) spec.watch().probeTimeout().toMillis());
            }
            String[] end = binlogEnd(probe);
            if (end != null) {
                ends.addLast(new long[] {BinlogPosition.sequence(end[0]), Long.parseLong(end[1]), now});
                while (ends.size() > 1200) {
                    ends.pollFirst();   // 10 minutes of samples while the capture is far behind
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("capture {}: cannot read the binlog end: {}", spec.name(), e.toString());
            try {
                if (probe != null) {
                    probe.close();
                }
            } catch (SQLException ignored) {
                // dropped below
            }
            probe = null;
        }
    }

    /** The binlog's current end {file, position}: SHOW MASTER STATUS, or SHOW BINARY LOG STATUS (MySQL 8.4+). */
    static String[] binlogEnd(Connection c) throws SQLException {
        for (String q : new String[] {"SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"}) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            } catch (SQLSyntaxErrorException e) {
                // the other spelling
            }
        }
        return null;
    }

    /** Closes the probe connection. */
    @Override
    public synchronized void close() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
            probe = null;
        }
    }
}

package io.tideway.engine.incremental;

import io.tideway.core.change.SinkPositions;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.SinkPosition;
import io.tideway.engine.TableMapper.MappedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@link SinkPositions} rows of one project direction on the database it writes to: how far
 * each lane has applied, and the epoch of the writer allowed to write.
 *
 * <p><b>The rule.</b> Each lane's transaction first updates its own row, guarded by the epoch
 * ({@code UPDATE ... SET epoch = mine, position = reached WHERE sink = ? AND lane = ? AND epoch <= mine}),
 * then writes its rows and commits; every lane commits such a transaction for every batch, one with
 * no rows of the batch too. No row updated: a newer writer holds the destination, the transaction
 * is rolled back and the batch refused ({@link ErrorCode#SINK_FENCED}). The position the
 * destination holds is the lowest of the lanes' positions: a lane's row never passes what that lane
 * has committed, so the lowest never passes what any lane has not. A crash between lanes' commits
 * leaves some lanes a batch ahead; the Connector resumes from the lowest and writes that batch
 * again, which converges (upserts and deletes of each key's last image; a table without a key keeps
 * its own positions, {@link HeldTable}, and skips what it holds). Nothing is lost, and nothing is
 * written by a fenced writer, since its guard fails inside the transaction that would write.
 *
 * <p><b>Claiming.</b> A Connector starting with epoch E updates every lane row's epoch to E under
 * the same guard (waiting for a lane transaction of an older writer in flight to end), reads the
 * lowest position, and rewrites its lanes' rows with that position (rows of lanes it no longer has
 * are deleted); a row with a newer epoch refuses the claim.
 *
 * @param id the table
 * @param model its definition
 * @param project the project's name
 * @param direction the direction's name (its capture name)
 */
public record SinkTable(TableId id, Table model, String project, String direction) {

    /**
     * One lane's row.
     *
     * @param position how far the lane has applied, or null before its first batch
     */
    record LaneRow(long lane, long epoch, SinkPosition position) { }

    /**
     * What a claim found: refused ({@code newerEpoch} > 0, the epoch the destination holds), or the
     * position the destination holds (empty: none).
     */
    record Claim(long newerEpoch, Optional<SinkPosition> held) {
        boolean refused() {
            return newerEpoch > 0;
        }
    }

    /** The sink table of a direction writing {@code tables}, beside its marker table, or null when it writes none. */
    public static SinkTable of(String project, String direction, List<MappedTable> tables) {
        TableId marker = Direction.markerOf(tables);
        if (marker == null) {
            return null;
        }
        TableId id = SinkPositions.in(marker.schema());
        return new SinkTable(id, SinkPositions.model(id), project, direction);
    }

    /** The rows' sink name ({@code project/direction}). */
    String sink() {
        return io.tideway.core.change.HeldPositions.sink(project, direction);
    }

    /**
     * What a writer of {@code epoch} finds in {@code rows} (the sink's rows, locked): refused when
     * one holds a newer epoch; else the lowest position, none when a lane has none yet.
     */
    static Claim claim(List<LaneRow> rows, long epoch) {
        long newest = rows.stream().mapToLong(LaneRow::epoch).max().orElse(Long.MIN_VALUE);
        if (newest > epoch) {
            return new Claim(newest, Optional.empty());
        }
        if (rows.isEmpty() || rows.stream().anyMatch(r -> r.position() == null)) {
            return new Claim(0, Optional.empty());
        }
        return new Claim(0, rows.stream().map(LaneRow::position).min(Comparator.comparingLong(SinkPosition::changes)));
    }

    /** The refusal of a writer of epoch {@code mine} where the destination holds {@code held}. */
    TidewayException fenced(long mine, long held) {
        return new TidewayException(ErrorCode.SINK_FENCED, "project " + project + ", direction " + direction + ": the"
                + " destination's " + id + " holds epoch " + held + ", newer than this Connector's epoch " + mine
                + ": another run of the project (another process or node) took over the destination. This Connector"
                + " stops without writing; let the newer run go on, or stop it before running the project here again");
    }

    /** Creates the table where it is missing (auto-commit). */
    void ensure(Dialect d, Connection c, DataSourceType.Family sourceFamily) {
        HeldTable.ensureTable(d, c, id, model, sourceFamily, "positions and epochs of the sinks");
    }

    /** This sink's rows, read on {@code c} (in its transaction, if one is open). */
    List<LaneRow> rows(Dialect d, Connection c) throws SQLException {
        List<LaneRow> out = new ArrayList<>();
        String sink = sink();
        try (RowCursor cur = d.rows().openRows(c, model, KeyRange.ALL, ReadOptions.DEFAULT)) {
            while (cur.next()) {
                Object[] r = cur.row();
                if (!sink.equals(r[0])) {
                    continue;
                }
                SinkPosition p = r[3] == null ? null
                        : new SinkPosition((String) r[3], (String) r[4], number(r[5]), number(r[6]));
                out.add(new LaneRow(number(r[1]), number(r[2]), p));
            }
        }
        return out;
    }

    private static long number(Object v) {
        return v == null ? 0 : ((Number) v).longValue();
    }

    /**
     * Claims the sink for a writer of {@code epoch} with {@code lanes} lanes, in one transaction on
     * {@code c}; returns what it found (refused: nothing changed).
     */
    Claim claim(Dialect d, Connection c, long epoch, int lanes) throws SQLException {
        List<Long> present = rows(d, c).stream().map(LaneRow::lane).toList();
        c.setAutoCommit(false);
        try {
            for (long lane : present) {
                guarded(d, c, lane, epoch, null);
            }
            List<LaneRow> rows = rows(d, c);
            Claim claim = claim(rows, epoch);
            if (claim.refused()) {
                c.rollback();
                return claim;
            }
            SinkPosition at = claim.held().orElse(null);
            List<Object[]> mine = new ArrayList<>();
            for (long lane = 0; lane < lanes; lane++) {
                mine.add(row(lane, epoch, at));
            }
            d.writer().upsert(c, model, mine.iterator());
            List<Object[]> gone = rows.stream().filter(r -> r.lane() >= lanes).map(r -> new Object[] {sink(), r.lane()}).toList();
            if (!gone.isEmpty()) {
                d.writer().deleteKeys(c, model, new ArrayList<>(gone));
            }
            c.commit();
            return claim;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private Object[] row(long lane, long epoch, SinkPosition p) {
        return new Object[] {sink(), lane, epoch, p == null ? null : p.resumeFrom(), p == null ? null : p.sourcePosition(),
                p == null ? 0L : p.sourceMillis(), p == null ? 0L : p.changes()};
    }

    /**
     * In the caller's transaction: sets a lane's epoch (and, unless {@code reached} is null, its
     * position) if the row's epoch is not newer than {@code epoch}. False: refused (or no such row).
     */
    boolean guarded(Dialect d, Connection c, long lane, long epoch, SinkPosition reached) throws SQLException {
        List<String> set = reached == null ? List.of("epoch")
                : List.of("epoch", "resume_from", "source_position", "source_millis", "changes");
        try (PreparedStatement ps = c.prepareStatement(d.writer().guardedUpdateSql(model, set, "epoch"))) {
            int i = 1;
            ps.setLong(i++, epoch);
            if (reached != null) {
                ps.setString(i++, reached.resumeFrom());
                ps.setString(i++, reached.sourcePosition());
                ps.setLong(i++, reached.sourceMillis());
                ps.setLong(i++, reached.changes());
            }
            ps.setString(i++, sink());
            ps.setLong(i++, lane);
            ps.setLong(i, epoch);
            return ps.executeUpdate() > 0;
        }
    }

    /** The newest epoch the destination holds for this sink (0: none), read after a refusal. */
    long heldEpoch(Dialect d, Connection c) throws SQLException {
        return rows(d, c).stream().mapToLong(LaneRow::epoch).max().orElse(0);
    }
}

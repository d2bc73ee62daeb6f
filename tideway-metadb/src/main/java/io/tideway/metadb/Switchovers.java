package io.tideway.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sub-steps of a project's switchover, and the marker tables its Connectors write (table switchover_step, apply_marker). */
public final class Switchovers {
    private final Sql sql;

    Switchovers(Sql sql) {
        this.sql = sql;
    }

    /** One sub-step as stored; {@code state} is a {@link io.tideway.core.project.Lifecycle.State} name. */
    public record SubStep(int number, String name, String state, Instant startedAt, Instant finishedAt, String detailJson,
                          String error) { }

    /** The sub-steps that have a row, by number. */
    public List<SubStep> steps(long projectId) {
        return sql.tx("reading the switchover of project " + projectId, c -> {
            List<SubStep> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT step_no, step_name, state, started_at, finished_at, detail_json,"
                    + " error_message FROM switchover_step WHERE project_id = ? ORDER BY step_no")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SubStep(rs.getInt(1), rs.getString(2), rs.getString(3), Sql.instant(rs, "started_at"),
                                Sql.instant(rs, "finished_at"), rs.getString(6), rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }

    public Optional<SubStep> step(long projectId, int number) {
        return steps(projectId).stream().filter(s -> s.number() == number).findFirst();
    }

    /**
     * Sets a sub-step's state, detail and error. The first RUNNING sets {@code startedAt}; COMPLETED,
     * SKIPPED and FAILED set {@code finishedAt}, RUNNING clears it. A null {@code detailJson} keeps the stored one.
     */
    public void set(long projectId, int number, String name, String state, String detailJson, String error) {
        sql.txRetryOnConflict("recording switchover step " + number + " of project " + projectId, c -> {
            long now = sql.now();
            boolean running = "RUNNING".equals(state);
            boolean finished = "COMPLETED".equals(state) || "SKIPPED".equals(state) || "FAILED".equals(state);
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE switchover_step SET step_name = ?, state = ?, error_message = ?,"
                    + " detail_json = COALESCE(?, detail_json),"
                    + " started_at = CASE WHEN started_at IS NULL AND ? = 1 THEN ? ELSE started_at END,"
                    + " finished_at = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE finished_at END,"
                    + " updated_at = ? WHERE project_id = ? AND step_no = ?")) {
                ps.setString(1, name);
                ps.setString(2, state);
                ps.setString(3, error);
                ps.setString(4, detailJson);
                ps.setInt(5, running ? 1 : 0);
                ps.setLong(6, now);
                ps.setInt(7, finished ? 1 : 0);
                ps.setLong(8, now);
                ps.setInt(9, running ? 1 : 0);
                ps.setLong(10, now);
                ps.setLong(11, projectId);
                ps.setInt(12, number);
                n = ps.executeUpdate();
            }
            if (n == 0) {
                insert(c, projectId, number, name, state, detailJson, error, running || finished ? now : null,
                        finished ? now : null, now);
            }
            return null;
        });
    }

    private static void insert(Connection c, long projectId, int number, String name, String state, String detail, String error,
                               Long startedAt, Long finishedAt, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO switchover_step (project_id, step_no, step_name, state,"
                + " started_at, finished_at, detail_json, error_message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, projectId);
            ps.setInt(2, number);
            ps.setString(3, name);
            ps.setString(4, state);
            Sql.setNullableLong(ps, 5, startedAt);
            Sql.setNullableLong(ps, 6, finishedAt);
            ps.setString(7, detail);
            ps.setString(8, error);
            ps.setLong(9, now);
            ps.executeUpdate();
        }
    }

    /** Records that the Connector of {@code captureName} writes {@code markerTable} in each of its transactions from now on. */
    public void markerInUse(long projectId, String captureName, String markerTable) {
        sql.txRetryOnConflict("recording the marker table of " + captureName + " of project " + projectId, c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM apply_marker WHERE project_id = ? AND capture_name = ?")) {
                del.setLong(1, projectId);
                del.setString(2, captureName);
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO apply_marker (project_id, capture_name, marker_table,"
                    + " in_use_since) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, projectId);
                ps.setString(2, captureName);
                ps.setString(3, markerTable);
                ps.setLong(4, sql.now());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Since when the Connector of {@code captureName} writes its marker table; empty when it does not (yet). */
    public Optional<Instant> markerInUseSince(long projectId, String captureName) {
        return sql.tx("reading the marker table of " + captureName + " of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT in_use_since FROM apply_marker WHERE project_id = ?"
                    + " AND capture_name = ?")) {
                ps.setLong(1, projectId);
                ps.setString(2, captureName);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.<Instant>empty();
                }
            }
        });
    }

    /** Forgets the marker tables of the project's Connectors (they were dropped). */
    public void clearMarkers(long projectId) {
        sql.tx("forgetting the marker tables of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM apply_marker WHERE project_id = ?")) {
                ps.setLong(1, projectId);
                ps.executeUpdate();
            }
            return null;
        });
    }
}

package io.tideway.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The event log of each project: what happened, for the console, the API and the CLI. */
public final class Events {
    private final Sql sql;

    Events(Sql sql) {
        this.sql = sql;
    }

    /**
     * Appends an event.
     *
     * @param level e.g. INFO, WARN, ERROR
     * @param step the step it belongs to, or null
     */
    public void add(long projectId, String level, String step, String message) {
        add(projectId, level, step, message, null);
    }

    /** Appends an event caused by {@code who} (an OS or server user; null for the engine itself). */
    public void add(long projectId, String level, String step, String message, String who) {
        sql.tx("adding an event to project " + projectId, c -> {
            insert(c, sql.now(), projectId, level, step, message, who);
            return null;
        });
    }

    static void insert(Connection c, long now, long projectId, String level, String step, String message, String who)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event (project_id, created_at, event_level,"
                + " step_name, message, actor) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, projectId);
            ps.setLong(2, now);
            ps.setString(3, level);
            ps.setString(4, step);
            ps.setString(5, message);
            ps.setString(6, who);
            ps.executeUpdate();
        }
    }

    /** The message of the project's latest event of {@code step} whose message starts with {@code prefix}. */
    public java.util.Optional<String> lastMessage(long projectId, String step, String prefix) {
        return sql.tx("reading the events of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT message FROM event WHERE project_id = ? AND step_name = ?"
                    + " AND message LIKE ? ORDER BY id DESC LIMIT 1")) {
                ps.setLong(1, projectId);
                ps.setString(2, step);
                ps.setString(3, prefix.replace("%", "").replace("_", "") + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.<String>empty();
                }
            }
        }).filter(m -> m.startsWith(prefix));
    }

    /** The latest {@code limit} events of a project, oldest first. */
    public List<EventRecord> list(long projectId, int limit) {
        return sql.tx("reading the events of project " + projectId, c -> {
            List<EventRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, project_id, created_at, event_level, step_name,"
                    + " message, actor FROM event WHERE project_id = ? ORDER BY id DESC LIMIT ?")) {
                ps.setLong(1, projectId);
                ps.setInt(2, Math.max(0, limit));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new EventRecord(rs.getLong(1), rs.getLong(2), Sql.instant(rs, "created_at"),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
            Collections.reverse(out);
            return out;
        });
    }
}

package io.tideway.metadb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The components of projects and the versions of their configurations. */
public final class Components {
    private static final String COLUMNS = "id, project_id, kind, direction, node_host, node_ip, state, position_text, updated_at";
    private final Sql sql;

    Components(Sql sql) {
        this.sql = sql;
    }

    /**
     * Creates a component with its first configuration (version 1), unless one of this id exists.
     *
     * @return true when it was created here
     */
    public boolean create(ComponentRecord r, String sectionsJson, String who) {
        return sql.txRetryOnConflict("creating component " + r.id(), c -> {
            if (read(c, r.id()).isPresent()) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO component (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.id());
                ps.setLong(2, r.projectId());
                ps.setString(3, r.kind());
                ps.setString(4, r.direction());
                ps.setString(5, r.nodeHost());
                ps.setString(6, r.nodeIp());
                ps.setString(7, r.state());
                ps.setString(8, r.position());
                ps.setLong(9, sql.now());
                ps.executeUpdate();
            }
            insertConfig(c, r.id(), 1, sectionsJson, who);
            return true;
        });
    }

    public Optional<ComponentRecord> find(String id) {
        return sql.tx("reading component " + id, c -> read(c, id));
    }

    /** The components of a project, by id. */
    public List<ComponentRecord> list(long projectId) {
        return sql.tx("reading the components of project " + projectId, c -> {
            List<ComponentRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM component WHERE project_id = ? ORDER BY id")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Sets the state (and the node it runs on, when not null) if the stored state is {@code expected}.
     *
     * @return false when the stored state was another (someone else changed it first)
     */
    public boolean setState(String id, String expected, String state, String nodeHost, String nodeIp) {
        return setState(id, expected, state, nodeHost, nodeIp, null);
    }

    /**
     * Like {@link #setState(String, String, String, String, String)}, also recording the process
     * that runs it ({@code host:pid}) when {@code owner} is not null.
     */
    public boolean setState(String id, String expected, String state, String nodeHost, String nodeIp, String owner) {
        return sql.tx("setting the state of component " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE component SET state = ?, node_host = COALESCE(?, node_host),"
                    + " node_ip = COALESCE(?, node_ip), owner = COALESCE(?, owner), updated_at = ? WHERE id = ? AND state = ?")) {
                ps.setString(1, state);
                ps.setString(2, nodeHost);
                ps.setString(3, nodeIp);
                ps.setString(4, owner);
                ps.setLong(5, sql.now());
                ps.setString(6, id);
                ps.setString(7, expected);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The process ({@code host:pid}) that last started the component; empty before its first start. */
    public Optional<String> owner(String id) {
        return column(id, "owner");
    }

    /** The live figures last recorded (JSON), or empty. */
    public Optional<String> figures(String id) {
        return column(id, "figures_json");
    }

    private Optional<String> column(String id, String column) {
        return sql.tx("reading component " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM component WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Records the position and the live figures (JSON) of a running component. */
    public void setFigures(String id, String position, String figuresJson) {
        sql.tx("setting the figures of component " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE component SET position_text = ?, figures_json = ?, updated_at = ?"
                    + " WHERE id = ?")) {
                ps.setString(1, position);
                ps.setString(2, figuresJson);
                ps.setLong(3, sql.now());
                ps.setString(4, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void setPosition(String id, String position) {
        sql.tx("setting the position of component " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE component SET position_text = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, position);
                ps.setLong(2, sql.now());
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The configuration in force: the highest version. */
    public Optional<ComponentConfigRecord> config(String id) {
        return sql.tx("reading the configuration of component " + id, c -> {
            List<ComponentConfigRecord> v = versions(c, id, true);
            return v.isEmpty() ? Optional.<ComponentConfigRecord>empty() : Optional.of(v.get(0));
        });
    }

    /** Every version of the configuration, the newest first. */
    public List<ComponentConfigRecord> versions(String id) {
        return sql.tx("reading the configurations of component " + id, c -> versions(c, id, false));
    }

    /**
     * Adds a version of the configuration, the one after {@code after}, and, when {@code event} is not
     * null, records it as an event of the component's project with {@code who} in the same transaction.
     *
     * @return the new version, or empty when {@code after} is no longer the newest (a concurrent change won)
     */
    public Optional<Integer> addVersion(String id, int after, String sectionsJson, String who, String eventStep, String event) {
        return sql.txRetryOnConflict("changing the configuration of component " + id, c -> {
            List<ComponentConfigRecord> v = versions(c, id, true);
            int newest = v.isEmpty() ? 0 : v.get(0).version();
            if (newest != after) {
                return Optional.<Integer>empty();
            }
            insertConfig(c, id, after + 1, sectionsJson, who);
            if (event != null) {
                long projectId = read(c, id).orElseThrow().projectId();
                Events.insert(c, sql.now(), projectId, "INFO", eventStep, event, who);
            }
            return Optional.of(after + 1);
        });
    }

    private void insertConfig(Connection c, String id, int version, String json, String who) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO component_config (component_id, config_version, sections_json,"
                + " changed_by, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setInt(2, version);
            ps.setString(3, json);
            ps.setString(4, who);
            ps.setLong(5, sql.now());
            ps.executeUpdate();
        }
    }

    private static List<ComponentConfigRecord> versions(Connection c, String id, boolean newestOnly) throws SQLException {
        List<ComponentConfigRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT component_id, config_version, sections_json, changed_by, created_at"
                + " FROM component_config WHERE component_id = ? ORDER BY config_version DESC" + (newestOnly ? " LIMIT 1" : ""))) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ComponentConfigRecord(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                            Sql.instant(rs, "created_at")));
                }
            }
        }
        return out;
    }

    private static Optional<ComponentRecord> read(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM component WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        }
    }

    private static ComponentRecord record(ResultSet rs) throws SQLException {
        return new ComponentRecord(rs.getString("id"), rs.getLong("project_id"), rs.getString("kind"), rs.getString("direction"),
                rs.getString("node_host"), rs.getString("node_ip"), rs.getString("state"), rs.getString("position_text"),
                Sql.instant(rs, "updated_at"));
    }
}

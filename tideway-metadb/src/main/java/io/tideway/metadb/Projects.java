package io.tideway.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.Lifecycle;
import io.tideway.core.project.Lifecycle.Kind;
import io.tideway.core.project.Lifecycle.State;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Projects, their data sources and the state of their steps. */
public final class Projects {
    /** The state of a project just created. */
    public static final String CREATED = Lifecycle.CREATED;
    /** The state of a step that has no row yet. */
    public static final String NOT_STARTED = "NOT_STARTED";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STEP_COLUMNS =
            "project_id, step_name, state, started_at, finished_at, error_message, progress_json";

    private final Sql sql;
    private final SecretBox secrets;

    Projects(Sql sql, SecretBox secrets) {
        this.sql = sql;
        this.secrets = secrets;
    }

    /**
     * Creates the project (and its two data sources, passwords encrypted) or, when one with this
     * name exists, updates its data sources and configuration and returns its id. The state of an
     * existing project is kept.
     */
    public long upsert(String name, DataSourceConfig source, DataSourceConfig destination, String configYamlWithoutSecrets) {
        return sql.txRetryOnConflict("saving project '" + name + "'", c -> {
            long now = sql.now();
            Long[] existing = findIds(c, name);
            if (existing != null) {
                updateSource(c, existing[1], source, now);
                updateSource(c, existing[2], destination, now);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE project SET config_yaml = ?, updated_at = ? WHERE id = ?")) {
                    ps.setString(1, configYamlWithoutSecrets);
                    ps.setLong(2, now);
                    ps.setLong(3, existing[0]);
                    ps.executeUpdate();
                }
                return existing[0];
            }
            long sourceId = insertSource(c, source, now);
            long destinationId = insertSource(c, destination, now);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO project (name, source_id, destination_id,"
                    + " config_yaml, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setLong(2, sourceId);
                ps.setLong(3, destinationId);
                ps.setString(4, configYamlWithoutSecrets);
                ps.setString(5, CREATED);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.executeUpdate();
                return generatedId(ps);
            }
        });
    }

    /** [project id, source id, destination id] of the named project, locked for update; null when absent. */
    private static Long[] findIds(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, source_id, destination_id FROM project WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)} : null;
            }
        }
    }

    private long insertSource(Connection c, DataSourceConfig d, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO data_source (source_type, host, port, user_name,"
                + " password_enc, database_name, properties_json, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            bindSource(ps, d);
            ps.setLong(8, now);
            ps.setLong(9, now);
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    private void updateSource(Connection c, long id, DataSourceConfig d, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE data_source SET source_type = ?, host = ?, port = ?,"
                + " user_name = ?, password_enc = ?, database_name = ?, properties_json = ?, updated_at = ? WHERE id = ?")) {
            bindSource(ps, d);
            ps.setLong(8, now);
            ps.setLong(9, id);
            ps.executeUpdate();
        }
    }

    private void bindSource(PreparedStatement ps, DataSourceConfig d) throws SQLException {
        ps.setString(1, d.type().id());
        ps.setString(2, d.host());
        ps.setInt(3, d.port());
        ps.setString(4, d.user());
        ps.setString(5, secrets.encrypt(d.password()));
        ps.setString(6, d.database());
        try {
            ps.setString(7, JSON.writeValueAsString(new TreeMap<>(d.properties())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the database returned no generated id");
            }
            return keys.getLong(1);
        }
    }

    /** The project of this name, with its data sources' passwords decrypted. */
    public Optional<ProjectRecord> find(String name) {
        return sql.tx("reading project '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT p.id, p.name, p.config_yaml, p.state, p.created_at,"
                    + " p.updated_at, p.source_id, p.destination_id FROM project p WHERE p.name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long sourceId = rs.getLong("source_id");
                    long destinationId = rs.getLong("destination_id");
                    long id = rs.getLong("id");
                    String pname = rs.getString("name");
                    String yaml = rs.getString("config_yaml");
                    String state = rs.getString("state");
                    var created = Sql.instant(rs, "created_at");
                    var updated = Sql.instant(rs, "updated_at");
                    return Optional.of(new ProjectRecord(id, pname, readSource(c, sourceId), readSource(c, destinationId),
                            yaml, state, created, updated));
                }
            }
        });
    }

    private DataSourceConfig readSource(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT source_type, host, port, user_name, password_enc,"
                + " database_name, properties_json FROM data_source WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("data source " + id + " is missing");
                }
                Map<String, String> props;
                try {
                    props = JSON.readValue(rs.getString("properties_json"), new TypeReference<Map<String, String>>() { });
                } catch (JsonProcessingException e) {
                    throw new SQLException("data source " + id + " has damaged properties: " + e.getOriginalMessage());
                }
                return new DataSourceConfig(DataSourceType.fromId(rs.getString("source_type")), rs.getString("host"),
                        rs.getInt("port"), rs.getString("user_name"), secrets.decrypt(rs.getString("password_enc")),
                        rs.getString("database_name"), props);
            }
        }
    }

    /**
     * Moves the project to {@code state}, in one transaction with reading its current state;
     * refuses a transition {@link Lifecycle} does not allow.
     */
    public void setState(long projectId, State state) {
        sql.txRetryOnConflict("setting the state of project " + projectId + " to " + state, c -> {
            String name;
            State current;
            try (PreparedStatement ps = c.prepareStatement("SELECT name, state FROM project WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("project " + projectId + " does not exist");
                    }
                    name = rs.getString(1);
                    current = State.of(rs.getString(2));
                }
            }
            Lifecycle.check(Kind.PROJECT, name, current, state);
            try (PreparedStatement ps = c.prepareStatement("UPDATE project SET state = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, state == State.NOT_STARTED ? CREATED : state.name());
                ps.setLong(2, sql.now());
                ps.setLong(3, projectId);
                requireOne(ps.executeUpdate(), "project " + projectId);
            }
            return null;
        });
    }

    private static String projectName(Connection c, long projectId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM project WHERE id = ?")) {
            ps.setLong(1, projectId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : String.valueOf(projectId);
            }
        }
    }

    /** The step's state; {@link #NOT_STARTED} with no times when it has none yet. */
    public StepRecord step(long projectId, String step) {
        return sql.tx("reading step " + step + " of project " + projectId, c -> {
            StepRecord r = readStep(c, projectId, step);
            return r != null ? r : new StepRecord(projectId, step, NOT_STARTED, null, null, null, null);
        });
    }

    private static StepRecord readStep(Connection c, long projectId, String step) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + STEP_COLUMNS + " FROM step WHERE project_id = ? AND step_name = ?")) {
            ps.setLong(1, projectId);
            ps.setString(2, step);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? stepRecord(rs) : null;
            }
        }
    }

    private static StepRecord stepRecord(ResultSet rs) throws SQLException {
        return new StepRecord(rs.getLong("project_id"), rs.getString("step_name"), rs.getString("state"),
                Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"), rs.getString("error_message"),
                rs.getString("progress_json"));
    }

    /**
     * Sets a step's state, in one transaction with reading its current one; refuses a transition
     * {@link Lifecycle} does not allow. The first RUNNING sets {@code startedAt} (kept on later
     * runs, e.g. a retry); RUNNING clears {@code finishedAt}; COMPLETED, SKIPPED and FAILED set it.
     * {@code error} is stored as given (null clears it).
     */
    public void setStepState(long projectId, String step, State state, String error) {
        sql.txRetryOnConflict("setting step " + step + " of project " + projectId + " to " + state, c -> {
            long now = sql.now();
            State current = State.NOT_STARTED;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state FROM step WHERE project_id = ? AND step_name = ? FOR UPDATE")) {
                ps.setLong(1, projectId);
                ps.setString(2, step);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        current = State.of(rs.getString(1));
                    }
                }
            }
            Lifecycle.check(Kind.STEP, step + " of project " + projectName(c, projectId), current, state);
            boolean running = state == State.RUNNING;
            boolean finished = state == State.COMPLETED || state == State.FAILED || state == State.SKIPPED;
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE step SET state = ?, error_message = ?,"
                    + " started_at = CASE WHEN started_at IS NULL AND ? = 1 THEN ? ELSE started_at END,"
                    + " finished_at = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE finished_at END,"
                    + " updated_at = ? WHERE project_id = ? AND step_name = ?")) {
                ps.setString(1, state.name());
                ps.setString(2, error);
                ps.setInt(3, running ? 1 : 0);
                ps.setLong(4, now);
                ps.setInt(5, finished ? 1 : 0);
                ps.setLong(6, now);
                ps.setInt(7, running ? 1 : 0);
                ps.setLong(8, now);
                ps.setLong(9, projectId);
                ps.setString(10, step);
                n = ps.executeUpdate();
            }
            if (n == 0) {
                insertStep(c, projectId, step, state.name(), error, running ? now : null, finished ? now : null, null, now);
            }
            return null;
        });
    }

    /** Stores the step's latest progress document (JSON chosen by the engine). */
    public void setStepProgress(long projectId, String step, String progressJson) {
        sql.txRetryOnConflict("saving the progress of step " + step + " of project " + projectId, c -> {
            long now = sql.now();
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE step SET progress_json = ?, updated_at = ?"
                    + " WHERE project_id = ? AND step_name = ?")) {
                ps.setString(1, progressJson);
                ps.setLong(2, now);
                ps.setLong(3, projectId);
                ps.setString(4, step);
                n = ps.executeUpdate();
            }
            if (n == 0) {
                insertStep(c, projectId, step, NOT_STARTED, null, null, null, progressJson, now);
            }
            return null;
        });
    }

    private static void insertStep(Connection c, long projectId, String step, String state, String error, Long startedAt,
            Long finishedAt, String progressJson, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO step (" + STEP_COLUMNS + ", updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, projectId);
            ps.setString(2, step);
            ps.setString(3, state);
            Sql.setNullableLong(ps, 4, startedAt);
            Sql.setNullableLong(ps, 5, finishedAt);
            ps.setString(6, error);
            ps.setString(7, progressJson);
            ps.setLong(8, now);
            ps.executeUpdate();
        }
    }

    /** The steps of a project that have a row, by name. */
    public List<StepRecord> steps(long projectId) {
        return sql.tx("reading the steps of project " + projectId, c -> {
            List<StepRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + STEP_COLUMNS + " FROM step WHERE project_id = ? ORDER BY step_name")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(stepRecord(rs));
                    }
                }
            }
            return out;
        });
    }

    static void requireOne(int updated, String what) throws SQLException {
        if (updated == 0) {
            throw new SQLException(what + " does not exist");
        }
    }
}

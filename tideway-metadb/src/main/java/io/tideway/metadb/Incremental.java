package io.tideway.metadb;

import io.tideway.core.change.CaptureState;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the incremental step keeps in the MetaDB: capture state, apply checkpoints, the run lock. */
public final class Incremental {
    private final Sql sql;

    Incremental(Sql sql) {
        this.sql = sql;
    }

    /** The capture state of one capture of a project, backed by capture_offset and capture_history. */
    public CaptureState captureState(long projectId, String captureName) {
        return new CaptureState() {
            @Override
            public Map<String, String> loadOffsets() {
                return sql.tx("reading the capture offsets of " + captureName, c -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    try (PreparedStatement ps = c.prepareStatement("SELECT offset_key, offset_value FROM capture_offset"
                            + " WHERE project_id = ? AND capture_name = ? ORDER BY key_hash")) {
                        ps.setLong(1, projectId);
                        ps.setString(2, captureName);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                out.put(rs.getString(1), rs.getString(2));
                            }
                        }
                    }
                    return out;
                });
            }

            @Override
            public void saveOffsets(Map<String, String> offsets) {
                sql.tx("saving the capture offsets of " + captureName, c -> {
                    for (var e : offsets.entrySet()) {
                        String hash = sha256(e.getKey());
                        try (PreparedStatement del = c.prepareStatement("DELETE FROM capture_offset WHERE project_id = ?"
                                + " AND capture_name = ? AND key_hash = ?")) {
                            del.setLong(1, projectId);
                            del.setString(2, captureName);
                            del.setString(3, hash);
                            del.executeUpdate();
                        }
                        try (PreparedStatement ins = c.prepareStatement("INSERT INTO capture_offset (project_id, capture_name,"
                                + " key_hash, offset_key, offset_value, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                            ins.setLong(1, projectId);
                            ins.setString(2, captureName);
                            ins.setString(3, hash);
                            ins.setString(4, e.getKey());
                            ins.setString(5, e.getValue());
                            ins.setLong(6, sql.now());
                            ins.executeUpdate();
                        }
                    }
                    return null;
                });
            }

            @Override
            public List<String> loadHistory() {
                return sql.tx("reading the schema history of " + captureName, c -> {
                    List<String> out = new ArrayList<>();
                    try (PreparedStatement ps = c.prepareStatement("SELECT record FROM capture_history WHERE project_id = ?"
                            + " AND capture_name = ? ORDER BY seq")) {
                        ps.setLong(1, projectId);
                        ps.setString(2, captureName);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                out.add(rs.getString(1));
                            }
                        }
                    }
                    return out;
                });
            }

            @Override
            public void appendHistory(String record) {
                sql.txRetryOnConflict("appending to the schema history of " + captureName, c -> {
                    long next;
                    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM capture_history"
                            + " WHERE project_id = ? AND capture_name = ?")) {
                        ps.setLong(1, projectId);
                        ps.setString(2, captureName);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            next = rs.getLong(1);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO capture_history (project_id, capture_name, seq,"
                            + " record) VALUES (?, ?, ?, ?)")) {
                        ps.setLong(1, projectId);
                        ps.setString(2, captureName);
                        ps.setLong(3, next);
                        ps.setString(4, record);
                        ps.executeUpdate();
                    }
                    return null;
                });
            }
        };
    }

    /** Removes a capture's offsets and history (the project was released, or its capture restarts from scratch). */
    public void clearCapture(long projectId, String captureName) {
        sql.tx("clearing the capture state of " + captureName, c -> {
            for (String table : List.of("capture_offset", "capture_history", "apply_checkpoint")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE project_id = ? AND capture_name = ?")) {
                    ps.setLong(1, projectId);
                    ps.setString(2, captureName);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** How far the apply side has committed: the spool address after the last applied event. */
    public record ApplyCheckpoint(long segment, long offset, String position, long sourceMillis, long eventsApplied,
                                  java.time.Instant updatedAt) { }

    public Optional<ApplyCheckpoint> applyCheckpoint(long projectId, String captureName) {
        return sql.tx("reading the apply checkpoint of " + captureName, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT spool_segment, spool_offset, source_position, source_millis,"
                    + " events_applied, updated_at FROM apply_checkpoint WHERE project_id = ? AND capture_name = ?")) {
                ps.setLong(1, projectId);
                ps.setString(2, captureName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new ApplyCheckpoint(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                            rs.getLong(5), java.time.Instant.ofEpochMilli(rs.getLong(6))));
                }
            }
        });
    }

    /** Called only after the destination has committed everything up to this address. */
    public void saveApplyCheckpoint(long projectId, String captureName, ApplyCheckpoint cp) {
        sql.tx("saving the apply checkpoint of " + captureName, c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM apply_checkpoint WHERE project_id = ? AND capture_name = ?")) {
                del.setLong(1, projectId);
                del.setString(2, captureName);
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO apply_checkpoint (project_id, capture_name, spool_segment,"
                    + " spool_offset, source_position, source_millis, events_applied, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, projectId);
                ps.setString(2, captureName);
                ps.setLong(3, cp.segment());
                ps.setLong(4, cp.offset());
                ps.setString(5, cp.position());
                ps.setLong(6, cp.sourceMillis());
                ps.setLong(7, cp.eventsApplied());
                ps.setLong(8, sql.now());
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- run lock and commands

    /** The process running a project. */
    public record RunRecord(String owner, java.time.Instant startedAt, java.time.Instant heartbeatAt, String command) { }

    public Optional<RunRecord> run(long projectId) {
        return sql.tx("reading the run of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT owner, started_at, heartbeat_at, command FROM project_run"
                    + " WHERE project_id = ?")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new RunRecord(rs.getString(1), java.time.Instant.ofEpochMilli(rs.getLong(2)),
                            java.time.Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
                }
            }
        });
    }

    /**
     * The epoch of the run {@code owner} holds: the project's run counter as this run took it
     * ({@link #acquireRun}), higher for every run that takes the project, whatever the clocks of
     * their nodes say; empty when {@code owner} does not hold the run. Sinks fence writers of older
     * epochs with it.
     */
    public java.util.OptionalLong runEpoch(long projectId, String owner) {
        return sql.tx("reading the run epoch of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM project_run WHERE project_id = ? AND owner = ?")) {
                ps.setLong(1, projectId);
                ps.setString(2, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.OptionalLong.of(rs.getLong(1)) : java.util.OptionalLong.empty();
                }
            }
        });
    }

    /**
     * Takes the run of a project for {@code owner}. A run whose owner {@code isDead} says is gone,
     * or whose heartbeat is older than {@code staleMillis}, is taken over; any other is a refusal
     * naming the running owner. In the same transaction the project's run counter grows by one and
     * becomes the run's epoch ({@link #runEpoch}): higher than any run before, released or taken
     * over, even when the clocks of their nodes differ. (A project's first run starts the counter at
     * the MetaDB's clock in milliseconds, above the run start times that were epochs before.)
     */
    public void acquireRun(long projectId, String owner, long staleMillis, java.util.function.Predicate<String> isDead) {
        sql.txRetryOnConflict("taking the run of project " + projectId, c -> {
            long epoch;
            try (PreparedStatement ps = c.prepareStatement("UPDATE project SET run_epoch = CASE WHEN run_epoch = 0 THEN ?"
                    + " ELSE run_epoch + 1 END WHERE id = ?")) {
                ps.setLong(1, sql.now());
                ps.setLong(2, projectId);
                if (ps.executeUpdate() != 1) {
                    throw new TidewayException(ErrorCode.INTERNAL, "project " + projectId + " is not in the MetaDB");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT run_epoch FROM project WHERE id = ?")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    epoch = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT owner, heartbeat_at FROM project_run WHERE project_id = ?")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        String other = rs.getString(1);
                        long age = sql.now() - rs.getLong(2);
                        if (!other.equals(owner) && age < staleMillis && !isDead.test(other)) {
                            throw new TidewayException(ErrorCode.CONFIG_INVALID, "the project is already running in " + other
                                    + " (heartbeat " + age / 1000 + " s ago); stop that one first, or use `tideway pause`/`status`"
                                    + " to control it");
                        }
                    }
                }
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM project_run WHERE project_id = ?")) {
                del.setLong(1, projectId);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO project_run (project_id, owner, started_at, heartbeat_at,"
                    + " command, epoch) VALUES (?, ?, ?, ?, NULL, ?)")) {
                ins.setLong(1, projectId);
                ins.setString(2, owner);
                ins.setLong(3, sql.now());
                ins.setLong(4, sql.now());
                ins.setLong(5, epoch);
                ins.executeUpdate();
            }
            return null;
        });
    }

    /** Refreshes the heartbeat and returns the pending command (taking it), or null. */
    public String heartbeat(long projectId, String owner) {
        return sql.tx("heartbeat of project " + projectId, c -> {
            String command = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT command FROM project_run WHERE project_id = ? AND owner = ?")) {
                ps.setLong(1, projectId);
                ps.setString(2, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        command = rs.getString(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE project_run SET heartbeat_at = ?, command = NULL"
                    + " WHERE project_id = ? AND owner = ?")) {
                ps.setLong(1, sql.now());
                ps.setLong(2, projectId);
                ps.setString(3, owner);
                ps.executeUpdate();
            }
            return command;
        });
    }

    /** Leaves a command (PAUSE, RESUME, STOP) for the running process; false when none runs. */
    public boolean sendCommand(long projectId, String command) {
        return sql.tx("sending " + command + " to project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE project_run SET command = ? WHERE project_id = ?")) {
                ps.setString(1, command);
                ps.setLong(2, projectId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    public void releaseRun(long projectId, String owner) {
        sql.tx("releasing the run of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM project_run WHERE project_id = ? AND owner = ?")) {
                ps.setLong(1, projectId);
                ps.setString(2, owner);
                ps.executeUpdate();
            }
            return null;
        });
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.tideway.metadb;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tables of a project and the checkpoints of their full copy: one row per source table and,
 * once planned, one row per key-range chunk. A chunk becomes DONE only after its rows are committed
 * in the destination, so a restart redoes at most the chunks that were PENDING or STARTED.
 */
public final class Checkpoints {
    public static final String PENDING = "PENDING";
    public static final String STARTED = "STARTED";
    public static final String DONE = "DONE";

    private static final String TABLE_COLUMNS = "project_id, source_schema, source_table, destination_schema,"
            + " destination_table, state, estimated_rows, rows_done, bytes_done, chunked, updated_at";
    private static final String TABLE_KEY = " WHERE project_id = ? AND source_schema = ? AND source_table = ?";

    private final Sql sql;

    Checkpoints(Sql sql) {
        this.sql = sql;
    }

    /**
     * Registers a source table of a project, or updates its destination, state and estimate when
     * it is registered already (its progress and chunk plan are kept).
     */
    public void upsertTable(long projectId, TableId source, TableId destination, String state, long estimatedRows) {
        sql.txRetryOnConflict("saving table " + source + " of project " + projectId, c -> {
            long now = sql.now();
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE table_mapping SET destination_schema = ?,"
                    + " destination_table = ?, state = ?, estimated_rows = ?, updated_at = ?" + TABLE_KEY)) {
                ps.setString(1, destination.schema());
                ps.setString(2, destination.table());
                ps.setString(3, state);
                ps.setLong(4, estimatedRows);
                ps.setLong(5, now);
                bindKey(ps, 6, projectId, source);
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO table_mapping (" + TABLE_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)")) {
                    bindKey(ps, 1, projectId, source);
                    ps.setString(4, destination.schema());
                    ps.setString(5, destination.table());
                    ps.setString(6, state);
                    ps.setLong(7, estimatedRows);
                    ps.setBoolean(8, false);
                    ps.setLong(9, now);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public Optional<TableRecord> table(long projectId, TableId source) {
        return sql.tx("reading table " + source + " of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM table_mapping" + TABLE_KEY)) {
                bindKey(ps, 1, projectId, source);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(tableRecord(rs)) : Optional.empty();
                }
            }
        });
    }

    /** The tables of a project, ordered by source schema and table. */
    public List<TableRecord> tables(long projectId) {
        return sql.tx("reading the tables of project " + projectId, c -> {
            List<TableRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + TABLE_COLUMNS
                    + " FROM table_mapping WHERE project_id = ? ORDER BY source_schema, source_table")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(tableRecord(rs));
                    }
                }
            }
            return out;
        });
    }

    private static TableRecord tableRecord(ResultSet rs) throws SQLException {
        return new TableRecord(rs.getLong("project_id"),
                new TableId(rs.getString("source_schema"), rs.getString("source_table")),
                new TableId(rs.getString("destination_schema"), rs.getString("destination_table")),
                rs.getString("state"), rs.getLong("estimated_rows"), rs.getLong("rows_done"), rs.getLong("bytes_done"),
                rs.getBoolean("chunked"), Sql.instant(rs, "updated_at"));
    }

    public void setTableState(long projectId, TableId source, String state) {
        sql.tx("setting the state of table " + source + " of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE table_mapping SET state = ?, updated_at = ?" + TABLE_KEY)) {
                ps.setString(1, state);
                ps.setLong(2, sql.now());
                bindKey(ps, 3, projectId, source);
                Projects.requireOne(ps.executeUpdate(), "table " + source + " of project " + projectId);
            }
            return null;
        });
    }

    /** Sets the table's copied rows and bytes (totals, not increments). */
    public void setTableProgress(long projectId, TableId source, long rowsDone, long bytesDone) {
        sql.tx("saving the progress of table " + source + " of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE table_mapping SET rows_done = ?, bytes_done = ?, updated_at = ?" + TABLE_KEY)) {
                ps.setLong(1, rowsDone);
                ps.setLong(2, bytesDone);
                ps.setLong(3, sql.now());
                bindKey(ps, 4, projectId, source);
                Projects.requireOne(ps.executeUpdate(), "table " + source + " of project " + projectId);
            }
            return null;
        });
    }

    /**
     * Saves the chunk plan of a registered table once, in one transaction, all chunks PENDING and
     * numbered from 0 in list order; returns false and changes nothing if a plan exists already
     * (for example one saved by another node).
     */
    public boolean saveChunkPlan(long projectId, TableId source, List<KeyRange> ranges) {
        List<String> encoded = ranges.stream().map(KeyRangeCodec::encode).toList();
        return sql.tx("saving the chunk plan of table " + source + " of project " + projectId, c -> {
            boolean chunked;
            try (PreparedStatement ps = c.prepareStatement("SELECT chunked FROM table_mapping" + TABLE_KEY + " FOR UPDATE")) {
                bindKey(ps, 1, projectId, source);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("table " + source + " of project " + projectId
                                + " is not registered (upsertTable first)");
                    }
                    chunked = rs.getBoolean(1);
                }
            }
            if (chunked || chunkCount(c, projectId, source) > 0) {
                return false;
            }
            long now = sql.now();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO chunk (project_id, source_schema, source_table,"
                    + " chunk_no, key_range, state, row_count, byte_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)")) {
                for (int i = 0; i < encoded.size(); i++) {
                    bindKey(ps, 1, projectId, source);
                    ps.setInt(4, i);
                    ps.setString(5, encoded.get(i));
                    ps.setString(6, PENDING);
                    ps.setLong(7, now);
                    ps.addBatch();
                    if (i % 500 == 499) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE table_mapping SET chunked = ?, updated_at = ?" + TABLE_KEY)) {
                ps.setBoolean(1, true);
                ps.setLong(2, now);
                bindKey(ps, 3, projectId, source);
                ps.executeUpdate();
            }
            return true;
        });
    }

    private static int chunkCount(Connection c, long projectId, TableId source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM chunk" + TABLE_KEY)) {
            bindKey(ps, 1, projectId, source);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The chunks of a table in chunk order; empty when no plan is saved. */
    public List<ChunkRecord> chunks(long projectId, TableId source) {
        return sql.tx("reading the chunks of table " + source + " of project " + projectId, c -> {
            List<ChunkRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT chunk_no, key_range, state, row_count, byte_count"
                    + " FROM chunk" + TABLE_KEY + " ORDER BY chunk_no")) {
                bindKey(ps, 1, projectId, source);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ChunkRecord(rs.getInt(1), KeyRangeCodec.decode(rs.getString(2)), rs.getString(3),
                                rs.getLong(4), rs.getLong(5)));
                    }
                }
            }
            return out;
        });
    }

    public void markChunkStarted(long projectId, TableId source, int chunkNo) {
        setChunk(projectId, source, chunkNo, STARTED, 0, 0);
    }

    /** Called only after the chunk's rows are committed in the destination. */
    public void markChunkDone(long projectId, TableId source, int chunkNo, long rows, long bytes) {
        setChunk(projectId, source, chunkNo, DONE, rows, bytes);
    }

    private void setChunk(long projectId, TableId source, int chunkNo, String state, long rows, long bytes) {
        sql.tx("marking chunk " + chunkNo + " of table " + source + " of project " + projectId + " " + state, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE chunk SET state = ?, row_count = ?, byte_count = ?,"
                    + " updated_at = ?" + TABLE_KEY + " AND chunk_no = ?")) {
                ps.setString(1, state);
                ps.setLong(2, rows);
                ps.setLong(3, bytes);
                ps.setLong(4, sql.now());
                bindKey(ps, 5, projectId, source);
                ps.setInt(8, chunkNo);
                Projects.requireOne(ps.executeUpdate(), "chunk " + chunkNo + " of table " + source + " of project " + projectId);
            }
            return null;
        });
    }

    /** Removes the chunk plan of a table (so a new one can be saved). */
    public void deleteChunks(long projectId, TableId source) {
        sql.tx("deleting the chunks of table " + source + " of project " + projectId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM chunk" + TABLE_KEY)) {
                bindKey(ps, 1, projectId, source);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE table_mapping SET chunked = ?, updated_at = ?" + TABLE_KEY)) {
                ps.setBoolean(1, false);
                ps.setLong(2, sql.now());
                bindKey(ps, 3, projectId, source);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void bindKey(PreparedStatement ps, int first, long projectId, TableId source) throws SQLException {
        ps.setLong(first, projectId);
        ps.setString(first + 1, source.schema());
        ps.setString(first + 2, source.table());
    }
}

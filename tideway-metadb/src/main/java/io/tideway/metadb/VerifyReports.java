package io.tideway.metadb;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The verification reports of each project: the report as a JSON document without its rows, and the
 * differing rows, each as its own JSON document, per table in the order found. What the documents
 * hold is the engine's; this stores and returns them. The latest {@link #KEPT} reports of a project
 * are kept.
 */
public final class VerifyReports {
    /** Reports kept per project; older ones are deleted with their rows when a new one is saved. */
    public static final int KEPT = 20;
    private final Sql sql;

    VerifyReports(Sql sql) {
        this.sql = sql;
    }

    /**
     * One stored report.
     *
     * @param reportJson the report without its rows
     * @param differences its differing rows, by table (in the report's order of tables) then in the order found
     */
    public record StoredReport(long id, long projectId, Instant startedAt, Instant finishedAt, boolean equal, boolean unconfirmed,
                               String summary, String reportJson, List<StoredDifference> differences) { }

    /**
     * One differing row of a stored report.
     *
     * @param tableNo the table's place in the report, from 0
     * @param rowNo the row's place among its table's rows, from 0
     * @param kind MISSING, EXTRA or DIFFERENT
     * @param rowJson the row's document
     */
    public record StoredDifference(int tableNo, int rowNo, String kind, String rowJson) { }

    /** Saves a report with its rows in one transaction; returns its id. Older reports beyond {@link #KEPT} go. */
    public long save(long projectId, Instant startedAt, Instant finishedAt, boolean equal, boolean unconfirmed, String summary,
                     String reportJson, List<StoredDifference> differences) {
        return sql.tx("saving a verification report of project " + projectId, c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO verify_report (project_id, started_at, finished_at,"
                    + " equal_rows, unconfirmed, summary, report_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, projectId);
                ps.setLong(2, startedAt.toEpochMilli());
                ps.setLong(3, finishedAt.toEpochMilli());
                ps.setBoolean(4, equal);
                ps.setBoolean(5, unconfirmed);
                ps.setString(6, summary);
                ps.setString(7, reportJson);
                ps.setLong(8, sql.now());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new java.sql.SQLException("the database returned no generated id");
                    }
                    id = keys.getLong(1);
                }
            }
            if (!differences.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO verify_difference (report_id, table_no, row_no, kind,"
                        + " row_json) VALUES (?, ?, ?, ?, ?)")) {
                    int pending = 0;
                    for (StoredDifference d : differences) {
                        ps.setLong(1, id);
                        ps.setInt(2, d.tableNo());
                        ps.setInt(3, d.rowNo());
                        ps.setString(4, d.kind());
                        ps.setString(5, d.rowJson());
                        ps.addBatch();
                        if (++pending == 500) {
                            ps.executeBatch();
                            pending = 0;
                        }
                    }
                    if (pending > 0) {
                        ps.executeBatch();
                    }
                }
            }
            List<Long> old = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM verify_report WHERE project_id = ? ORDER BY id DESC")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    for (int n = 0; rs.next(); n++) {
                        if (n >= KEPT) {
                            old.add(rs.getLong(1));
                        }
                    }
                }
            }
            // rows first: not every vendor's cascade is relied on
            for (String table : List.of("verify_difference", "verify_report")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE "
                        + ("verify_report".equals(table) ? "id" : "report_id") + " = ?")) {
                    for (long o : old) {
                        ps.setLong(1, o);
                        ps.executeUpdate();
                    }
                }
            }
            return id;
        });
    }

    /** The project's latest report with its rows, if it has one. */
    public Optional<StoredReport> latest(long projectId) {
        return sql.tx("reading the latest verification report of project " + projectId, c -> {
            StoredReport head = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, project_id, started_at, finished_at, equal_rows, unconfirmed,"
                    + " summary, report_json FROM verify_report WHERE project_id = ? ORDER BY id DESC LIMIT 1")) {
                ps.setLong(1, projectId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        head = new StoredReport(rs.getLong(1), rs.getLong(2), Sql.instant(rs, "started_at"),
                                Sql.instant(rs, "finished_at"), rs.getBoolean(5), rs.getBoolean(6), rs.getString(7),
                                rs.getString(8), List.of());
                    }
                }
            }
            if (head == null) {
                return Optional.empty();
            }
            List<StoredDifference> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT table_no, row_no, kind, row_json FROM verify_difference"
                    + " WHERE report_id = ? ORDER BY table_no, row_no")) {
                ps.setLong(1, head.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new StoredDifference(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return Optional.of(new StoredReport(head.id(), head.projectId(), head.startedAt(), head.finishedAt(), head.equal(),
                    head.unconfirmed(), head.summary(), head.reportJson(), rows));
        });
    }
}

package io.tideway.engine.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tideway.core.model.Column;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Version;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes what a verification found under {@code DATA_DIR/verify/<project>/}: {@code report.json}
 * (every table, its figures and its differing rows) and, per table with differences, a SQL file
 * in the destination's dialect that makes the destination equal to the source as read: deletes
 * by key of extra rows first, then upserts of missing and different rows, one statement per line,
 * in one transaction. Files of an earlier verification are removed first.
 */
public final class VerifyOutput {
    static final String REPORT = "report.json";
    /** Rows listed per table in report.json (the SQL files hold them all). */
    static final int MAX_JSON_ROWS = 1000;
    private static final int MAX_TEXT = 200;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private VerifyOutput() { }

    /** What {@link #write} wrote: the correction SQL files by source table, and the report of report.json. */
    record Written(Map<String, Path> sqlFiles, VerificationReport report) { }

    /** The directory a project's verification files go to. */
    public static Path directory(Path dataDir, String project) {
        return dataDir.resolve("verify").resolve(project);
    }

    /**
     * Writes the report and the SQL files.
     *
     * @param repair what a repair wrote, or null when none was asked for
     * @param after what still differed after the repair, or null
     * @return the SQL files written, by source table, and the report written to report.json
     */
    static Written write(Path dir, Verifier v, VerifyReport report, Verifier.Repair repair, VerifyReport after) {
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.{sql,json}")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
            Map<String, Path> sqlFiles = new LinkedHashMap<>();
            Set<String> names = new HashSet<>();
            for (TableReport t : report.tables()) {
                if (t.differences().isEmpty() || t.unconfirmed()) {
                    continue;   // rows not confirmed may be changes in flight: no correction for them
                }
                Path file = dir.resolve(fileName(t.destination(), names));
                writeSql(file, v, report, t);
                sqlFiles.put(t.source(), file);
            }
            VerificationReport document = document(v, report, sqlFiles, repair, after);
            Files.writeString(dir.resolve(REPORT), json(document), StandardCharsets.UTF_8);
            return new Written(sqlFiles, document);
        } catch (IOException e) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "writing the verification report to " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** "schema.table.sql" with characters unsafe in file names replaced, made unique. */
    static String fileName(String table, Set<String> taken) {
        String safe = table.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = safe.equals(table) ? safe : safe + "-" + String.format("%08x", table.hashCode());
        while (!taken.add(name.toLowerCase())) {
            name = name + "_";
        }
        return name + ".sql";
    }

    private static void writeSql(Path file, Verifier v, VerifyReport report, TableReport t) throws IOException {
        TablePlan p = v.plans().get(t.source());
        Dialect dd = v.ends().destinationDialect();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("-- Tideway " + Version.current() + ", project " + report.project() + ": corrections for destination table "
                    + t.destination() + " (source " + t.source() + "), verified " + report.finishedAt() + "\n");
            w.write(String.format("-- %,d missing, %,d extra, %,d different rows%s. Applied to the destination (%s at %s), it makes"
                            + " the table hold the rows the source held then.%n", t.count(Difference.Kind.MISSING),
                    t.count(Difference.Kind.EXTRA), t.count(Difference.Kind.DIFFERENT),
                    t.unlisted() > 0 ? String.format(" (and %,d more rows not listed, not corrected here)", t.unlisted()) : "",
                    v.ends().destination().type().id(), v.ends().destination().address()));
            if (!t.excludedColumns().isEmpty()) {
                w.write("-- Columns not compared (rows present on both sides are corrected without them): "
                        + String.join(", ", t.excludedColumns()) + "\n");
            }
            io.tideway.core.project.RowFilter f = v.rowFilter(t.source());
            if (f != null) {
                w.write("-- Only rows where (source) " + f.source() + " / (destination) " + f.destination()
                        + " were compared; only they are corrected here.\n");
            }
            for (String line : dd.scripts().sqlScriptHeader()) {
                w.write(line + "\n");
            }
            // deletes first: a row to insert may take a unique value an extra row holds
            for (Difference d : t.differences()) {
                if (d.kind() == Difference.Kind.EXTRA && d.sourceRow() == null) {
                    statement(w, d, () -> p.keyed() ? dd.scripts().deleteRowSql(p.destinationWrite(), d.key().toArray())
                            : dd.scripts().deleteRowSql(p.destinationCompared(), d.destinationRow()));
                }
            }
            for (Difference d : t.differences()) {
                if (d.kind() == Difference.Kind.MISSING || d.kind() == Difference.Kind.EXTRA && d.sourceRow() != null) {
                    statement(w, d, () -> dd.scripts().writeRowSql(p.destinationWrite(), p.writtenOf(d.sourceRow())));
                } else if (d.kind() == Difference.Kind.DIFFERENT) {
                    // the row is on both sides: only its compared columns are set, the excluded ones are left as they are
                    statement(w, d, () -> dd.scripts().updateRowSql(p.destinationWriteCompared(), p.comparedOf(d.sourceRow())));
                }
            }
            for (String line : dd.scripts().sqlScriptFooter()) {
                w.write(line + "\n");
            }
        }
    }

    private interface Sql {
        String get();
    }

    private static void statement(BufferedWriter w, Difference d, Sql sql) throws IOException {
        String s;
        try {
            s = sql.get();
        } catch (TidewayException e) {
            w.write("-- " + d.kind().name().toLowerCase() + " row " + (d.key() == null ? "" : display(d.key()) + " ")
                    + "cannot be written as SQL here: " + e.getMessage().replace('\n', ' ') + "\n");
            return;
        }
        w.write(s);
        w.write(";\n");
    }

    // ------------------------------------------------------------------ report.json

    /** The report as stored and exported: figures of every table and its first rows found different. */
    static VerificationReport document(Verifier v, VerifyReport r, Map<String, Path> sqlFiles, Verifier.Repair repair,
                                       VerifyReport after) {
        VerificationReport.InFlight inFlight = r.unconfirmed() ? new VerificationReport.InFlight(r.inFlight().lagMillis(),
                r.inFlight().state(), "changes in flight: " + r.inFlight().describe() + "; run again when the lag is low") : null;
        VerificationReport.RepairFigures rep = repair == null ? null : new VerificationReport.RepairFigures(repair.rowsWritten(),
                repair.rowsDeleted(), after != null && after.equal(), after == null ? null : after.summary());
        List<VerificationReport.TableEntry> tables = new ArrayList<>();
        for (TableReport t : r.tables()) {
            TablePlan p = v.plans().get(t.source());
            io.tideway.core.project.RowFilter f = v.rowFilter(t.source());
            List<VerificationReport.Row> rows = new ArrayList<>();
            Integer notShown = null;
            for (Difference d : t.differences()) {
                if (rows.size() == MAX_JSON_ROWS) {
                    notShown = t.differences().size() - MAX_JSON_ROWS;
                    break;
                }
                rows.add(row(p, d));
            }
            tables.add(new VerificationReport.TableEntry(t.source(), t.destination(), t.keyed(), p.source().rowKey(),
                    t.sourceRows(), t.destinationRows(), t.chunks(), t.chunksCompared(), t.chunksEqualByChecksum(),
                    t.matchedAcrossChunks(), t.excludedColumns(),
                    f == null ? null : new VerificationReport.Where(f.source(), f.destination()), t.equal(), t.unconfirmed(),
                    t.count(Difference.Kind.MISSING), t.count(Difference.Kind.EXTRA), t.count(Difference.Kind.DIFFERENT),
                    t.unlisted(), sqlFiles.containsKey(t.source()) ? sqlFiles.get(t.source()).getFileName().toString() : null,
                    notShown, rows));
        }
        return new VerificationReport(r.project(), Version.current(),
                v.ends().source().type().id() + " at " + v.ends().source().address(),
                v.ends().destination().type().id() + " at " + v.ends().destination().address(),
                r.startedAt().toString(), r.finishedAt().toString(), r.equal(), r.unconfirmed(), inFlight, r.summary(),
                r.sourceRows(), r.differences(), r.warnings(), rep, tables);
    }

    /** The text of report.json: {@code report} as it is stored. */
    public static String json(VerificationReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "writing the verification report: "
                    + e.getMessage(), e);
        }
    }

    private static VerificationReport.Row row(TablePlan p, Difference d) {
        Map<String, Object> key = null;
        if (d.key() != null) {
            key = new LinkedHashMap<>();
            List<String> names = p.source().rowKey();
            for (int i = 0; i < names.size(); i++) {
                key.put(names.get(i), value(d.key().get(i)));
            }
        }
        if (d.kind() == Difference.Kind.DIFFERENT) {
            Map<String, VerificationReport.Pair> values = new LinkedHashMap<>();
            Object[] src = p.comparedOf(d.sourceRow());
            List<Column> cols = p.sourceCompared().columns();
            for (int i = 0; i < cols.size(); i++) {
                if (d.columns().contains(cols.get(i).name())) {
                    values.put(cols.get(i).name(), new VerificationReport.Pair(value(src[i]), value(d.destinationRow()[i])));
                }
            }
            return new VerificationReport.Row(d.kind().name(), key, d.columns(), values, null);
        }
        if (d.key() == null) {
            // a table without a key: the row itself
            Map<String, Object> row = new LinkedHashMap<>();
            Object[] vals = d.kind() == Difference.Kind.MISSING ? p.comparedOf(d.sourceRow()) : d.destinationRow();
            List<Column> cols = p.sourceCompared().columns();
            for (int i = 0; i < cols.size(); i++) {
                row.put(cols.get(i).name(), value(vals[i]));
            }
            return new VerificationReport.Row(d.kind().name(), key, null, null, row);
        }
        return new VerificationReport.Row(d.kind().name(), key, null, null, null);
    }

    /** A value for JSON: numbers and booleans as they are, bytes as 0x-hex, long texts cut. */
    static Object value(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof byte[] b) {
            String hex = "0x" + HexFormat.of().withUpperCase().formatHex(b, 0, Math.min(b.length, MAX_TEXT / 2));
            return b.length > MAX_TEXT / 2 ? hex + "... (" + b.length + " bytes)" : hex;
        }
        String s = v.toString();
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "... (" + s.length() + " characters)" : s;
    }

    /** A key for a message: "[5]" or "[5, 'a']". */
    static String display(List<Object> key) {
        List<String> parts = new ArrayList<>();
        for (Object o : key) {
            Object v = value(o);
            parts.add(v instanceof String s ? "'" + s + "'" : String.valueOf(v));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}

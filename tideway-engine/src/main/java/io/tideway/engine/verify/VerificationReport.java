package io.tideway.engine.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A verification's report as it is stored in the MetaDB, exported as {@code report.json} and
 * returned by the engine: every table, its figures and its differing rows (at most
 * {@link VerifyOutput#MAX_JSON_ROWS} per table, long values cut). Holds no secret: the ends appear
 * as "type at host:port/database". Serialized with Jackson as it is; times are ISO-8601 texts.
 *
 * @param inFlight why the rows found different are not confirmed; null when they are
 * @param repair what a repair wrote; null when none was asked for
 */
public record VerificationReport(String project, String tidewayVersion, String source, String destination, String startedAt,
                                 String finishedAt, boolean equal, boolean unconfirmed,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) InFlight inFlight, String summary,
                                 long rowsCompared, long rowsDiffering, List<String> warnings,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) RepairFigures repair, List<TableEntry> tables) {

    /** How far behind the sync was while the differing rows were read again. */
    public record InFlight(long lagMillis, String syncState, String reason) { }

    /** What a repair wrote, and what still differed after it. */
    public record RepairFigures(long rowsWritten, long rowsDeleted, boolean equalAfterRepair, String summaryAfterRepair) { }

    /**
     * One table.
     *
     * @param key the source's key columns (empty for a table without a key)
     * @param where the row filter of each side; null when every row is compared
     * @param correctionSql the file name of its correction SQL, or null
     * @param rowsNotShown rows differing beyond those listed in {@code differences}; null when all are listed
     */
    public record TableEntry(String source, String destination, boolean keyed, List<String> key, long rowsCompared,
                             long destinationRows, int chunks, int chunksCompared, int chunksEqualByChecksum,
                             long rowsMatchedAcrossChunks, List<String> excludedColumns,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Where where, boolean equal, boolean unconfirmed,
                             long missing, long extra, long different, long unlisted, String correctionSql,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer rowsNotShown, List<Row> differences) {

        /** The same table with other rows listed. */
        TableEntry withDifferences(List<Row> rows) {
            return new TableEntry(source, destination, keyed, key, rowsCompared, destinationRows, chunks, chunksCompared,
                    chunksEqualByChecksum, rowsMatchedAcrossChunks, excludedColumns, where, equal, unconfirmed, missing, extra,
                    different, unlisted, correctionSql, rowsNotShown, rows);
        }
    }

    /** A table's row filter, in each side's SQL. */
    public record Where(String source, String destination) { }

    /**
     * One differing row.
     *
     * @param kind MISSING (on the destination), EXTRA (on the destination) or DIFFERENT
     * @param key the row's key by column; null for a table without a key
     * @param columns the columns that differ (DIFFERENT only)
     * @param values each differing column's value on both sides (DIFFERENT only)
     * @param row the whole row (tables without a key only)
     */
    public record Row(String kind, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> key,
                      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> columns,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Pair> values,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> row) { }

    /** A value on each side; values are numbers, booleans, texts (bytes as 0x-hex, long ones cut) or null. */
    public record Pair(Object source, Object destination) { }

    /** The same report with other tables. */
    VerificationReport withTables(List<TableEntry> other) {
        return new VerificationReport(project, tidewayVersion, source, destination, startedAt, finishedAt, equal, unconfirmed,
                inFlight, summary, rowsCompared, rowsDiffering, warnings, repair, other);
    }
}

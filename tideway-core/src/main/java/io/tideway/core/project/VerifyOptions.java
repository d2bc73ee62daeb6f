package io.tideway.core.project;

import java.util.List;

/**
 * Options of the verify step (the project file's {@code verify:} section and the options of
 * {@code tideway verify}).
 *
 * @param excludeColumns "schema.table.column" or "table.column" patterns (source names, globs
 *     {@code *} and {@code ?}) of columns left out of the comparison
 * @param throttleRowsPerSecond source rows compared per second at most; 0 = unlimited
 * @param sample the share of each keyed table's chunks compared, above 0 and at most 1
 * @param recheckRounds how many times, while an incremental step runs, rows found different are
 *     read again on both sides before they are reported
 * @param recheckIntervalMillis the wait before each of those rounds
 */
public record VerifyOptions(List<String> excludeColumns, long throttleRowsPerSecond, double sample, int recheckRounds,
                            long recheckIntervalMillis) {
    public static final VerifyOptions DEFAULT = new VerifyOptions(List.of(), 0, 1.0, 3, 2000);

    public VerifyOptions {
        excludeColumns = excludeColumns == null ? List.of() : List.copyOf(excludeColumns);
    }

    public VerifyOptions withExcludeColumns(List<String> columns) {
        return new VerifyOptions(columns, throttleRowsPerSecond, sample, recheckRounds, recheckIntervalMillis);
    }

    public VerifyOptions withThrottleRowsPerSecond(long rows) {
        return new VerifyOptions(excludeColumns, rows, sample, recheckRounds, recheckIntervalMillis);
    }

    public VerifyOptions withSample(double ratio) {
        return new VerifyOptions(excludeColumns, throttleRowsPerSecond, ratio, recheckRounds, recheckIntervalMillis);
    }
}

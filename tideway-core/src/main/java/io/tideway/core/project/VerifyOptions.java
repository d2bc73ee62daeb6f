package io.tideway.core.project;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param where row filters by "table" or "schema.table" pattern (source names, globs); a table
 *     matched by none is compared whole, and one table may be matched by one pattern only
 */
public record VerifyOptions(List<String> excludeColumns, long throttleRowsPerSecond, double sample, int recheckRounds,
                            long recheckIntervalMillis, Map<String, RowFilter> where) {
    public static final VerifyOptions DEFAULT = new VerifyOptions(List.of(), 0, 1.0, 3, 2000, Map.of());

    public VerifyOptions {
        excludeColumns = excludeColumns == null ? List.of() : List.copyOf(excludeColumns);
        where = where == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(where));
    }

    public VerifyOptions(List<String> excludeColumns, long throttleRowsPerSecond, double sample, int recheckRounds,
                         long recheckIntervalMillis) {
        this(excludeColumns, throttleRowsPerSecond, sample, recheckRounds, recheckIntervalMillis, Map.of());
    }

    public VerifyOptions withExcludeColumns(List<String> columns) {
        return new VerifyOptions(columns, throttleRowsPerSecond, sample, recheckRounds, recheckIntervalMillis, where);
    }

    public VerifyOptions withThrottleRowsPerSecond(long rows) {
        return new VerifyOptions(excludeColumns, rows, sample, recheckRounds, recheckIntervalMillis, where);
    }

    public VerifyOptions withSample(double ratio) {
        return new VerifyOptions(excludeColumns, throttleRowsPerSecond, ratio, recheckRounds, recheckIntervalMillis, where);
    }

    public VerifyOptions withWhere(Map<String, RowFilter> filters) {
        return new VerifyOptions(excludeColumns, throttleRowsPerSecond, sample, recheckRounds, recheckIntervalMillis, filters);
    }
}

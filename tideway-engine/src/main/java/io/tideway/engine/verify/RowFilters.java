package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.TablePatterns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The row filters of verification ({@code verify.where}) matched to the project's tables: each
 * pattern is "table" (of the source's default schema) or "schema.table", in source names, with
 * globs. A pattern that matches no table, or a table that two patterns match, is an error.
 */
final class RowFilters {
    private RowFilters() { }

    /**
     * @param tables the source tables compared
     * @return the filter of each table that has one
     * @throws TidewayException CONFIG_INVALID naming every pattern that matches nothing or a table matched twice
     */
    static Map<TableId, RowFilter> match(Map<String, RowFilter> where, String defaultSchema, List<TableId> tables) {
        Map<TableId, RowFilter> out = new LinkedHashMap<>();
        Map<TableId, String> by = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, RowFilter> e : where.entrySet()) {
            String pattern = e.getKey().trim();
            String full = TablePatterns.parts(pattern).size() < 2 ? TablePatterns.quoteIfNeeded(defaultSchema) + "." + pattern : pattern;
            Pattern[] p = TablePatterns.compile(full);
            boolean hit = false;
            for (TableId t : tables) {
                if (p[0].matcher(t.schema()).matches() && p[1].matcher(t.table()).matches()) {
                    hit = true;
                    String before = by.putIfAbsent(t, pattern);
                    if (before != null) {
                        problems.add("table " + t + " is matched by both '" + before + "' and '" + pattern
                                + "'; give each table one condition");
                    } else {
                        out.put(t, e.getValue());
                    }
                }
            }
            if (!hit) {
                problems.add("'" + pattern + "' matches no table of the project (names are the source's: table or schema.table)");
            }
        }
        if (!problems.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.where: " + String.join("; ", problems));
        }
        return out;
    }
}

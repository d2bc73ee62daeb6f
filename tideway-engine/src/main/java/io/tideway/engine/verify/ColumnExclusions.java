package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Columns left out of verification: "table.column" (a table of the source's default schema) or
 * "schema.table.column", in source names, each part a glob ({@code *} any run of characters,
 * {@code ?} one).
 */
final class ColumnExclusions {
    private record Rule(String text, Pattern schema, Pattern table, Pattern column) { }

    private final List<Rule> rules = new ArrayList<>();
    private final Set<String> used = new LinkedHashSet<>();

    private ColumnExclusions() { }

    /** Fails with CONFIG_INVALID naming every pattern that is not table.column or schema.table.column. */
    static ColumnExclusions parse(List<String> specs, String defaultSchema) {
        ColumnExclusions out = new ColumnExclusions();
        List<String> bad = new ArrayList<>();
        for (String spec : specs) {
            String[] p = spec.trim().split("\\.", -1);
            boolean empty = false;
            for (String part : p) {
                empty |= part.isEmpty();
            }
            if (p.length < 2 || p.length > 3 || empty) {
                bad.add("'" + spec + "'");
                continue;
            }
            String schema = p.length == 3 ? p[0] : defaultSchema;
            out.rules.add(new Rule(spec, glob(schema), glob(p[p.length - 2]), glob(p[p.length - 1])));
        }
        if (!bad.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.exclude-columns: " + String.join(", ", bad)
                    + " should be table.column or schema.table.column (source names; * and ? match any characters)");
        }
        return out;
    }

    boolean excludes(TableId table, String column) {
        boolean hit = false;
        for (Rule r : rules) {
            if (r.schema.matcher(table.schema()).matches() && r.table.matcher(table.table()).matches()
                    && r.column.matcher(column).matches()) {
                synchronized (used) {
                    used.add(r.text);
                }
                hit = true;
            }
        }
        return hit;
    }

    /** Patterns that matched no column of the tables seen so far. */
    List<String> unused() {
        synchronized (used) {
            return rules.stream().map(Rule::text).filter(t -> !used.contains(t)).toList();
        }
    }

    private static Pattern glob(String g) {
        return io.tideway.core.project.TablePatterns.glob(g);
    }
}

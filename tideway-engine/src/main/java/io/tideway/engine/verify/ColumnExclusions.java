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
 * {@code ?} one) or a name in double quotes (see {@link io.tideway.core.project.TablePatterns}).
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
            String[] p;
            try {
                p = io.tideway.core.project.TablePatterns.parts(spec.trim()).toArray(new String[0]);
            } catch (IllegalArgumentException e) {
                p = new String[0];
            }
            boolean empty = false;
            for (String part : p) {
                empty |= part.isEmpty();
            }
            if (p.length < 2 || p.length > 3 || empty) {
                bad.add("'" + spec + "'");
                continue;
            }
            Pattern schema = p.length == 3 ? glob(p[0]) : Pattern.compile(Pattern.quote(defaultSchema));
            out.rules.add(new Rule(spec, schema, glob(p[p.length - 2]), glob(p[p.length - 1])));
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

    private static Pattern glob(String part) {
        return io.tideway.core.project.TablePatterns.part(part);
    }
}

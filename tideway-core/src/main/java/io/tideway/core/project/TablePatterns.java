package io.tideway.core.project;

import io.tideway.core.model.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A project's table selection as patterns: "schema.table" globs where {@code *} matches any run of
 * characters and {@code ?} one character, matched case-sensitively against whole names. A table
 * is selected when an include pattern matches it and no exclude pattern does. Used where tables
 * must be judged that did not exist when the project started (created or renamed on the source).
 * Include and exclude patterns are "schema.table", each with its schema written out.
 */
public final class TablePatterns {
    private final List<String> include;
    private final List<String> exclude;
    private final List<Pattern[]> includeCompiled;
    private final List<Pattern[]> excludeCompiled;

    public TablePatterns(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.includeCompiled = this.include.stream().map(TablePatterns::compile).toList();
        this.excludeCompiled = this.exclude.stream().map(TablePatterns::compile).toList();
    }

    public List<String> include() {
        return include;
    }

    public List<String> exclude() {
        return exclude;
    }

    /** A "schema.table" pattern as [schema glob, table glob]. */
    public static Pattern[] compile(String pattern) {
        return new Pattern[] {glob(schemaPart(pattern)), glob(tablePart(pattern))};
    }

    /**
     * The patterns of a selection; a pattern without a dot names tables of {@code defaultSchema},
     * and an empty include list means every table of it.
     */
    public static TablePatterns of(TableSelection sel, String defaultSchema) {
        List<String> inc = new ArrayList<>();
        for (String p : sel.include().isEmpty() ? List.of(defaultSchema + ".*") : sel.include()) {
            inc.add(p.indexOf('.') < 0 ? defaultSchema + "." + p : p);
        }
        List<String> exc = new ArrayList<>();
        for (String p : sel.exclude()) {
            exc.add(p.indexOf('.') < 0 ? defaultSchema + "." + p : p);
        }
        return new TablePatterns(inc, exc);
    }

    /**
     * Whether the table is selected: matched by an include pattern and by no exclude pattern. Tideway's
     * own tables ({@link TidewayTables}) are never selected.
     */
    public boolean selects(TableId id) {
        if (TidewayTables.isOwn(id)) {
            return false;
        }
        return matchesAny(includeCompiled, id) && !matchesAny(excludeCompiled, id);
    }

    /** Whether some include pattern's schema part matches {@code schema}. */
    public boolean coversSchema(String schema) {
        for (Pattern[] p : includeCompiled) {
            if (p[0].matcher(schema).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The schema part of a "schema.table" pattern (up to the first dot). */
    public static String schemaPart(String pattern) {
        int dot = pattern.indexOf('.');
        return dot < 0 ? pattern : pattern.substring(0, dot);
    }

    /** The table part of a "schema.table" pattern (after the first dot). */
    public static String tablePart(String pattern) {
        int dot = pattern.indexOf('.');
        return dot < 0 ? pattern : pattern.substring(dot + 1);
    }

    private static boolean matchesAny(List<Pattern[]> patterns, TableId id) {
        for (Pattern[] p : patterns) {
            if (p[0].matcher(id.schema()).matches() && p[1].matcher(id.table()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A glob as a regular expression matching whole names; every other character is literal. */
    public static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char ch : g.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public String toString() {
        return "include " + include + ", exclude " + exclude;
    }
}

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
 *
 * <p>A name holding a dot (or starting with a double quote) is written as SQL writes identifiers:
 * the whole part in double quotes, a double quote inside doubled, e.g. {@code "Quoted_"" . Schema".*}
 * for the tables of schema {@code Quoted_" . Schema}. A quoted part is an exact name ({@code *} and
 * {@code ?} in it are plain characters); an unquoted part is a glob as above, in which a double quote
 * not at its start is a plain character. The same form serves every dotted name of a project file
 * (rename keys, verify.where, verify.exclude-columns), see {@link #parts}.
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
        List<String> parts = parts(pattern);
        if (parts.size() < 2) {
            return new Pattern[] {part(pattern), part(pattern)};
        }
        StringBuilder table = new StringBuilder();
        for (int i = 1; i < parts.size(); i++) {
            table.append(i == 1 ? "" : Pattern.quote(".")).append(part(parts.get(i)).pattern());
        }
        return new Pattern[] {part(parts.get(0)), Pattern.compile(table.toString())};
    }

    /**
     * The parts of a dotted name or pattern ("schema.table", "schema.table.column"), split at each dot
     * outside a quoted part, each as written (a quoted part with its quotes; see {@link #unquote}).
     *
     * @throws IllegalArgumentException naming the problem, for an unclosed quote or text after the
     *     closing quote of a part
     */
    public static List<String> parts(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (true) {
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw new IllegalArgumentException("the double quote at " + (start + 1) + " is not closed");
                    }
                    if (s.charAt(i) == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
                if (i < s.length() && s.charAt(i) != '.') {
                    throw new IllegalArgumentException("text follows the quoted name " + s.substring(start, i)
                            + " (quote the whole part, doubling a double quote inside it)");
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.') {
                    i++;
                }
            }
            out.add(s.substring(start, i));
            if (i >= s.length()) {
                return out;
            }
            start = ++i;
        }
    }

    /** The name a part stands for: a quoted part without its quotes and with doubled quotes single; another as it is. */
    public static String unquote(String part) {
        if (part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"")) {
            return part.substring(1, part.length() - 1).replace("\"\"", "\"");
        }
        return part;
    }

    /** A name as one part of a pattern or key: quoted when it holds a dot or starts with a double quote. */
    public static String quoteIfNeeded(String name) {
        return name.indexOf('.') >= 0 || name.startsWith("\"") ? "\"" + name.replace("\"", "\"\"") + "\"" : name;
    }

    /** A table's name as a project file writes it ("schema.table", with parts quoted as needed). */
    public static String nameOf(TableId id) {
        return quoteIfNeeded(id.schema()) + "." + quoteIfNeeded(id.table());
    }

    /** One part of a pattern as a regular expression: a quoted part matches its exact name, another is a glob. */
    public static Pattern part(String part) {
        return part.startsWith("\"") ? Pattern.compile(Pattern.quote(unquote(part))) : glob(part);
    }

    /** Whether a pattern or name names its schema (has a dot outside quotes). */
    private static boolean hasSchema(String pattern) {
        return parts(pattern).size() > 1;
    }

    /**
     * The patterns of a selection; a pattern without a dot names tables of {@code defaultSchema},
     * and an empty include list means every table of it.
     */
    public static TablePatterns of(TableSelection sel, String defaultSchema) {
        List<String> inc = new ArrayList<>();
        for (String p : sel.include().isEmpty() ? List.of(quoteIfNeeded(defaultSchema) + ".*") : sel.include()) {
            inc.add(hasSchema(p) ? p : quoteIfNeeded(defaultSchema) + "." + p);
        }
        List<String> exc = new ArrayList<>();
        for (String p : sel.exclude()) {
            exc.add(hasSchema(p) ? p : quoteIfNeeded(defaultSchema) + "." + p);
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

    /**
     * The schema part of a "schema.table" pattern (up to the first dot outside quotes) as a glob: a
     * quoted part as its name, whose {@code *} and {@code ?} a glob would take as wildcards.
     */
    public static String schemaPart(String pattern) {
        return unquote(parts(pattern).get(0));
    }

    /** The table part of a "schema.table" pattern (after the first dot outside quotes) as a glob, as {@link #schemaPart}. */
    public static String tablePart(String pattern) {
        List<String> parts = parts(pattern);
        if (parts.size() < 2) {
            return unquote(pattern);
        }
        return String.join(".", parts.subList(1, parts.size()).stream().map(TablePatterns::unquote).toList());
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

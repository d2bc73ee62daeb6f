package io.tideway.core.project;

/**
 * A row filter of verification: the rows of one table (or of the tables a pattern matches) that
 * are compared, as a SQL boolean condition of each side's own dialect, written by the DBA in the
 * project file or on the command line (as with {@code mysqldump --where}). Only rows for which
 * the condition is true on their side are compared, and only those are corrected.
 *
 * <p>The condition is the DBA's own SQL and runs with the privileges of the project's database
 * users; it is put in parentheses after the key-range conditions of Tideway's own queries. So
 * that a typing slip cannot change what those queries do, {@link #problem} refuses a condition
 * with a ';', a comment, an unbalanced parenthesis or an unterminated quote.
 *
 * @param source the condition on the source table (source column names)
 * @param destination the condition on the destination table (destination column names, after renames);
 *     the source's when not given
 */
public record RowFilter(String source, String destination) {
    public RowFilter {
        source = source == null ? null : source.strip();
        destination = destination == null || destination.isBlank() ? source : destination.strip();
    }

    /** The same condition on both sides. */
    public static RowFilter of(String condition) {
        return new RowFilter(condition, null);
    }

    /**
     * Why {@code condition} cannot be used as a row filter, or null when it can: it must not be
     * empty, and outside its quoted strings and identifiers it must have no ';', no comment
     * ({@code --}, {@code #}, slash-star) and balanced parentheses.
     */
    public static String problem(String condition) {
        if (condition == null || condition.isBlank()) {
            return "the condition is empty; expected a SQL boolean condition such as created_at >= '2024-01-01'";
        }
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < condition.length(); i++) {
            char ch = condition.charAt(i);
            if (quote != 0) {
                if (ch == '\\' && quote == '\'' && i + 1 < condition.length()) {
                    i++;          // MySQL's backslash escape; in PostgreSQL a doubled quote follows the same path
                } else if (ch == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (ch) {
                case '\'', '"', '`' -> quote = ch;
                case '(' -> depth++;
                case ')' -> {
                    if (--depth < 0) {
                        return "a ')' closes a parenthesis the condition did not open";
                    }
                }
                case ';' -> {
                    return "';' is not allowed: the condition is one SQL boolean expression, not a statement";
                }
                case '#' -> {
                    return "'#' is not allowed (a comment in the MySQL family); write the condition without comments";
                }
                case '-', '/' -> {
                    if (i + 1 < condition.length() && condition.charAt(i + 1) == (ch == '-' ? '-' : '*')) {
                        return "comments are not allowed in the condition";
                    }
                }
                default -> { }
            }
        }
        if (quote != 0) {
            return "a quoted string or name is not closed (" + quote + ")";
        }
        if (depth != 0) {
            return depth + " parenthesis" + (depth == 1 ? " is" : "es are") + " not closed";
        }
        return null;
    }
}

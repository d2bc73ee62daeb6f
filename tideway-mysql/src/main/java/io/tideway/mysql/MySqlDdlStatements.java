package io.tideway.mysql;

import io.tideway.core.change.DdlStatement;
import io.tideway.core.model.TableId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a MySQL-family DDL statement, as the binlog carries it, says about tables, columns and
 * indexes, where the catalog alone cannot tell (which table a renamed one was, which column a
 * statement changed in place). Only what the Connector needs; anything else reads as nothing.
 */
final class MySqlDdlStatements {
    private static final String IDENT = "(?:`(?:[^`]|``)+`|[\\w$]+)";
    private static final String QUALIFIED = IDENT + "(?:\\s*\\.\\s*" + IDENT + ")?";
    private static final Pattern COLUMN_CHANGE = Pattern.compile(
            "(?i)\\b(MODIFY|CHANGE|ALTER)\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?(" + IDENT + ")(?:\\s+(" + IDENT + "))?");
    private static final Pattern INDEX_DROP = Pattern.compile(
            "(?i)\\bDROP\\s+(?:INDEX|KEY)\\s+(?:IF\\s+EXISTS\\s+)?(" + IDENT + ")");
    private static final Pattern RENAME_TABLE = Pattern.compile("(?is)^\\s*RENAME\\s+TABLES?\\s+(.*)$");
    private static final Pattern RENAME_PAIR = Pattern.compile(
            "(?is)^\\s*(?:IF\\s+EXISTS\\s+)?(" + QUALIFIED + ")\\s+(?:WAIT\\s+\\d+\\s+|NOWAIT\\s+)?TO\\s+(" + QUALIFIED + ")\\s*$");
    private static final Pattern ALTER_TABLE = Pattern.compile(
            "(?is)^\\s*ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE\\s+(?:IF\\s+EXISTS\\s+)?(" + QUALIFIED + ")(.*)$");
    private static final Pattern ALTER_RENAME = Pattern.compile(
            "(?i)(?:^|,)\\s*RENAME\\s+(?:TO\\s+|AS\\s+)?(" + QUALIFIED + ")");
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?TABLE\\s+.*");
    private static final Pattern DROP_TABLE = Pattern.compile("(?is)^\\s*DROP\\s+TABLES?\\s+.*");
    private static final Set<String> NOT_A_NAME = Set.of("COLUMN", "INDEX", "KEY", "CONSTRAINT", "PARTITION");

    private MySqlDdlStatements() { }

    /** The statement read once, as the engine asks for it ({@link MySqlDialect#parseDdl}). */
    static DdlStatement parse(String ddl, String schema) {
        if (ddl == null) {
            return DdlStatement.NONE;
        }
        return new DdlStatement(columnsChanged(ddl), indexesDropped(ddl), renames(ddl, schema), createsTable(ddl),
                replacesTable(ddl), dropsTable(ddl));
    }

    /** The columns a statement changes in place: MODIFY c, CHANGE old new (both), ALTER [COLUMN] c. */
    static Set<String> columnsChanged(String ddl) {
        Set<String> out = new LinkedHashSet<>();
        if (ddl == null) {
            return out;
        }
        Matcher m = COLUMN_CHANGE.matcher(ddl);
        while (m.find()) {
            String verb = m.group(1).toUpperCase(Locale.ROOT);
            String first = unquote(m.group(2));
            if (verb.equals("ALTER") && (first.equalsIgnoreCase("TABLE") || first.equalsIgnoreCase("ONLINE")
                    || first.equalsIgnoreCase("IGNORE") || first.equalsIgnoreCase("INDEX"))) {
                continue;
            }
            out.add(first);
            if (verb.equals("CHANGE") && m.group(3) != null) {
                out.add(unquote(m.group(3)));
            }
        }
        return out;
    }

    /** The indexes a statement drops by name: DROP INDEX i [ON t], ALTER TABLE t DROP INDEX|KEY i. */
    static Set<String> indexesDropped(String ddl) {
        Set<String> out = new LinkedHashSet<>();
        if (ddl != null) {
            Matcher m = INDEX_DROP.matcher(ddl);
            while (m.find()) {
                out.add(unquote(m.group(1)));
            }
        }
        return out;
    }

    /**
     * The tables a statement renames, as [from, to] pairs in order: RENAME TABLE a TO b[, c TO d],
     * ALTER TABLE a RENAME [TO|AS] b. Unqualified names are taken to be in {@code schema}.
     */
    static List<DdlStatement.Rename> renames(String ddl, String schema) {
        List<DdlStatement.Rename> out = new ArrayList<>();
        if (ddl == null) {
            return out;
        }
        Matcher r = RENAME_TABLE.matcher(ddl);
        if (r.matches()) {
            for (String pair : splitOutsideQuotes(r.group(1))) {
                Matcher p = RENAME_PAIR.matcher(pair);
                if (p.matches()) {
                    out.add(new DdlStatement.Rename(tableId(p.group(1), schema), tableId(p.group(2), schema)));
                }
            }
            return out;
        }
        Matcher a = ALTER_TABLE.matcher(ddl);
        if (a.matches()) {
            TableId from = tableId(a.group(1), schema);
            for (String clause : splitOutsideQuotes(a.group(2))) {
                Matcher p = ALTER_RENAME.matcher(clause);
                if (p.find() && !NOT_A_NAME.contains(p.group(1).toUpperCase(Locale.ROOT))) {
                    out.add(new DdlStatement.Rename(from, tableId(p.group(1), schema)));
                }
            }
        }
        return out;
    }

    /** CREATE [OR REPLACE] TABLE (not TEMPORARY: the binlog does not carry those in row format). */
    static boolean createsTable(String ddl) {
        return ddl != null && CREATE_TABLE.matcher(ddl).matches();
    }

    /** CREATE OR REPLACE TABLE: a table that may have existed is dropped first. */
    static boolean replacesTable(String ddl) {
        if (ddl == null) {
            return false;
        }
        Matcher m = CREATE_TABLE.matcher(ddl);
        return m.matches() && m.group(1) != null;
    }

    /** DROP TABLE[S] (not TEMPORARY). */
    static boolean dropsTable(String ddl) {
        return ddl != null && DROP_TABLE.matcher(ddl).matches();
    }

    static String unquote(String identifier) {
        String s = identifier.trim();
        return s.startsWith("`") ? s.substring(1, s.length() - 1).replace("``", "`") : s;
    }

    /** "db.t", "`db`.`t`" or "t" (in {@code schema}). */
    static TableId tableId(String qualified, String schema) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        String s = qualified.trim();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '`') {
                if (quoted && i + 1 < s.length() && s.charAt(i + 1) == '`') {
                    cur.append('`');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == '.' && !quoted) {
                parts.add(cur.toString().trim());
                cur.setLength(0);
            } else if (quoted || !Character.isWhitespace(c)) {
                cur.append(c);
            }
        }
        parts.add(cur.toString().trim());
        return parts.size() >= 2 ? new TableId(parts.get(0), parts.get(parts.size() - 1)) : new TableId(schema, parts.get(0));
    }

    /** Splits at commas outside backquotes, quotes and parentheses. */
    private static List<String> splitOutsideQuotes(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '`' || c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }
}

package io.tideway.mysql.capture;

import io.debezium.relational.Table;
import io.debezium.relational.history.TableChanges;
import io.debezium.relational.history.TableChanges.TableChange;
import io.tideway.core.model.TableId;
import java.util.ArrayList;
import java.util.List;

/**
 * Table ids as the binlog connector spells them in its schema history and its schema change
 * records ({@code "db"."table"}), for names that hold quote characters.
 *
 * <p>The connector writes a name part inside double quotes with inner double quotes doubled, but
 * leaves a part that begins or ends with a double quote as it is, and its reader turns every pair
 * of single quotes, double quotes and backticks into one, whichever quote encloses the part. So a
 * table named {@code "lead}, {@code tail"}, {@code a''b} or {@code a``b} written to the history
 * cannot be read back after a restart (the capture fails, or restores another table), and neither
 * can any table of the same database. {@link #readable} spells such parts so that the reader gives
 * back the name; {@link #candidates} reads the connector's own spelling.
 */
final class ConnectorTableIds {
    private ConnectorTableIds() { }

    /**
     * {@code changes} with every id the history's reader would not give back as it is replaced by
     * one it does (the same tables, columns and keys); {@code changes} itself when there is none.
     */
    static TableChanges readable(TableChanges changes) {
        if (changes == null) {
            return null;
        }
        boolean any = false;
        for (TableChange c : changes) {
            any |= needsSpelling(c.getId()) || needsSpelling(c.getPreviousId());
        }
        if (!any) {
            return changes;
        }
        TableChanges out = new TableChanges();
        for (TableChange c : changes) {
            switch (c.getType()) {
                case CREATE -> out.create(withId(c.getTable()));
                case ALTER -> {
                    if (c.getPreviousId() == null) {
                        out.alter(withId(c.getTable()));
                    } else {
                        out.rename(withId(c.getTable()), readable(c.getPreviousId()));
                    }
                }
                case DROP -> out.drop(readable(c.getId()));
                default -> throw new IllegalStateException("unknown table change " + c.getType());
            }
        }
        return out;
    }

    private static Table withId(Table t) {
        return t.edit().tableId(readable(t.id())).addAttributes(t.attributes()).create();
    }

    private static boolean needsSpelling(io.debezium.relational.TableId id) {
        return id != null && (needsSpelling(id.catalog()) || needsSpelling(id.schema()) || needsSpelling(id.table()));
    }

    private static boolean needsSpelling(String part) {
        return part != null && (part.indexOf('"') >= 0 || part.indexOf('\'') >= 0 || part.indexOf('`') >= 0);
    }

    /** An id whose double-quoted spelling the history's reader parses back into {@code id}. */
    static io.debezium.relational.TableId readable(io.debezium.relational.TableId id) {
        if (!needsSpelling(id)) {
            return id;
        }
        return new io.debezium.relational.TableId(readable(id.catalog()), readable(id.schema()), readable(id.table()));
    }

    /**
     * The part inside double quotes with each quote character doubled, in the reverse order of the
     * reader's un-doubling (single quotes, then double quotes, then backticks); beginning and ending
     * with a double quote, it is written as it is.
     */
    private static String readable(String part) {
        if (!needsSpelling(part)) {
            return part;
        }
        return '"' + part.replace("`", "``").replace("\"", "\"\"").replace("'", "''") + '"';
    }

    /**
     * The tables {@code spelled} (the connector's {@code "db"."table"}) may stand for, the usual
     * reading first: each part either inside double quotes with inner ones doubled, or, when it
     * begins or ends with a double quote, as it is.
     */
    static List<TableId> candidates(String spelled) {
        List<TableId> out = new ArrayList<>();
        for (int dot = spelled.indexOf('.'); dot >= 0; dot = spelled.indexOf('.', dot + 1)) {
            for (String db : parts(spelled.substring(0, dot))) {
                for (String table : parts(spelled.substring(dot + 1))) {
                    TableId t = new TableId(db, table);
                    if (!out.contains(t)) {
                        out.add(t);
                    }
                }
            }
        }
        return out;
    }

    /** The names a part spelled by the connector may stand for. */
    private static List<String> parts(String p) {
        List<String> out = new ArrayList<>(2);
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            String inner = p.substring(1, p.length() - 1);
            String name = inner.replace("\"\"", "\"");
            if (!name.isEmpty() && name.replace("\"", "\"\"").equals(inner) && !name.startsWith("\"") && !name.endsWith("\"")) {
                out.add(name);
            }
        }
        if (!p.isEmpty() && (p.startsWith("\"") || p.endsWith("\""))) {
            out.add(p);
        }
        if (!p.isEmpty() && p.indexOf('"') < 0) {
            out.add(p);   // unquoted, as "db.t" reads
        }
        return out;
    }
}

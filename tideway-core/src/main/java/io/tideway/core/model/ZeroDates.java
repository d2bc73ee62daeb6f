package io.tideway.core.model;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a MySQL zero date becomes on its way to the destination: a DATE, DATETIME or TIMESTAMP
 * value whose month or day is zero ('0000-00-00', '2020-00-15', '0000-00-00 00:00:00'), which
 * MySQL-family databases store when the session's sql_mode allows it and no other database
 * stores at all. The project file's {@code full.zero-dates} chooses; the full copy, the
 * incremental apply and the verification use the same choice.
 *
 * @param mode what happens to a zero date
 * @param replacement the date ("yyyy-MM-dd") a zero date becomes in {@link Mode#REPLACE}, else null
 */
public record ZeroDates(Mode mode, String replacement) {

    /** The choices. */
    public enum Mode {
        /** Keep between MySQL-family databases, NULL across families (the project file leaves it out). */
        DEFAULT,
        /** Carried verbatim: only a MySQL-family destination stores it. */
        KEEP,
        /** NULL, where the column is nullable; a NOT NULL column stops the copy naming it. */
        NULL,
        /** Stops the copy naming table, column and value. */
        FAIL,
        /** {@link #replacement}, at midnight for DATETIME and TIMESTAMP columns. */
        REPLACE
    }

    public static final ZeroDates DEFAULT = new ZeroDates(Mode.DEFAULT, null);
    public static final ZeroDates KEEP = new ZeroDates(Mode.KEEP, null);
    public static final ZeroDates NULL = new ZeroDates(Mode.NULL, null);
    public static final ZeroDates FAIL = new ZeroDates(Mode.FAIL, null);

    /** The choices as a DBA writes them, for messages. */
    public static final String CHOICES = "full.zero-dates: fail (stop), null (NULL, nullable columns only), keep (verbatim,"
            + " MySQL-family destinations only) or a replacement date such as 0001-01-01 or 1970-01-01";

    public ZeroDates {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.REPLACE) != (replacement != null)) {
            throw new IllegalArgumentException("a replacement date goes with mode REPLACE, and only with it");
        }
    }

    /** A zero date becomes {@code date} ("yyyy-MM-dd", a real date). */
    public static ZeroDates replaceWith(String date) {
        return new ZeroDates(Mode.REPLACE, date);
    }

    /**
     * Reads the project file's spelling: keep, null, fail or a date "yyyy-MM-dd".
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static ZeroDates parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "keep":
                return KEEP;
            case "null":
                return NULL;
            case "fail":
                return FAIL;
            default:
                break;
        }
        if (!t.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("expected keep, null, fail or a replacement date yyyy-MM-dd (e.g. 0001-01-01),"
                    + " got '" + text + "'");
        }
        try {
            LocalDate d = LocalDate.parse(t);
            if (d.getYear() < 1) {
                throw new IllegalArgumentException("the replacement date '" + text + "' is before year 1");
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the replacement date '" + text + "' is not a date");
        }
        return replaceWith(t);
    }

    /** The project file's spelling; null for {@link Mode#DEFAULT}, which a file leaves out. */
    public String text() {
        return switch (mode) {
            case DEFAULT -> null;
            case REPLACE -> replacement;
            default -> mode.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The choice in force: {@link Mode#DEFAULT} is KEEP between MySQL-family databases, NULL otherwise. */
    public ZeroDates resolve(boolean mySqlFamilyToMySqlFamily) {
        if (mode != Mode.DEFAULT) {
            return this;
        }
        return mySqlFamilyToMySqlFamily ? KEEP : NULL;
    }

    /** Whether {@code kind} may hold a zero date. */
    public static boolean applies(ColumnType.Kind kind) {
        return kind == ColumnType.Kind.DATE || kind == ColumnType.Kind.DATETIME || kind == ColumnType.Kind.TIMESTAMP;
    }

    /** Whether a canonical DATE/DATETIME/TIMESTAMP text ("yyyy-MM-dd[ ...]") has a zero month or day. */
    public static boolean isZero(String s) {
        return s.length() >= 10 && s.charAt(4) == '-' && s.charAt(7) == '-'
                && ((s.charAt(5) == '0' && s.charAt(6) == '0') || (s.charAt(8) == '0' && s.charAt(9) == '0'));
    }

    /** The replacement as a value of {@code kind}: the date, or the date at midnight. */
    private String replacementFor(ColumnType.Kind kind) {
        return kind == ColumnType.Kind.DATE ? replacement : replacement + " 00:00:00";
    }

    /** Whether {@code col}'s default is a literal zero date. */
    public static boolean hasZeroDefault(Column col) {
        ColumnDefault d = col.defaultValue();
        return d != null && d.kind() == ColumnDefault.Kind.LITERAL && d.value() != null && applies(col.type().kind())
                && isZero(d.value());
    }

    /**
     * {@code col} with a zero-date default made what this choice makes a zero date: dropped (NULL),
     * the replacement (REPLACE); left as it is otherwise (KEEP, and FAIL, which the destination's
     * plan refuses where it cannot store it).
     */
    public Column mapDefault(Column col) {
        if (!hasZeroDefault(col) || (mode != Mode.NULL && mode != Mode.REPLACE)) {
            return col;
        }
        ColumnDefault d = mode == Mode.NULL ? null : ColumnDefault.literal(replacementFor(col.type().kind()));
        return new Column(col.name(), col.type(), col.nullable(), d, col.autoIncrement(), col.comment());
    }

    /**
     * The value a zero date {@code s} of column {@code col} becomes (the value itself when it is no
     * zero date).
     *
     * @param warnings told of each zero date turned into NULL or the replacement, in words that name
     *     the table and column but not the value (so that a caller may tell each once)
     * @throws TidewayException DATA_INVALID naming table, column, value and the choices, in mode
     *     FAIL, and in mode NULL for a NOT NULL column
     */
    public Object apply(String s, Column col, TableId table, Consumer<String> warnings) {
        if (s == null || !isZero(s)) {
            return s;
        }
        switch (mode) {
            case KEEP:
            case DEFAULT:
                return s;
            case REPLACE: {
                String v = replacementFor(col.type().kind());
                warnings.accept("table " + table + ", column " + col.name() + ": zero dates written as " + v);
                return v;
            }
            case NULL:
                if (col.nullable()) {
                    warnings.accept("table " + table + ", column " + col.name() + ": zero dates written as NULL");
                    return null;
                }
                throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + col.name()
                        + " (NOT NULL): zero date '" + s + "' cannot become NULL; set " + CHOICES);
            default:
                throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + col.name()
                        + ": zero date '" + s + "' (full.zero-dates is fail); set " + CHOICES + ", or fix the row");
        }
    }
}

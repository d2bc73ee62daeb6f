package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.function.Function;

/**
 * Values between PostgreSQL and Tideway's canonical forms.
 *
 * <p>Reading: each column is selected by an expression that makes the server produce a stable text
 * where the canonical form is a string (temporal types as ::text under DateStyle ISO, timestamptz
 * as {@code AT TIME ZONE 'UTC'}, arrays as {@code array_to_json}); numbers, booleans and bytea are
 * read with their typed getters. char(n) is read without its trailing pad spaces (bpchar::text), which
 * PostgreSQL treats as insignificant and the MySQL family strips as well, so both families agree on
 * the value; writing it back into char(n) pads it again. interval is read in the sql_standard style and turned into the
 * TIME canonical "[-]H:mm:ss[.f]" (days become 24 hours; an interval with months or years has no
 * TIME equivalent and fails with DATA_INVALID). numeric NaN/Infinity have no DECIMAL equivalent
 * and fail with DATA_INVALID naming the column (the fix is to exclude or update those rows).
 * date/timestamp 'infinity' and BC values are carried as PostgreSQL's own text, which a
 * PostgreSQL destination accepts and other destinations reject.
 *
 * <p>Verbatim (the other end is PostgreSQL too, see {@link PostgresDialect#withPeer}): arrays are read
 * as PostgreSQL's own array text ({@code [0:2]={1,2,3}}: lower bounds and element texts such as
 * hstore's kept), numeric NaN/Infinity/-Infinity as that text (a String where the kind's canonical
 * value is a BigDecimal), and an interval with years or months as its sql_standard text.
 *
 * <p>Writing: a canonical value becomes PostgreSQL's text input form ({@link #text}; an array value
 * that is already PostgreSQL array text, rather than a JSON array, is taken as it is); parameters
 * are sent untyped so the server types each from the column it is compared with or assigned to
 * (the same effect as casting the parameter to the column's type, whatever family's type
 * spelling the {@code Table} carries).
 */
final class PostgresValues {
    private PostgresValues() { }

    /** The SELECT expression for a column (qualified by nothing). */
    static String selectExpr(Column c, Function<String, String> quote, boolean verbatim) {
        String q = quote.apply(c.name());
        return switch (c.type().kind()) {
            case TIMESTAMP -> "(" + q + " AT TIME ZONE 'UTC')::text";
            case CHAR, DECIMAL, UINT64, DATE, DATETIME, TIME_OF_DAY, TIME, BIT, UUID, ENUM, JSON, SET, OTHER -> q + "::text";
            case ARRAY -> verbatim ? q + "::text" : "array_to_json(" + q + ")::text";
            default -> q;
        };
    }

    /** Reads column {@code i} (1-based) of the current row in canonical form, or verbatim (see the class comment). */
    static Object read(ResultSet rs, int i, Column c, TableId table, boolean verbatim) throws SQLException {
        switch (c.type().kind()) {
            case BOOLEAN: {
                boolean b = rs.getBoolean(i);
                return rs.wasNull() ? null : b;
            }
            case INT8: case INT16: case INT32: case INT64: case UINT8: case UINT16: case UINT32: case YEAR: {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            }
            case UINT64: {
                String s = rs.getString(i);
                if (s == null) {
                    return null;
                }
                BigInteger v = new BigDecimal(s).toBigIntegerExact();
                return v.bitLength() < 64 ? (Object) v.longValue() : v;
            }
            case DECIMAL: {
                String s = rs.getString(i);
                if (s == null) {
                    return null;
                }
                if (isSpecialNumeric(s)) {
                    if (verbatim) {
                        return s;
                    }
                    throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                            + ": numeric value " + s + " has no decimal equivalent (exclude or update those rows)");
                }
                return new BigDecimal(s);
            }
            case FLOAT32: {
                float v = rs.getFloat(i);
                return rs.wasNull() ? null : v;
            }
            case FLOAT64: {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case BINARY: case VARBINARY: case BLOB:
                return rs.getBytes(i);
            case TIME: {
                String s = rs.getString(i);
                return s == null ? null : verbatim && hasYearsOrMonths(s) ? s : intervalToTime(s, table, c);
            }
            default:
                return rs.getString(i);
        }
    }

    /** Whether a numeric's text is NaN, Infinity or -Infinity, which no DECIMAL holds. */
    static boolean isSpecialNumeric(String s) {
        char f = s.isEmpty() ? ' ' : s.charAt(0);
        return f == 'N' || f == 'I' || (f == '-' && s.length() > 1 && s.charAt(1) == 'I');
    }

    /** Whether an interval in the sql_standard output style has a years-months part other than 0-0. */
    static boolean hasYearsOrMonths(String s) {
        for (String tok : s.trim().split("\\s+")) {
            String t = tok.startsWith("-") || tok.startsWith("+") ? tok.substring(1) : tok;
            if (t.indexOf('-') > 0 && !t.matches("0+-0+")) {
                return true;
            }
        }
        return false;
    }

    /**
     * An interval in the sql_standard output style ("-838:59:59.000001", "3 4:05:06", "-1-2 +3 -4:05:06")
     * as the TIME canonical "[-]H:mm:ss[.ffffff]".
     */
    static String intervalToTime(String s, TableId table, Column c) {
        String[] tok = s.trim().split("\\s+");
        if (tok.length == 1 && tok[0].indexOf(':') > 0) {
            return tok[0];
        }
        boolean mixed = false;
        for (int k = 1; k < tok.length; k++) {
            if (tok[k].startsWith("+") || tok[k].startsWith("-")) {
                mixed = true;
            }
        }
        boolean allNegative = !mixed && tok[0].startsWith("-");
        long seconds = 0;
        long micros = 0;
        for (String raw : tok) {
            boolean neg = raw.startsWith("-");
            String t = raw.startsWith("-") || raw.startsWith("+") ? raw.substring(1) : raw;
            if (t.indexOf('-') > 0) {
                String[] ym = t.split("-");
                if (Long.parseLong(ym[0]) != 0 || Long.parseLong(ym[1]) != 0) {
                    throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                            + ": interval '" + s + "' holds years or months, which have no fixed length in hours");
                }
                continue;
            }
            int sign = (neg || allNegative) ? -1 : 1;
            if (t.indexOf(':') > 0) {
                String[] hms = t.split(":");
                long h = Long.parseLong(hms[0]);
                long m = Long.parseLong(hms[1]);
                String sec = hms.length > 2 ? hms[2] : "0";
                int dot = sec.indexOf('.');
                long whole = Long.parseLong(dot < 0 ? sec : sec.substring(0, dot));
                long frac = 0;
                if (dot >= 0) {
                    String fs = (sec.substring(dot + 1) + "000000").substring(0, 6);
                    frac = Long.parseLong(fs);
                }
                seconds += sign * (h * 3600 + m * 60 + whole);
                micros += sign * frac;
            } else {
                seconds += sign * Long.parseLong(t) * 86400L;
            }
        }
        long total = seconds * 1_000_000L + micros;
        StringBuilder b = new StringBuilder();
        if (total < 0) {
            b.append('-');
            total = -total;
        }
        long us = total % 1_000_000L;
        long secs = total / 1_000_000L;
        b.append(secs / 3600).append(':');
        long mm = (secs / 60) % 60;
        long ss = secs % 60;
        b.append(mm < 10 ? "0" : "").append(mm).append(':').append(ss < 10 ? "0" : "").append(ss);
        if (us != 0) {
            String f = String.valueOf(1_000_000L + us).substring(1);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            b.append('.').append(f, 0, end);
        }
        return b.toString();
    }

    /**
     * The PostgreSQL text input form of a canonical value for a column (null stays null). byte[] is
     * not handled here.
     */
    static String text(Object v, Column c, TableId table) {
        if (v == null) {
            return null;
        }
        Kind k = c.type().kind();
        if (v instanceof String s) {
            checkNoNul(s, c, table);
            return k == Kind.ARRAY ? arrayLiteral(s, c, table) : s;
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (k == Kind.BOOLEAN && v instanceof Number n) {
            return n.longValue() != 0 ? "t" : "f";
        }
        if (v instanceof byte[] bytes) {
            StringBuilder b = new StringBuilder(2 + bytes.length * 2).append("\\x");
            for (byte x : bytes) {
                b.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
            }
            return b.toString();
        }
        return v.toString();
    }

    static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Binds a canonical value as an untyped parameter (the server types it from the column). */
    static void bind(PreparedStatement ps, int i, Object v, Column c, TableId table) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.OTHER);
        } else if (v instanceof byte[] b) {
            ps.setBytes(i, b);
        } else {
            ps.setObject(i, text(v, c, table), Types.OTHER);
        }
    }

    static void checkNoNul(String s, Column c, TableId table) {
        if (s.indexOf('\0') >= 0) {
            throw nul(c, table);
        }
    }

    static TidewayException nul(Column c, TableId table) {
        return new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                + ": the value contains a NUL character (0x00), which PostgreSQL text cannot store");
    }

    /**
     * An ARRAY value as a PostgreSQL array literal: PostgreSQL's own array text (read verbatim from a
     * PostgreSQL source) as it is, a canonical JSON array converted ({@link #jsonArrayToLiteral}).
     */
    static String arrayLiteral(String s, Column c, TableId table) {
        return isArrayText(s) ? s : jsonArrayToLiteral(s, c, table);
    }

    private static final java.util.regex.Pattern BOUNDS = java.util.regex.Pattern.compile("^\\s*(\\[-?\\d+:-?\\d+\\])+=");

    /**
     * Whether a value is PostgreSQL array text ({@code {...}}, or with explicit bounds {@code [0:2]={...}})
     * rather than a JSON array, which never starts with '{' and never has ':' after a number.
     */
    static boolean isArrayText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch)) {
                return ch == '{' || (ch == '[' && BOUNDS.matcher(s).find());
            }
        }
        return false;
    }

    /**
     * A canonical ARRAY value (JSON array text, nested for more dimensions) as a PostgreSQL array
     * literal: strings quoted with backslash escapes, JSON null as NULL, objects (json[] elements)
     * as their quoted JSON text.
     */
    static String jsonArrayToLiteral(String json, Column c, TableId table) {
        StringBuilder out = new StringBuilder(json.length() + 8);
        int[] pos = {skipWs(json, 0)};
        try {
            if (pos[0] >= json.length() || json.charAt(pos[0]) != '[') {
                throw new IllegalArgumentException("not a JSON array");
            }
            arrayValue(json, pos, out);
        } catch (RuntimeException e) {
            throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                    + ": array value is not a JSON array (" + e.getMessage() + ")", e);
        }
        return out.toString();
    }

    private static void arrayValue(String s, int[] pos, StringBuilder out) {
        pos[0]++; // '['
        out.append('{');
        pos[0] = skipWs(s, pos[0]);
        boolean first = true;
        while (s.charAt(pos[0]) != ']') {
            if (!first) {
                if (s.charAt(pos[0]) != ',') {
                    throw new IllegalArgumentException("expected ',' at " + pos[0]);
                }
                pos[0] = skipWs(s, pos[0] + 1);
                out.append(',');
            }
            first = false;
            element(s, pos, out);
            pos[0] = skipWs(s, pos[0]);
        }
        pos[0]++;
        out.append('}');
    }

    private static void element(String s, int[] pos, StringBuilder out) {
        char ch = s.charAt(pos[0]);
        if (ch == '[') {
            arrayValue(s, pos, out);
        } else if (ch == '"') {
            quoteElement(jsonString(s, pos), out);
        } else if (ch == '{') {
            int start = pos[0];
            skipComposite(s, pos);
            quoteElement(s.substring(start, pos[0]), out);
        } else {
            int start = pos[0];
            while (pos[0] < s.length() && ",]} \t\r\n".indexOf(s.charAt(pos[0])) < 0) {
                pos[0]++;
            }
            String tok = s.substring(start, pos[0]);
            out.append(tok.equals("null") ? "NULL" : tok);
        }
    }

    private static void quoteElement(String v, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append('\\');
            }
            out.append(ch);
        }
        out.append('"');
    }

    private static String jsonString(String s, int[] pos) {
        StringBuilder b = new StringBuilder();
        int i = pos[0] + 1;
        while (true) {
            char ch = s.charAt(i++);
            if (ch == '"') {
                break;
            }
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        pos[0] = i;
        return b.toString();
    }

    private static void skipComposite(String s, int[] pos) {
        int depth = 0;
        int i = pos[0];
        boolean inString = false;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (inString) {
                if (ch == '\\') {
                    i++;
                } else if (ch == '"') {
                    inString = false;
                }
            } else if (ch == '"') {
                inString = true;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                depth--;
                if (depth == 0) {
                    i++;
                    break;
                }
            }
        }
        pos[0] = i;
    }

    private static int skipWs(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}

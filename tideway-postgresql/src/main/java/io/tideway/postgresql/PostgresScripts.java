package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Literal values for SQL scripts. A value is written in the same text form a parameter carries
 * ({@link PostgresValues#text}), as an untyped string literal that takes the type of the column it
 * is assigned to or compared with; integers and decimals are written bare, booleans as TRUE and
 * FALSE, TIMESTAMP values (instants, canonical in UTC) with an explicit {@code +00}. A string
 * holding control characters (a newline, a tab) becomes an {@code E'...'} literal with escapes,
 * so that every statement stays on one line.
 */
final class PostgresScripts {
    private PostgresScripts() { }

    /** @param table for messages; may be null */
    static String literal(Column col, Object v, TableId table) {
        if (v == null) {
            return "NULL";
        }
        Kind kind = col.type().kind();
        if (v instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        if (kind != Kind.BOOLEAN && (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger)) {
            return v.toString();
        }
        if (kind != Kind.BOOLEAN && v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        String s = PostgresValues.text(v, col, table == null ? new TableId("", "") : table);
        if (kind == Kind.TIMESTAMP && s.matches("\\d{4}-\\d\\d-\\d\\d.*") && !s.contains("+")) {
            s = s + "+00";
        }
        return quoted(s);
    }

    /** A string literal: '...' with quotes doubled, or E'...' with escapes when it holds control characters. */
    static String quoted(String s) {
        boolean control = false;
        for (int i = 0; i < s.length() && !control; i++) {
            char ch = s.charAt(i);
            control = ch < 0x20 || ch == 0x7f;
        }
        if (!control) {
            return "'" + s.replace("'", "''") + "'";
        }
        StringBuilder b = new StringBuilder(s.length() + 8).append("E'");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("''");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('\'').toString();
    }
}

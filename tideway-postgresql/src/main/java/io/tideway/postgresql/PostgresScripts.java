package io.tideway.postgresql;

import static io.tideway.postgresql.PostgresDdl.q;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.CorrectionScripts;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Literal values for SQL scripts. A value is written in the same text form a parameter carries
 * ({@link PostgresValues#text}), as an untyped string literal that takes the type of the column it
 * is assigned to or compared with; integers and decimals are written bare, booleans as TRUE and
 * FALSE, TIMESTAMP values (instants, canonical in UTC) with an explicit {@code +00}. A string
 * holding control characters (a newline, a tab) becomes an {@code E'...'} literal with escapes,
 * so that every statement stays on one line.
 */
final class PostgresScripts implements CorrectionScripts {
    PostgresScripts() { }

    @Override
    public String quote(String identifier) {
        return q(identifier);
    }

    @Override
    public String literal(Column column, Object value) {
        return literal(column, value, null);
    }

    @Override
    public String writeRowSql(Table t, Object[] row) {
        List<Column> cols = t.columns();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            values.append(i == 0 ? "" : ", ").append(literal(cols.get(i), row[i], t.id()));
        }
        String sql = "INSERT INTO " + q(t.id()) + " (" + cols.stream().map(col -> q(col.name())).collect(Collectors.joining(", "))
                + ") VALUES (" + values + ")";
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            return sql;
        }
        List<String> sets = cols.stream().map(Column::name).filter(nm -> !key.contains(nm))
                .map(nm -> q(nm) + " = EXCLUDED." + q(nm)).toList();
        return sql + " ON CONFLICT (" + PostgresRows.keyList(t) + ") DO " + (sets.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", sets));
    }

    @Override
    public String deleteRowSql(Table t, Object[] values) {
        if (!t.rowKey().isEmpty()) {
            List<Column> key = t.rowKeyColumns();
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < key.size(); i++) {
                where.append(i == 0 ? "" : " AND ").append(q(key.get(i).name())).append(" = ")
                        .append(literal(key.get(i), values[i], t.id()));
            }
            return "DELETE FROM " + q(t.id()) + " WHERE " + where;
        }
        // one row equal to the values, as deleteOneMatching finds it (json and arrays compared as text)
        StringBuilder where = new StringBuilder();
        List<Column> cols = t.columns();
        for (int j = 0; j < cols.size(); j++) {
            Kind kind = cols.get(j).type().kind();
            String col = q(cols.get(j).name());
            where.append(j == 0 ? "" : " AND ");
            if (kind == Kind.ARRAY || kind == Kind.JSON || kind == Kind.OTHER) {
                where.append(kind == Kind.ARRAY && !PostgresUpserts.isArrayText(values[j]) ? "array_to_json(" + col + ")::text" : col + "::text")
                        .append(" IS NOT DISTINCT FROM ")
                        .append(values[j] == null ? "NULL" : quoted(values[j].toString()) + "::text");
            } else {
                where.append(col).append(" IS NOT DISTINCT FROM ").append(literal(cols.get(j), values[j], t.id()));
            }
        }
        return "DELETE FROM " + q(t.id()) + " WHERE ctid = (SELECT ctid FROM " + q(t.id()) + " WHERE " + where + " LIMIT 1)";
    }

    @Override
    public List<String> sqlScriptHeader() {
        return List.of("SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;", "SET TimeZone = 'UTC';",
                "SET DateStyle = 'ISO';", "SET IntervalStyle = 'sql_standard';", "BEGIN;");
    }

    @Override
    public List<String> sqlScriptFooter() {
        return List.of("COMMIT;");
    }

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

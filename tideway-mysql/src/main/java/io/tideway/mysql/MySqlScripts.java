package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.CorrectionScripts;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Correction scripts of the MySQL family: literal values, one statement per row, and the lines around them. */
final class MySqlScripts implements CorrectionScripts {
    MySqlScripts() { }

    @Override
    public String quote(String identifier) {
        return MySqlDdl.q(identifier);
    }

    /** A literal as {@link MySqlValues#bind} would send the value as a parameter. */
    @Override
    public String literal(Column col, Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Float f) {
            return doubleLiteral(f.doubleValue(), col);   // the float's exact value, as the parameter is sent
        }
        if (v instanceof Double d) {
            return doubleLiteral(d, col);
        }
        if (v instanceof byte[] b) {
            return "X'" + MySqlValues.hex(b) + "'";
        }
        String s = v.toString();
        ColumnType type = col.type();
        if (type.kind() == Kind.BIT && s.matches("[01]+")) {
            return "b'" + s + "'";
        }
        if (type.kind() == Kind.BOOLEAN) {
            return MySqlDdl.literal(Kind.BOOLEAN, s);
        }
        if (type.kind() == Kind.OTHER && MySqlTypes.isGeometry(type.nativeType()) && s.matches("([0-9A-Fa-f]{2})*")) {
            return "X'" + s + "'";
        }
        return MySqlDdl.stringLiteral(s);
    }

    /** A double literal (always with an exponent, so MySQL reads it as a double, not a decimal). */
    private static String doubleLiteral(double d, Column col) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new TidewayException(ErrorCode.DATA_INVALID, "column " + col.name() + ": " + d
                    + " cannot be stored in the MySQL family");
        }
        if (d == 0 && Double.doubleToRawLongBits(d) != 0) {
            return "-0E0";
        }
        String s = Double.toString(d);
        return s.indexOf('E') >= 0 ? s : s + "E0";
    }

    @Override
    public String writeRowSql(Table t, Object[] row) {
        List<Column> cols = t.columns();
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            names.append(i == 0 ? "" : ", ").append(MySqlDdl.q(cols.get(i).name()));
            values.append(i == 0 ? "" : ", ").append(literal(cols.get(i), row[i]));
        }
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(MySqlDdl.q(t.id())).append(" (").append(names)
                .append(") VALUES (").append(values).append(')');
        if (!t.rowKey().isEmpty()) {
            Set<String> key = new HashSet<>(t.rowKey());
            StringBuilder upd = new StringBuilder();
            for (Column col : cols) {
                if (!key.contains(col.name())) {
                    String q = MySqlDdl.q(col.name());
                    upd.append(upd.length() == 0 ? "" : ", ").append(q).append(" = VALUES(").append(q).append(')');
                }
            }
            if (upd.length() == 0) {
                String q = MySqlDdl.q(cols.get(0).name());
                upd.append(q).append(" = ").append(q);
            }
            sql.append(" ON DUPLICATE KEY UPDATE ").append(upd);
        }
        return sql.toString();
    }

    @Override
    public String deleteRowSql(Table t, Object[] values) {
        List<Column> match = t.rowKey().isEmpty() ? t.columns() : t.rowKeyColumns();
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(MySqlDdl.q(t.id())).append(" WHERE ");
        for (int i = 0; i < match.size(); i++) {
            sql.append(i == 0 ? "" : " AND ").append(MySqlDdl.q(match.get(i).name()))
                    .append(t.rowKey().isEmpty() ? " <=> " : " = ").append(literal(match.get(i), values[i]));
        }
        if (t.rowKey().isEmpty()) {
            sql.append(" LIMIT 1");
        }
        return sql.toString();
    }

    @Override
    public List<String> sqlScriptHeader() {
        return List.of("SET NAMES utf8mb4;", "SET time_zone = '+00:00';", "SET SESSION sql_mode = '" + MySqlDialect.SQL_MODE + "';",
                "SET foreign_key_checks = 0;", "START TRANSACTION;");
    }

    @Override
    public List<String> sqlScriptFooter() {
        return List.of("COMMIT;");
    }
}

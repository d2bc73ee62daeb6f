package io.tideway.postgresql;

import static io.tideway.postgresql.PostgresDdl.q;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What verification asks of PostgreSQL: rows by key, chunk checksums computed by the server, and
 * correction scripts with literal values.
 */
final class PostgresVerify {
    private PostgresVerify() { }

    static RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options, boolean verbatim)
            throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key; its rows cannot be read by key");
        }
        StringBuilder where = new StringBuilder(" WHERE ");
        if (keys.isEmpty()) {
            where.append("false");
        } else if (key.size() == 1) {
            where.append(q(key.get(0).name())).append(" IN (")
                    .append(String.join(", ", Collections.nCopies(keys.size(), "?"))).append(')');
        } else {
            String one = "(" + key.stream().map(k -> q(k.name()) + " = ?").collect(Collectors.joining(" AND ")) + ")";
            where.append(String.join(" OR ", Collections.nCopies(keys.size(), one)));
        }
        return PostgresRows.query(c, t, PostgresRows.and(where.toString(), options), ps -> {
            int idx = 1;
            for (List<Object> k : keys) {
                for (int j = 0; j < key.size(); j++) {
                    PostgresValues.bind(ps, idx++, k.get(j), key.get(j), t.id());
                }
            }
        }, verbatim);
    }

    /**
     * count(*) and the sums of the two 64-bit halves of each row's md5 (of the row's text,
     * {@code ROW(c1, c2, ...)::text}, which tells NULL from an empty string), as exact numerics.
     */
    static Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter) throws SQLException {
        String cols = t.columns().stream().map(col -> q(col.name())).collect(Collectors.joining(", "));
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0)::text,"
                + " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)::text"
                + " FROM (SELECT md5(ROW(" + cols + ")::text) AS h FROM " + q(t.id())
                + PostgresRows.and(PostgresRows.rangeWhere(t, range), filter) + ") x";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            PostgresRows.bindRange(ps, t, range, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(new ChunkChecksum(rs.getLong(1), rs.getString(2) + ":" + rs.getString(3)));
            }
        }
    }

    static String literal(Column column, Object value) {
        return PostgresScripts.literal(column, value, null);
    }

    static String writeRowSql(Table t, Object[] row) {
        List<Column> cols = t.columns();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            values.append(i == 0 ? "" : ", ").append(PostgresScripts.literal(cols.get(i), row[i], t.id()));
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

    static String deleteRowSql(Table t, Object[] values) {
        if (!t.rowKey().isEmpty()) {
            List<Column> key = t.rowKeyColumns();
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < key.size(); i++) {
                where.append(i == 0 ? "" : " AND ").append(q(key.get(i).name())).append(" = ")
                        .append(PostgresScripts.literal(key.get(i), values[i], t.id()));
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
                        .append(values[j] == null ? "NULL" : PostgresScripts.quoted(values[j].toString()) + "::text");
            } else {
                where.append(col).append(" IS NOT DISTINCT FROM ").append(PostgresScripts.literal(cols.get(j), values[j], t.id()));
            }
        }
        return "DELETE FROM " + q(t.id()) + " WHERE ctid = (SELECT ctid FROM " + q(t.id()) + " WHERE " + where + " LIMIT 1)";
    }

    static List<String> sqlScriptHeader() {
        return List.of("SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;", "SET TimeZone = 'UTC';",
                "SET DateStyle = 'ISO';", "SET IntervalStyle = 'sql_standard';", "BEGIN;");
    }

    static List<String> sqlScriptFooter() {
        return List.of("COMMIT;");
    }
}

package io.tideway.postgresql;

import static io.tideway.postgresql.PostgresDdl.q;
import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.RowWriter;
import io.tideway.core.spi.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The writes of PostgreSQL other than the bulk COPY: multi-row INSERT ... ON CONFLICT upserts,
 * updates and deletes by key, deletes of a key range and of one row equal to given values.
 */
final class PostgresUpserts implements RowWriter {
    static final int MAX_PARAMS = 30_000;
    static final int MAX_UPSERT_ROWS = 500;

    PostgresUpserts() { }

    @Override
    public String quote(String identifier) {
        return q(identifier);
    }

    // ---------------------------------------------------------------- writing rows

    @Override
    public WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        String sql = PostgresCopyWriter.copySql(t, PostgresDdl::q, q(t.id()));
        return new PostgresCopyWriter(t).write(c, sql, rows);
    }

    /**
     * Multi-row {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}; within a batch
     * the last row of a key wins (one statement may not touch a row twice).
     */
    @Override
    public WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so rows cannot be upserted");
        }
        int n = t.columns().size();
        int perBatch = Math.max(1, Math.min(MAX_UPSERT_ROWS, MAX_PARAMS / n));
        int[] keyIdx = key.stream().mapToInt(t::columnIndex).toArray();
        String head = "INSERT INTO " + q(t.id()) + " ("
                + t.columns().stream().map(col -> q(col.name())).collect(Collectors.joining(", ")) + ") VALUES ";
        String tuple = "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
        List<String> sets = t.columns().stream().map(Column::name).filter(nm -> !key.contains(nm))
                .map(nm -> q(nm) + " = EXCLUDED." + q(nm)).toList();
        String tail = " ON CONFLICT (" + PostgresRows.keyList(t) + ") DO "
                + (sets.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", sets));
        long total = 0;
        long bytes = 0;
        Map<List<Object>, Object[]> batch = new LinkedHashMap<>();
        PreparedStatement full = null;
        try {
            while (rows.hasNext()) {
                Object[] r = rows.next().clone();
                batch.put(keyOf(r, keyIdx), r);
                total++;
                if (batch.size() == perBatch) {
                    if (full == null) {
                        full = c.prepareStatement(head + String.join(", ", Collections.nCopies(perBatch, tuple)) + tail);
                    }
                    bytes += execute(full, t, batch.values());
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        head + String.join(", ", Collections.nCopies(batch.size(), tuple)) + tail)) {
                    bytes += execute(ps, t, batch.values());
                }
            }
        } catch (SQLException e) {
            ErrorCode code = PostgresErrors.classify(e);
            if (code == ErrorCode.DATA_INVALID || code == ErrorCode.TABLE_CONFLICT) {
                String sql = head + String.join(", ", Collections.nCopies(perBatch, tuple)) + tail;
                int p = PostgresErrors.parameterAt(sql, e);
                String col = p > 0 ? t.columns().get((p - 1) % n).name() : null;
                throw new TidewayException(code, "table " + t.id() + (col == null ? "" : ", column " + col)
                        + ": PostgreSQL cannot store the value: " + PostgresErrors.serverTextWithDetail(e), e);
            }
            throw e;
        } finally {
            if (full != null) {
                full.close();
            }
        }
        return new WriteResult(total, bytes);
    }

    private static List<Object> keyOf(Object[] r, int[] keyIdx) {
        List<Object> k = new ArrayList<>(keyIdx.length);
        for (int i : keyIdx) {
            Object v = r[i];
            k.add(v instanceof byte[] b ? java.nio.ByteBuffer.wrap(b) : v);
        }
        return k;
    }

    private static long execute(PreparedStatement ps, Table t, Collection<Object[]> rows) throws SQLException {
        List<Column> cols = t.columns();
        int idx = 1;
        long bytes = 0;
        for (Object[] r : rows) {
            for (int i = 0; i < cols.size(); i++) {
                Object v = r[i];
                PostgresValues.bind(ps, idx++, v, cols.get(i), t.id());
                bytes += v == null ? 0 : v instanceof byte[] b ? b.length : v.toString().length();
            }
        }
        ps.executeUpdate();
        return bytes;
    }

    @Override
    public long deleteRange(Connection c, Table t, KeyRange range) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + q(t.id()) + PostgresRows.rangeWhere(t, range))) {
            PostgresRows.bindRange(ps, t, range, 1);
            return ps.executeUpdate();
        }
    }


    @Override
    public long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException {
        StringBuilder where = new StringBuilder();
        List<Column> cols = t.columns();
        for (int j = 0; j < cols.size(); j++) {
            if (j > 0) {
                where.append(" AND ");
            }
            var kind = cols.get(j).type().kind();
            // json and types without a neutral kind have no equality operator: compare their text
            boolean asText = kind == Kind.JSON || kind == Kind.OTHER
                    || kind == Kind.ARRAY;
            String col = q(cols.get(j).name());
            String lhs = kind == Kind.ARRAY && !isArrayText(row[j]) ? "array_to_json(" + col + ")::text"
                    : asText ? col + "::text" : col;
            where.append(lhs)
                    .append(" IS NOT DISTINCT FROM ").append(asText ? "?::text" : "?");
        }
        String sql = "DELETE FROM " + q(t.id()) + " WHERE ctid = (SELECT ctid FROM " + q(t.id()) + " WHERE " + where
                + " LIMIT 1)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int j = 0; j < cols.size(); j++) {
                var kind = cols.get(j).type().kind();
                if (kind == Kind.JSON || kind == Kind.OTHER
                        || kind == Kind.ARRAY) {
                    ps.setString(j + 1, row[j] == null ? null : row[j].toString());
                } else {
                    PostgresValues.bind(ps, j + 1, row[j], cols.get(j), t.id());
                }
            }
            return ps.executeUpdate();
        }
    }

    /** Whether an ARRAY value is PostgreSQL array text (read verbatim), compared with the column's text, not its JSON. */
    static boolean isArrayText(Object v) {
        return v instanceof String s && PostgresValues.isArrayText(s);
    }

    @Override
    public long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        String tuple = key.size() == 1 ? "?" : "(" + String.join(", ", Collections.nCopies(key.size(), "?")) + ")";
        String cols = key.size() == 1 ? q(key.get(0).name())
                : "(" + key.stream().map(k -> q(k.name())).collect(Collectors.joining(", ")) + ")";
        long deleted = 0;
        int batch = Math.max(1, 1000 / key.size());
        for (int from = 0; from < keys.size(); from += batch) {
            List<Object[]> part = keys.subList(from, Math.min(keys.size(), from + batch));
            String sql = "DELETE FROM " + q(t.id()) + " WHERE " + cols + " IN ("
                    + String.join(", ", Collections.nCopies(part.size(), tuple)) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (Object[] k : part) {
                    for (int j = 0; j < key.size(); j++) {
                        PostgresValues.bind(ps, i++, k[j], key.get(j), t.id());
                    }
                }
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }

    @Override
    public long updateByKey(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        List<Column> cols = t.columns();
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        List<Integer> set = new ArrayList<>();
        for (int j = 0; j < cols.size(); j++) {
            if (!key.contains(cols.get(j).name())) {
                set.add(j);
            }
        }
        if (set.isEmpty()) {
            return 0;
        }
        String sql = "UPDATE " + q(t.id()) + " SET " + set.stream().map(j -> q(cols.get(j).name()) + " = ?")
                .collect(Collectors.joining(", ")) + " WHERE " + key.stream().map(k -> q(k) + " = ?").collect(Collectors.joining(" AND "));
        long found = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int pending = 0;
            while (rows.hasNext()) {
                Object[] r = rows.next();
                int p = 1;
                for (int j : set) {
                    PostgresValues.bind(ps, p++, r[j], cols.get(j), t.id());
                }
                for (String k : key) {
                    int j = t.columnIndex(k);
                    PostgresValues.bind(ps, p++, r[j], cols.get(j), t.id());
                }
                ps.addBatch();
                if (++pending == 500) {
                    found += Arrays.stream(ps.executeBatch()).filter(n -> n > 0).sum();
                    pending = 0;
                }
            }
            if (pending > 0) {
                found += Arrays.stream(ps.executeBatch()).filter(n -> n > 0).sum();
            }
        }
        return found;
    }
}

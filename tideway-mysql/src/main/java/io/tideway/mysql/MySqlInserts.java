package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.spi.RowWriter;
import io.tideway.core.spi.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Multi-row INSERT (the bulk fallback) and INSERT ... ON DUPLICATE KEY UPDATE (upsert), with parameters. */
final class MySqlInserts implements RowWriter {
    static final int BATCH_ROWS = 500;
    private static final int MAX_PARAMETERS = 60_000;

    MySqlInserts() { }

    @Override
    public String quote(String identifier) {
        return MySqlDdl.q(identifier);
    }

    /** LOAD DATA LOCAL INFILE from a stream ({@link MySqlLoadData}). */
    @Override
    public WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return MySqlLoadData.bulkInsert(c, t, rows);
    }

    @Override
    public WriteResult upsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        return insert(c, t, rows, true);
    }

    static WriteResult insert(Connection c, Table t, Iterator<Object[]> rows, boolean upsert) throws SQLException {
        List<Column> cols = t.columns();
        int width = cols.size();
        int batch = Math.max(1, Math.min(BATCH_ROWS, MAX_PARAMETERS / Math.max(1, width)));
        String fullSql = sql(t, batch, upsert);
        List<Object[]> pending = new ArrayList<>(batch);
        long count = 0;
        long bytes = 0;
        try (PreparedStatement full = c.prepareStatement(fullSql)) {
            while (rows.hasNext()) {
                Object[] r = rows.next();
                pending.add(r.clone());
                bytes += approximateBytes(r);
                if (pending.size() == batch) {
                    bindAndRun(full, t, pending);
                    count += pending.size();
                    pending.clear();
                }
            }
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
        if (!pending.isEmpty()) {
            try (PreparedStatement last = c.prepareStatement(sql(t, pending.size(), upsert))) {
                bindAndRun(last, t, pending);
                count += pending.size();
            } catch (SQLException e) {
                throw MySqlErrors.orRethrow(e, t.id());
            }
        }
        return new WriteResult(count, bytes);
    }

    private static void bindAndRun(PreparedStatement ps, Table t, List<Object[]> rows) throws SQLException {
        List<Column> cols = t.columns();
        int p = 1;
        for (Object[] r : rows) {
            for (int i = 0; i < cols.size(); i++) {
                MySqlValues.bind(ps, p++, cols.get(i).type(), r[i]);
            }
        }
        ps.executeUpdate();
    }

    static String sql(Table t, int rowCount, boolean upsert) {
        List<Column> cols = t.columns();
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(MySqlDdl.q(t.id())).append(" (");
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                sb.append(", ");
                tuple.append(", ");
            }
            sb.append(MySqlDdl.q(cols.get(i).name()));
            tuple.append(MySqlValues.placeholder(cols.get(i).type()));
        }
        tuple.append(')');
        sb.append(") VALUES ");
        for (int r = 0; r < rowCount; r++) {
            if (r > 0) {
                sb.append(", ");
            }
            sb.append(tuple);
        }
        if (upsert) {
            Set<String> key = new HashSet<>(t.rowKey());
            StringBuilder upd = new StringBuilder();
            for (Column col : cols) {
                if (key.contains(col.name())) {
                    continue;
                }
                String q = MySqlDdl.q(col.name());
                upd.append(upd.length() == 0 ? "" : ", ").append(q).append(" = VALUES(").append(q).append(')');
            }
            if (upd.length() == 0) {
                String q = MySqlDdl.q(cols.get(0).name());
                upd.append(q).append(" = ").append(q);
            }
            sb.append(" ON DUPLICATE KEY UPDATE ").append(upd);
        }
        return sb.toString();
    }

    @Override
    public long updateByKey(Connection c, Table t, java.util.Iterator<Object[]> rows) throws SQLException {
        List<io.tideway.core.model.Column> cols = t.columns();
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        List<Integer> set = new java.util.ArrayList<>();
        for (int j = 0; j < cols.size(); j++) {
            if (!key.contains(cols.get(j).name())) {
                set.add(j);
            }
        }
        if (set.isEmpty()) {
            return 0;
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(MySqlDdl.q(t.id())).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            io.tideway.core.model.Column col = cols.get(set.get(i));
            sql.append(i == 0 ? "" : ", ").append(MySqlDdl.q(col.name())).append(" = ").append(MySqlValues.placeholder(col.type()));
        }
        sql.append(" WHERE ");
        for (int k = 0; k < key.size(); k++) {
            io.tideway.core.model.Column col = cols.get(t.columnIndex(key.get(k)));
            sql.append(k == 0 ? "" : " AND ").append(MySqlDdl.q(col.name())).append(" = ").append(MySqlValues.placeholder(col.type()));
        }
        long found = 0;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int pending = 0;
            while (rows.hasNext()) {
                Object[] r = rows.next();
                int p = 1;
                for (int j : set) {
                    MySqlValues.bind(ps, p++, cols.get(j).type(), r[j]);
                }
                for (String k : key) {
                    int j = t.columnIndex(k);
                    MySqlValues.bind(ps, p++, cols.get(j).type(), r[j]);
                }
                ps.addBatch();
                if (++pending == 500) {
                    found += count(ps.executeLargeBatch());
                    pending = 0;
                }
            }
            if (pending > 0) {
                found += count(ps.executeLargeBatch());
            }
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
        return found;
    }

    private static long count(long[] results) {
        long n = 0;
        for (long r : results) {
            n += r > 0 ? r : r == java.sql.Statement.SUCCESS_NO_INFO ? 1 : 0;
        }
        return n;
    }

    @Override
    public long deleteKeys(Connection c, Table t, List<Object[]> keys) throws SQLException {
        List<io.tideway.core.model.Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.INTERNAL, "table " + t.id() + " has no row key");
        }
        StringBuilder cols = new StringBuilder(key.size() == 1 ? "" : "(");
        StringBuilder tuple = new StringBuilder(key.size() == 1 ? "" : "(");
        for (int j = 0; j < key.size(); j++) {
            if (j > 0) {
                cols.append(", ");
                tuple.append(", ");
            }
            cols.append(MySqlDdl.q(key.get(j).name()));
            tuple.append(MySqlValues.placeholder(key.get(j).type()));
        }
        if (key.size() > 1) {
            cols.append(')');
            tuple.append(')');
        }
        long deleted = 0;
        int batch = Math.max(1, 1000 / key.size());
        for (int from = 0; from < keys.size(); from += batch) {
            List<Object[]> part = keys.subList(from, Math.min(keys.size(), from + batch));
            String sql = "DELETE FROM " + MySqlDdl.q(t.id()) + " WHERE " + cols + " IN ("
                    + String.join(", ", java.util.Collections.nCopies(part.size(), tuple.toString())) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (Object[] k : part) {
                    for (int j = 0; j < key.size(); j++) {
                        MySqlValues.bind(ps, i++, key.get(j).type(), k[j]);
                    }
                }
                deleted += ps.executeLargeUpdate();
            } catch (SQLException e) {
                throw MySqlErrors.orRethrow(e, t.id());
            }
        }
        return deleted;
    }

    @Override
    public long deleteOneMatching(Connection c, Table t, Object[] row) throws SQLException {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(MySqlDdl.q(t.id())).append(" WHERE ");
        List<io.tideway.core.model.Column> cols = t.columns();
        for (int j = 0; j < cols.size(); j++) {
            if (j > 0) {
                sql.append(" AND ");
            }
            sql.append(MySqlDdl.q(cols.get(j).name())).append(" <=> ").append(MySqlValues.placeholder(cols.get(j).type()));
        }
        sql.append(" LIMIT 1");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int j = 0; j < cols.size(); j++) {
                MySqlValues.bind(ps, j + 1, cols.get(j).type(), row[j]);
            }
            return ps.executeLargeUpdate();
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
    }

    @Override
    public long deleteRange(Connection c, Table t, KeyRange range) throws SQLException {
        MySqlRows.Where where = MySqlRows.where(t, range);
        String sql = "DELETE FROM " + MySqlDdl.q(t.id()) + where.sql();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            where.bind(ps, 1);
            return ps.executeLargeUpdate();
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
    }

    private static long approximateBytes(Object[] r) {
        long n = 0;
        for (Object v : r) {
            if (v == null) {
                n += 2;
            } else if (v instanceof String s) {
                n += s.length();
            } else if (v instanceof byte[] b) {
                n += 2L * b.length;
            } else {
                n += 8;
            }
            n++;
        }
        return n;
    }
}

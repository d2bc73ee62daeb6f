package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.RowReader;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading rows: streamed key-range scans and the queries that cut a table into chunks. */
final class MySqlRows implements RowReader {
    static final int FETCH_SIZE = 2048;

    MySqlRows() { }

    @Override
    public RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return open(c, t, range, options);
    }

    @Override
    public RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        return MySqlVerify.openRowsByKeys(c, t, keys, options);
    }

    /** A WHERE clause over the row key with its parameters. */
    record Where(String sql, List<ColumnType> types, List<Object> values) {
        /** This clause and the DBA's row filter (in parentheses); itself when {@code filter} is null. */
        Where and(String filter) {
            if (filter == null || filter.isBlank()) {
                return this;
            }
            return new Where((sql.isEmpty() ? " WHERE (" : sql + " AND (") + filter + ")", types, values);
        }

        int bind(PreparedStatement ps, int first) throws SQLException {
            int p = first;
            for (int i = 0; i < values.size(); i++) {
                MySqlValues.bind(ps, p++, types.get(i), values.get(i));
            }
            return p;
        }
    }

    static Where where(Table t, KeyRange range) {
        if (range == null || range.isAll()) {
            return new Where("", List.of(), List.of());
        }
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key; it can only be read whole");
        }
        List<String> parts = new ArrayList<>();
        List<ColumnType> types = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        if (range.lower() != null) {
            parts.add(compare(key, ">=", range.lower(), types, values));
        }
        if (range.upper() != null) {
            parts.add(compare(key, "<", range.upper(), types, values));
        }
        return new Where(" WHERE " + String.join(" AND ", parts), types, values);
    }

    /** {@code (k1, k2) op (?, ?)}, or {@code k op ?} for a single column. */
    static String compare(List<Column> key, String op, List<Object> bound, List<ColumnType> types, List<Object> values) {
        if (bound.size() != key.size()) {
            throw new TidewayException(ErrorCode.INTERNAL, "key bound " + bound + " does not match the key columns "
                    + key.stream().map(Column::name).toList());
        }
        StringBuilder l = new StringBuilder();
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                l.append(", ");
                r.append(", ");
            }
            l.append(MySqlDdl.q(key.get(i).name()));
            r.append(MySqlValues.placeholder(key.get(i).type()));
            ColumnType type = key.get(i).type();
            Object v = bound.get(i);
            if (type.kind() == ColumnType.Kind.ENUM && v instanceof String label && type.values().contains(label)) {
                // ORDER BY sorts an enum by its position, so bounds compare by position too
                types.add(ColumnType.of(ColumnType.Kind.INT32, "int"));
                values.add((long) (type.values().indexOf(label) + 1));
            } else {
                types.add(type);
                values.add(v);
            }
        }
        return key.size() == 1 ? l + " " + op + " " + r : "(" + l + ") " + op + " (" + r + ")";
    }

    static String columnList(List<Column> cols) {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(MySqlDdl.q(c.name()));
        }
        return sb.toString();
    }

    /**
     * The select list of a row read. FLOAT columns are widened to DOUBLE on the server: the text of a
     * float is rounded to 6 digits, the text of the same value as a double is exact (shortest round trip).
     */
    static String selectList(List<Column> cols) {
        StringBuilder sb = new StringBuilder();
        for (Column c : cols) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            if (c.type().kind() == ColumnType.Kind.FLOAT32) {
                sb.append('(').append(MySqlDdl.q(c.name())).append(" * 1e0)");
            } else {
                sb.append(MySqlDdl.q(c.name()));
            }
        }
        return sb.toString();
    }

    static RowCursor open(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return open(c, t, where(t, range), options);
    }

    /** Runs the DBA's row filter once against {@code t} without reading a row. */
    static void checkFilter(Connection c, Table t, String filter) throws SQLException {
        String sql = "SELECT 1 FROM " + MySqlDdl.q(t.id()) + new Where("", List.of(), List.of()).and(filter).sql() + " LIMIT 0";
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    /** Streams the rows of {@code t} that match {@code where}, in key order when the table has a key. */
    static RowCursor open(Connection c, Table t, Where where, ReadOptions options) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        ReadOptions opt = options == null ? ReadOptions.DEFAULT : options;
        where = where.and(opt.filter());
        String sql = "SELECT " + selectList(t.columns()) + " FROM " + MySqlDdl.q(t.id()) + where.sql()
                + (key.isEmpty() ? "" : " ORDER BY " + columnList(key));
        PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        try {
            ps.setFetchSize(FETCH_SIZE);
            where.bind(ps, 1);
            ResultSet rs = ps.executeQuery();
            return new Cursor(ps, rs, t, opt);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            if (e instanceof SQLException se) {
                throw MySqlErrors.orRethrow(se, t.id());
            }
            throw e;
        }
    }

    private static final class Cursor implements RowCursor {
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final Table table;
        private final Column[] cols;
        private final ReadOptions options;
        private final Object[] row;

        Cursor(PreparedStatement ps, ResultSet rs, Table table, ReadOptions options) {
            this.ps = ps;
            this.rs = rs;
            this.table = table;
            this.cols = table.columns().toArray(new Column[0]);
            this.options = options;
            this.row = new Object[cols.length];
        }

        @Override
        public boolean next() throws SQLException {
            try {
                if (!rs.next()) {
                    return false;
                }
                for (int i = 0; i < cols.length; i++) {
                    row[i] = MySqlValues.read(rs, i + 1, cols[i], table.id(), options);
                }
                return true;
            } catch (SQLException e) {
                throw MySqlErrors.orRethrow(e, table.id());
            }
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() throws SQLException {
            try {
                rs.close();
            } finally {
                ps.close();
            }
        }
    }

    /** Zero dates per DATE/DATETIME/TIMESTAMP column of {@code t} that holds any, in one scan. */
    static java.util.Map<String, Long> zeroDateCounts(Connection c, Table t) throws SQLException {
        List<Column> dates = t.columns().stream().filter(col -> io.tideway.core.model.ZeroDates.applies(col.type().kind())).toList();
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (dates.isEmpty()) {
            return out;
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < dates.size(); i++) {
            String q = MySqlDdl.q(dates.get(i).name());
            sql.append(i == 0 ? "" : ", ").append("COALESCE(SUM(MONTH(").append(q).append(") = 0 OR DAYOFMONTH(").append(q)
                    .append(") = 0), 0)");
        }
        sql.append(" FROM ").append(MySqlDdl.q(t.id()));
        try (PreparedStatement ps = c.prepareStatement(sql.toString()); ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (int i = 0; i < dates.size(); i++) {
                long n = rs.getLong(i + 1);
                if (n > 0) {
                    out.put(dates.get(i).name(), n);
                }
            }
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
        return out;
    }

    @Override
    public Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.size() != 1 || !key.get(0).type().isInteger()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no single integer key");
        }
        String k = MySqlDdl.q(key.get(0).name());
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(" + k + "), MAX(" + k + ") FROM " + MySqlDdl.q(t.id()));
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getString(1) == null) {
                return Optional.empty();
            }
            return Optional.of(new BigInteger[] {new BigInteger(rs.getString(1)), new BigInteger(rs.getString(2))});
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
    }

    @Override
    public Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key to cut into chunks");
        }
        if (step < 1) {
            throw new IllegalArgumentException("step must be at least 1: " + step);
        }
        List<ColumnType> types = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        String cond = after == null ? "" : " WHERE " + compare(key, ">", after, types, values);
        String sql = "SELECT " + selectList(key) + " FROM " + MySqlDdl.q(t.id()) + cond + " ORDER BY " + columnList(key)
                + " LIMIT 1 OFFSET " + (step - 1);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            new Where(cond, types, values).bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<Object> out = new ArrayList<>(key.size());
                for (int i = 0; i < key.size(); i++) {
                    out.add(MySqlValues.read(rs, i + 1, key.get(i), t.id(), ReadOptions.DEFAULT));
                }
                return Optional.of(out);
            }
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
    }
}

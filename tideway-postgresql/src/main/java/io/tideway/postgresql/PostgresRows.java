package io.tideway.postgresql;

import static io.tideway.postgresql.PostgresDdl.q;
import io.tideway.core.model.Column;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Streaming reads of PostgreSQL rows in key order, by key range, and the chunk boundaries of a table's key. */
final class PostgresRows implements RowReader {
    /** Rows fetched per round trip: about {@link #FETCH_BYTES} by the catalog's row-size estimate, within these bounds. */
    static final int MIN_FETCH = 100;
    static final int MAX_FETCH = 5000;
    static final long FETCH_BYTES = 8L << 20;

    /** Whether values are read verbatim for a PostgreSQL peer (see {@link PostgresDialect#withPeer}). */
    private final boolean verbatim;

    PostgresRows(boolean verbatim) {
        this.verbatim = verbatim;
    }

    @Override
    public RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        return openRows(c, t, range, options, verbatim);
    }

    @Override
    public Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step) throws SQLException {
        return nextBoundary(c, t, after, step, verbatim);
    }

    @Override
    public RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        return PostgresVerify.openRowsByKeys(c, t, keys, options, verbatim);
    }

    // ---------------------------------------------------------------- reading rows

    static String keyList(Table t) {
        return t.rowKey().stream().map(PostgresDdl::q).collect(Collectors.joining(", "));
    }

    /** The WHERE clause of a key range ("" for the whole table); its parameters are bound by {@link #bindRange}. */
    static String rangeWhere(Table t, KeyRange range) {
        if (range == null || range.isAll()) {
            return "";
        }
        List<String> key = t.rowKey();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so it cannot be read by key range");
        }
        String cols = "(" + keyList(t) + ")";
        String params = "(" + String.join(", ", Collections.nCopies(key.size(), "?")) + ")";
        List<String> conds = new ArrayList<>();
        if (range.lower() != null) {
            conds.add(cols + " >= " + params);
        }
        if (range.upper() != null) {
            conds.add(cols + " < " + params);
        }
        return " WHERE " + String.join(" AND ", conds);
    }

    static int bindRange(PreparedStatement ps, Table t, KeyRange range, int idx) throws SQLException {
        if (range == null || range.isAll()) {
            return idx;
        }
        List<Column> key = t.rowKeyColumns();
        for (List<Object> bound : Arrays.asList(range.lower(), range.upper())) {
            if (bound == null) {
                continue;
            }
            for (int k = 0; k < key.size(); k++) {
                PostgresValues.bind(ps, idx++, bound.get(k), key.get(k), t.id());
            }
        }
        return idx;
    }

    static RowCursor openRows(Connection c, Table t, KeyRange range, ReadOptions options, boolean verbatim) throws SQLException {
        return query(c, t, and(rangeWhere(t, range), options), ps -> bindRange(ps, t, range, 1), verbatim);
    }

    /** A WHERE clause ("" or " WHERE ...") and the DBA's row filter, in parentheses. */
    static String and(String where, String filter) {
        if (filter == null || filter.isBlank()) {
            return where;
        }
        return (where.isEmpty() ? " WHERE (" : where + " AND (") + filter + ")";
    }

    static String and(String where, ReadOptions options) {
        return and(where, options == null ? null : options.filter());
    }

    static void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + q(t.id()) + and("", filter) + " LIMIT 0");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    /** Binds the parameters of a WHERE clause. */
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Streams the rows of {@code t} that match {@code where}, in key order when the table has a key. */
    static RowCursor query(Connection c, Table t, String where, Binder binder, boolean verbatim) throws SQLException {
        String select = t.columns().stream().map(col -> PostgresValues.selectExpr(col, PostgresDdl::q, verbatim))
                .collect(Collectors.joining(", "));
        String sql = "SELECT " + select + " FROM " + q(t.id()) + where
                + (t.rowKey().isEmpty() ? "" : " ORDER BY " + keyList(t));
        boolean wasAuto = c.getAutoCommit();
        if (wasAuto) {
            c.setAutoCommit(false);
        }
        PreparedStatement ps = null;
        try {
            ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(fetchSize(t));
            binder.bind(ps);
            ResultSet rs = ps.executeQuery();
            return new Cursor(c, ps, rs, t, wasAuto, verbatim);
        } catch (SQLException | RuntimeException e) {
            if (ps != null) {
                ps.close();
            }
            endRead(c, wasAuto);
            throw e;
        }
    }

    static int fetchSize(Table t) {
        if (t.estimatedRows() <= 0 || t.estimatedBytes() <= 0) {
            return 1000;
        }
        long perRow = Math.max(1, t.estimatedBytes() / t.estimatedRows());
        return (int) Math.max(MIN_FETCH, Math.min(MAX_FETCH, FETCH_BYTES / perRow));
    }

    private static void endRead(Connection c, boolean restoreAuto) throws SQLException {
        if (!restoreAuto) {
            return;
        }
        try {
            c.commit();
        } catch (SQLException e) {
            c.rollback();
        }
        c.setAutoCommit(true);
    }

    private static final class Cursor implements RowCursor {
        private final Connection c;
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final Table t;
        private final List<Column> cols;
        private final Object[] row;
        private final boolean restoreAuto;
        private final boolean verbatim;
        private boolean closed;

        Cursor(Connection c, PreparedStatement ps, ResultSet rs, Table t, boolean restoreAuto, boolean verbatim) {
            this.c = c;
            this.ps = ps;
            this.rs = rs;
            this.t = t;
            this.cols = t.columns();
            this.row = new Object[cols.size()];
            this.restoreAuto = restoreAuto;
            this.verbatim = verbatim;
        }

            public boolean next() throws SQLException {
            if (!rs.next()) {
                return false;
            }
            for (int i = 0; i < row.length; i++) {
                row[i] = PostgresValues.read(rs, i + 1, cols.get(i), t.id(), verbatim);
            }
            return true;
        }

            public Object[] row() {
            return row;
        }

            public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                rs.close();
                ps.close();
            } finally {
                endRead(c, restoreAuto);
            }
        }
    }

    @Override
    public Optional<BigInteger[]> integerKeyBounds(Connection c, Table t) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.size() != 1 || !key.get(0).type().isInteger()) {
            throw new IllegalArgumentException("table " + t.id() + " has no single integer key");
        }
        String k = q(key.get(0).name());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT min(" + k + ")::text, max(" + k + ")::text FROM " + q(t.id()))) {
            rs.next();
            if (rs.getString(1) == null) {
                return Optional.empty();
            }
            return Optional.of(new BigInteger[] {new BigInteger(rs.getString(1)), new BigInteger(rs.getString(2))});
        }
    }

    static Optional<List<Object>> nextBoundary(Connection c, Table t, List<Object> after, int step, boolean verbatim)
            throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "table " + t.id()
                    + " has no primary key or unique NOT NULL key, so it cannot be cut into chunks");
        }
        String select = key.stream().map(col -> PostgresValues.selectExpr(col, PostgresDdl::q, verbatim)).collect(Collectors.joining(", "));
        String where = after == null ? "" : " WHERE (" + keyList(t) + ") > ("
                + String.join(", ", Collections.nCopies(key.size(), "?")) + ")";
        String sql = "SELECT " + select + " FROM " + q(t.id()) + where + " ORDER BY " + keyList(t) + " LIMIT 1 OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int idx = 1;
            if (after != null) {
                for (int k = 0; k < key.size(); k++) {
                    PostgresValues.bind(ps, idx++, after.get(k), key.get(k), t.id());
                }
            }
            ps.setLong(idx, Math.max(0, step - 1));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<Object> out = new ArrayList<>(key.size());
                for (int k = 0; k < key.size(); k++) {
                    out.add(PostgresValues.read(rs, k + 1, key.get(k), t.id(), verbatim));
                }
                return Optional.of(out);
            }
        }
    }
}

package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.VerifyHashing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What verification asks of the MySQL family: rows by key, chunk checksums computed by the
 * server, and the check of a row filter (correction scripts: {@link MySqlScripts}).
 */
final class MySqlVerify implements VerifyHashing {
    MySqlVerify() { }

    @Override
    public void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        MySqlRows.checkFilter(c, t, filter);
    }

    static RowCursor openRowsByKeys(Connection c, Table t, List<List<Object>> keys, ReadOptions options) throws SQLException {
        List<Column> key = t.rowKeyColumns();
        if (key.isEmpty()) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id() + " has no row key; its rows cannot be read by key");
        }
        List<ColumnType> types = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE ");
        if (keys.isEmpty()) {
            where.append("1 = 0");
        } else if (key.size() == 1) {
            Column k = key.get(0);
            where.append(MySqlDdl.q(k.name())).append(" IN (");
            for (int i = 0; i < keys.size(); i++) {
                where.append(i == 0 ? "" : ", ").append(MySqlValues.placeholder(k.type()));
                types.add(k.type());
                values.add(keys.get(i).get(0));
            }
            where.append(')');
        } else {
            for (int i = 0; i < keys.size(); i++) {
                where.append(i == 0 ? "(" : " OR (");
                for (int j = 0; j < key.size(); j++) {
                    Column k = key.get(j);
                    where.append(j == 0 ? "" : " AND ").append(MySqlDdl.q(k.name())).append(" = ")
                            .append(MySqlValues.placeholder(k.type()));
                    types.add(k.type());
                    values.add(keys.get(i).get(j));
                }
                where.append(')');
            }
        }
        return MySqlRows.open(c, t, new MySqlRows.Where(where.toString(), types, values), options);
    }

    /**
     * How a server hashes a chunk's rows. {@link #CRC} and {@link #CRC_ONE_TEXT} give the same
     * checksum: the second builds each row's text once, keeping it in a session variable for its
     * second hash, where the server is seen to evaluate the left operand of {@code |} first.
     */
    enum RowHash {
        /** 64 bits of MD5 and a CRC32: servers without CRC32C. */
        MD5,
        /** CRC32 and CRC32C of the row's text, the text built for each. */
        CRC,
        /** CRC32 and CRC32C of the row's text, built once. */
        CRC_ONE_TEXT
    }

    /**
     * COUNT(*) and a 64-bit BIT_XOR over the chunk of a hash of each row's text: the row's values
     * joined by '#', each value that is text-like or nullable preceded by its length (-1 for NULL),
     * so that neither a '#' inside a value nor NULL against '' can make two different rows alike
     * (a NOT NULL number, date or time cannot contain '#' and needs none). FLOAT columns are hashed
     * widened to DOUBLE, whose text is exact. The hash is CRC32 and CRC32C side by side where the
     * server has CRC32C (MariaDB 10.8 and later), else 64 bits of MD5 and a CRC32; the checksum
     * names which, so two servers that hash differently never look equal.
     */
    @Override
    public Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter) throws SQLException {
        RowHash hash = ROW_HASH.get(c);
        if (hash == null) {
            hash = rowHash(c);
            ROW_HASH.put(c, hash);
        }
        return chunkChecksum(c, t, range, filter, hash);
    }

    /** The {@link RowHash} of each connection in use, asked of its server once. */
    private static final java.util.Map<Connection, RowHash> ROW_HASH =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    static Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter, RowHash hash)
            throws SQLException {
        StringBuilder cols = new StringBuilder();
        for (Column col : t.columns()) {
            String q = MySqlDdl.q(col.name());
            String expr = col.type().kind() == Kind.FLOAT32 ? "(" + q + " * 1e0)" : q;
            if (col.nullable() || !NO_SEPARATOR.contains(col.type().kind())) {
                cols.append(cols.length() == 0 ? "" : ", ").append("IFNULL(LENGTH(").append(expr).append("), -1)");
            }
            cols.append(cols.length() == 0 ? "" : ", ").append(expr);
        }
        String row = "CONCAT_WS('#', " + cols + ")";
        MySqlRows.Where where = MySqlRows.where(t, range).and(filter);
        String sql = switch (hash) {
            case CRC -> "SELECT COUNT(*), 'c', " + crcPair(row, row);
            case CRC_ONE_TEXT -> "SELECT COUNT(*), 'c', " + crcPair("@tideway_row := " + row, "@tideway_row");
            case MD5 -> "SELECT COUNT(*), CAST(IFNULL(BIT_XOR(CAST(CONV(LEFT(MD5(" + row + "), 16), 16, 10) AS UNSIGNED)), 0) AS CHAR),"
                    + " CAST(IFNULL(BIT_XOR(CRC32(" + row + ")), 0) AS CHAR)";
        };
        sql += " FROM " + MySqlDdl.q(t.id()) + where.sql();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            where.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(new ChunkChecksum(rs.getLong(1), rs.getString(2) + ":" + rs.getString(3)));
            }
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, t.id());
        }
    }

    private static String crcPair(String first, String second) {
        return "CAST(IFNULL(BIT_XOR((CRC32(" + first + ") << 32) | CRC32C(" + second + ")), 0) AS CHAR)";
    }

    /** The cheapest {@link RowHash} this server computes correctly. */
    static RowHash rowHash(Connection c) throws SQLException {
        if (!hasCrc32c(c)) {
            return RowHash.MD5;
        }
        // the order of evaluation is the server's choice: ask it, on rows, as the checksum will
        try (Statement st = c.createStatement()) {
            st.execute("SET @tideway_row = NULL");
            try (ResultSet rs = st.executeQuery("SELECT BIT_XOR((CRC32(@tideway_row := v) << 32) | CRC32C(@tideway_row))"
                    + " <=> BIT_XOR((CRC32(v) << 32) | CRC32C(v)) FROM (SELECT 'tideway' v UNION ALL SELECT 'row') x")) {
                return rs.next() && rs.getInt(1) == 1 ? RowHash.CRC_ONE_TEXT : RowHash.CRC;
            }
        }
    }

    /** Kinds whose values, when NOT NULL, have a text without '#': no length needs to precede them. */
    private static final java.util.Set<Kind> NO_SEPARATOR = java.util.EnumSet.of(Kind.INT8, Kind.INT16, Kind.INT32, Kind.INT64,
            Kind.UINT8, Kind.UINT16, Kind.UINT32, Kind.UINT64, Kind.DECIMAL, Kind.FLOAT32, Kind.FLOAT64, Kind.BOOLEAN, Kind.DATE, Kind.TIME, Kind.TIME_OF_DAY,
            Kind.DATETIME, Kind.TIMESTAMP, Kind.YEAR);

    /** MariaDB 10.8 and later have CRC32C(); MySQL does not. */
    static boolean hasCrc32c(Connection c) throws SQLException {
        java.sql.DatabaseMetaData md = c.getMetaData();
        String v = md.getDatabaseProductVersion();
        if (v == null || !v.toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
            return false;
        }
        int major = md.getDatabaseMajorVersion();
        int minor = md.getDatabaseMinorVersion();
        return major > 10 || (major == 10 && minor >= 8);
    }
}

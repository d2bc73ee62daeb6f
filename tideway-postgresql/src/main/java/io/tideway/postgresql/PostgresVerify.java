package io.tideway.postgresql;

import static io.tideway.postgresql.PostgresDdl.q;
import io.tideway.core.model.Column;
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
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What verification asks of PostgreSQL: rows by key, chunk checksums computed by the server, and
 * correction scripts with literal values.
 */
final class PostgresVerify implements VerifyHashing {
    PostgresVerify() { }

    @Override
    public void checkRowFilter(Connection c, Table t, String filter) throws SQLException {
        PostgresRows.checkRowFilter(c, t, filter);
    }

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
    @Override
    public Optional<ChunkChecksum> chunkChecksum(Connection c, Table t, KeyRange range, String filter) throws SQLException {
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
}

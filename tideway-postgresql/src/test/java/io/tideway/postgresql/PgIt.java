package io.tideway.postgresql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.test.EmbeddedPostgreSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** Small helpers shared by the PostgreSQL dialect's integration tests. */
final class PgIt {
    private PgIt() { }

    static DataSourceConfig cfg(EmbeddedPostgreSql pg, String db) {
        return new DataSourceConfig(PostgresPlugin.POSTGRESQL, pg.host(), pg.port(), pg.user(), pg.password(), db, Map.of());
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static void exec(Connection c, List<String> sql) throws SQLException {
        exec(c, sql.toArray(String[]::new));
    }

    static List<Object[]> rows(PostgresDialect d, Connection c, Table t, KeyRange r) throws SQLException {
        List<Object[]> out = new ArrayList<>();
        try (RowCursor cur = d.rows().openRows(c, t, r, ReadOptions.DEFAULT)) {
            while (cur.next()) {
                out.add(cur.row().clone());
            }
        }
        return out;
    }

    /** A cursor as an iterator, so a copy streams from one database into another. */
    static Iterator<Object[]> iterate(RowCursor cur) {
        return new Iterator<>() {
            Boolean ahead;

            @Override
            public boolean hasNext() {
                if (ahead == null) {
                    try {
                        ahead = cur.next();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return ahead;
            }

            @Override
            public Object[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ahead = null;
                return cur.row();
            }
        };
    }
}

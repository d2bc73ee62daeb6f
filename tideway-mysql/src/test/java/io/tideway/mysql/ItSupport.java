package io.tideway.mysql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Shared helpers of the dialect's tests against the embedded MariaDB. */
final class ItSupport {
    static final MySqlDialect DIALECT = new MySqlDialect();

    private ItSupport() { }

    static EmbeddedMariaDb server() {
        return EmbeddedServers.mariadb();
    }

    static DataSourceConfig config(String database) {
        EmbeddedMariaDb db = server();
        return new DataSourceConfig(MySqlPlugin.MARIADB, db.host(), db.port(), db.user(), db.password(), database, Map.of());
    }

    static Connection connect(String database) {
        return DIALECT.connect(config(database));
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static Table table(Connection c, String schema, String name) throws SQLException {
        List<Table> ts = DIALECT.catalog().readTables(c, schema, id -> id.table().equals(name));
        if (ts.size() != 1) {
            throw new AssertionError("table " + schema + "." + name + " not found: " + ts);
        }
        return ts.get(0);
    }

    /** All rows of a range, copied out of the cursor (rows are reused), bytes shown as hex for comparison. */
    static List<List<Object>> rows(Connection c, Table t, KeyRange range, ReadOptions options) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (RowCursor cur = DIALECT.rows().openRows(c, t, range, options)) {
            while (cur.next()) {
                List<Object> r = new ArrayList<>();
                for (Object v : cur.row()) {
                    r.add(v instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : v);
                }
                out.add(r);
            }
        }
        return out;
    }

    static List<Object[]> rawRows(Connection c, Table t) throws SQLException {
        List<Object[]> out = new ArrayList<>();
        try (RowCursor cur = DIALECT.rows().openRows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
            while (cur.next()) {
                out.add(cur.row().clone());
            }
        }
        return out;
    }

    static Table moved(Table t, String schema) {
        return t.renamed(new TableId(schema, t.id().table()), Map.of());
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Include/exclude patterns and renames of schema, table and column, with the MetaDB kept in
 * PostgreSQL (--metadb-url) instead of the embedded file.
 */
@ExtendWith(EmbeddedServers.class)
class RenameIT {
    @TempDir
    Path tmp;

    @Test
    void patternsSelectAndRenamesPlaceEveryTableAndColumn() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), RenameIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), RenameIT.class, "dst");
        String meta = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), RenameIT.class, "meta");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INT PRIMARY KEY, amt DECIMAL(10,2), note VARCHAR(20), KEY ix_amt (amt))");
            s.execute("INSERT INTO orders VALUES (1, 9.99, 'a'), (2, 100.00, NULL)");
            s.execute("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO customers VALUES (1, 'Zoë')");
            s.execute("CREATE TABLE tmp_scratch (id INT PRIMARY KEY)");
            s.execute("CREATE TABLE `Tmp_Keep` (id INT PRIMARY KEY)");
        }
        Path project = Projects.write(tmp, "rename", "name: rename\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "tables:\n"
                + "  include: [\"" + src + ".*\"]\n"
                + "  exclude: [\"" + src + ".tmp_*\"]\n"
                + "  rename:\n"
                + "    schemas: { " + src + ": store }\n"
                + "    tables: { \"" + src + ".orders\": orders_v2 }\n"
                + "    columns: { \"" + src + ".orders.amt\": amount }\n"
                + "steps: [schema, full]\n");
        var pg = EmbeddedServers.postgres();
        int exit = Main.execute("--data-dir", tmp.resolve("data").toString(), "--metadb-url", pg.jdbcUrl(meta),
                "--metadb-user", pg.user(), "run", project.toString());
        assertThat(exit).isZero();
        try (Connection c = pg.connect(dst); Statement s = c.createStatement()) {
            assertThat(tables(s)).containsExactlyInAnyOrder("store.orders_v2", "store.customers", "store.Tmp_Keep");
            try (ResultSet rs = s.executeQuery("SELECT id, amount::text, note FROM store.orders_v2 ORDER BY id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("9.99");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("100.00");
                assertThat(rs.getString(3)).isNull();
            }
            try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'store' AND tablename = 'orders_v2'"
                    + " AND indexdef NOT LIKE '%pkey%'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the index follows the renamed column").contains("(amount)");
            }
        }
        try (Connection c = pg.connect(meta); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM project WHERE name = 'rename'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the project is recorded in the PostgreSQL MetaDB").isEqualTo(1);
        }
    }

    private static List<String> tables(Statement s) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT table_schema || '.' || table_name FROM information_schema.tables"
                + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

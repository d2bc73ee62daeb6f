package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class MariaDbToMariaDbIncrementalIT extends AbstractIncrementalIT {
    @Override DataSourceType source() { return DataSourceType.fromId("mariadb"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("mariadb"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override void fill(Connection c) throws SQLException { SampleData.mariadbSysbench(c, ROWS); }

    /** Table names MySQL allows that hold double quotes, backticks, single quotes and spaces. */
    static final List<String> QUOTED_NAMES = List.of("we\"ird", "\"lead", "tick` it's a''b", "sp ace\"");

    @Test
    void tablesWithQuotesInTheirNamesSyncAcrossARestart() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "q_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "q_dst");
        try (Connection c = connectSource(src); Statement s = c.createStatement()) {
            for (String t : QUOTED_NAMES) {
                s.execute("CREATE TABLE " + quote(t) + " (`i\"d` INT PRIMARY KEY, `v``al` VARCHAR(20))");
                s.execute("INSERT INTO " + quote(t) + " VALUES (1, 'one'), (2, 'two')");
            }
        }
        Path project = Projects.write(tmp, "quotes", "name: quotes\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "tables: { include: [\"" + src + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        Path data = tmp.resolve("data");
        // the first run copies the tables, starts the capture (its schema history written) and syncs
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project), QUOTED_NAMES.size());
        // changed while Tideway is stopped, a column added to one table: the second run reads its history back
        try (Connection c = connectSource(src); Statement s = c.createStatement()) {
            for (String t : QUOTED_NAMES) {
                s.execute("UPDATE " + quote(t) + " SET `v``al` = 'changed' WHERE `i\"d` = 1");
                s.execute("DELETE FROM " + quote(t) + " WHERE `i\"d` = 2");
                s.execute("INSERT INTO " + quote(t) + " (`i\"d`, `v``al`) VALUES (3, 'three')");
            }
            s.execute("ALTER TABLE " + quote(QUOTED_NAMES.get(0)) + " ADD COLUMN `n\"ew` INT");
            s.execute("INSERT INTO " + quote(QUOTED_NAMES.get(0)) + " VALUES (4, 'four', 44)");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project), QUOTED_NAMES.size());
        // and a third run reads back the history that holds the added column
        try (Connection c = connectSource(src); Statement s = c.createStatement()) {
            s.execute("UPDATE " + quote(QUOTED_NAMES.get(0)) + " SET `n\"ew` = 45 WHERE `i\"d` = 4");
            s.execute("UPDATE " + quote(QUOTED_NAMES.get(1)) + " SET `v``al` = 'third run' WHERE `i\"d` = 3");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project), QUOTED_NAMES.size());
    }

    /**
     * A small shop's set-up: the MetaDB is a database of the source's own server (and so is the
     * destination). The capture's start must not wait on the MetaDB's writes, nor they on it.
     */
    @Test
    void aMetaDbOnTheSourceServerRunsEveryStep() throws Exception {
        var server = EmbeddedServers.mariadb();
        String src = EmbeddedServers.freshDatabase(server, getClass(), "m_src");
        String dst = EmbeddedServers.freshDatabase(server, getClass(), "m_dst");
        String meta = EmbeddedServers.freshDatabase(server, getClass(), "m_meta");
        try (Connection c = connectSource(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_500");
        }
        Path project = Projects.write(tmp, "samemeta", "name: samemeta\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "tables: { include: [\"" + src + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        String[] run = {"--data-dir", tmp.resolve("data").toString(), "--metadb-url", server.jdbcUrl(meta),
                "--metadb-user", server.user(), "run", project.toString(), "--until", "synced"};
        assertThat(Main.execute(run)).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project));
        try (Connection c = connectSource(src); Statement s = c.createStatement()) {
            s.execute("UPDATE items SET name = 'changed' WHERE id <= 10");
            s.execute("DELETE FROM items WHERE id > 490");
            s.execute("ALTER TABLE items ADD COLUMN qty INT");
            s.execute("INSERT INTO items VALUES (501, 'new', 5)");
        }
        assertThat(Main.execute(run)).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project));
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}

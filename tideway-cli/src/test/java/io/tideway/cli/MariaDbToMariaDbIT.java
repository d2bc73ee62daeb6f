package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import io.tideway.engine.config.ProjectFiles;
import org.junit.jupiter.api.Test;

class MariaDbToMariaDbIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.fromId("mariadb"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("mariadb"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.mariadb(c);
        SampleData.mariadbShop(c, 6000);
        TypeRichData.mariadbOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "`" + schema + "`.all_types";
        assertThat(one(d, "SELECT CAST(u64 AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("18446744073709551615");
        assertThat(one(d, "SELECT CAST(tm AS CHAR) FROM " + t + " WHERE id = 1")).isEqualTo("-838:59:59.000000");
        assertThat(one(d, "SELECT HEX(bit64) FROM " + t + " WHERE id = 2")).isEqualTo("FFFFFFFFFFFFFFFF");
        assertThat(one(d, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + schema
                + "' AND TABLE_NAME = 'all_types' AND COLUMN_NAME = 'en'")).isEqualTo("enum('a','b c','d''e')");
        assertThat(one(d, "SELECT CAST(ts AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("2038-01-19 03:14:07.999999");
    }

    /**
     * Zero dates ('0000-00-00', '2020-00-15', a zero DATETIME and TIMESTAMP, in nullable and NOT NULL
     * columns) arrive verbatim, in the full copy and in the incremental sync (where the binlog gives
     * NULL, or a NOT NULL column's default or the epoch, in their place), beside real NULLs and real
     * 1970-01-01 values; verification tells a zero date from NULL.
     */
    @Test
    void zeroDatesArriveVerbatimAndVerificationTellsThemFromNull() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "zsrc");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "zdst");
        String cols = "(id, d, dt, ts, dn, dtn)";
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");   // no NO_ZERO_DATE, no NO_ZERO_IN_DATE
            st.execute("CREATE TABLE zd (id INT PRIMARY KEY, d DATE NULL, dt DATETIME NULL, ts TIMESTAMP NULL DEFAULT NULL,"
                    + " dn DATE NOT NULL, dtn DATETIME(3) NOT NULL DEFAULT '2000-01-01 00:00:00')");
            st.execute("INSERT INTO zd " + cols + " VALUES"
                    + " (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00', '0000-00-00 00:00:00'),"
                    + " (2, '2020-00-15', '2020-05-00 10:00:00', NULL, '1970-01-01', '2000-01-01'),"
                    + " (3, NULL, NULL, NULL, '2024-02-29', '2024-02-29 12:00:00.5')");
        }
        Path data = tmp.resolve("zdata");
        Path project = Projects.write(tmp, "zd", "name: zero-dates-maria\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        io.tideway.core.project.ProjectConfig cfg = ProjectFiles.load(project);
        try (Runs.InProcess run = Runs.synced(project, data);
                Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
            st.execute("INSERT INTO zd " + cols + " VALUES"
                    + " (4, '0000-00-00', '2021-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00', '0000-00-00 00:00:00'),"
                    + " (5, NULL, NULL, NULL, '1970-01-01', '1970-01-01 00:00:00'),"
                    + " (6, '1970-01-01', '1970-01-01 00:00:00', NULL, '2000-01-01', '2000-01-01 00:00:00')");
            st.execute("UPDATE zd SET d = '0000-00-00', dn = '2024-00-01', dtn = '2000-01-01' WHERE id = 3");
            st.execute("UPDATE zd SET d = NULL, dn = '1970-01-01' WHERE id = 1");
            Runs.awaitEqual(cfg, run.failure(), java.time.Duration.ofSeconds(90));
        }
        try (Connection d = connectDestination(dstDb)) {
            String t = "`" + dstDb + "`.zd";
            assertThat(one(d, "SELECT CONCAT_WS('|', id, d, dt, ts, dn, dtn) FROM " + t + " WHERE id = 4"))
                    .isEqualTo("4|0000-00-00|2021-00-00 00:00:00|0000-00-00 00:00:00|0000-00-00|0000-00-00 00:00:00.000");
            assertThat(one(d, "SELECT CONCAT_WS('|', id, d, dn, dtn) FROM " + t + " WHERE id = 3"))
                    .isEqualTo("3|0000-00-00|2024-00-01|2000-01-01 00:00:00.000");
            assertThat(one(d, "SELECT CONCAT_WS('|', id, IFNULL(d, 'null'), dn) FROM " + t + " WHERE id = 1")).isEqualTo("1|null|1970-01-01");
            assertThat(one(d, "SELECT CONCAT_WS('|', id, d, dt, dn) FROM " + t + " WHERE id = 2"))
                    .isEqualTo("2|2020-00-15|2020-05-00 10:00:00|1970-01-01");
            assertThat(one(d, "SELECT CONCAT_WS('|', id, IFNULL(d, 'null'), dn, dtn) FROM " + t + " WHERE id = 5"))
                    .isEqualTo("5|null|1970-01-01|1970-01-01 00:00:00.000");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).as("verify, equal").isZero();
        try (Connection d = connectDestination(dstDb); Statement st = d.createStatement()) {
            st.execute("UPDATE `" + dstDb + "`.zd SET d = NULL WHERE id = 4");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString()))
                .as("verify, a zero date against NULL").isEqualTo(1);
    }

    /**
     * Character sets and collations are carried verbatim between MySQL-family databases, the
     * table's and each column's, also for a column added and one changed during sync: a
     * utf8mb4_bin primary key and unique key holding values that differ only in case copy.
     */
    @Test
    void collationsAndCharacterSetsAreCarriedVerbatim() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "csrc");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "cdst");
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE coll (k VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY,"
                    + " u VARCHAR(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_ci, l VARCHAR(20) CHARACTER SET latin2,"
                    + " x VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_as_cs, b VARCHAR(10) COLLATE utf8mb4_bin,"
                    + " t TEXT, e ENUM('a', 'B') CHARACTER SET ascii COLLATE ascii_bin, UNIQUE KEY uk_b (b))"
                    + " DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci");
            st.execute("INSERT INTO coll VALUES ('a', 'ü', 'łódź', 'x', 'x', 'é', 'a'), ('A', 'Ü', 'ŁÓDŹ', 'X', 'X', 'É', 'B')");
        }
        Path data = tmp.resolve("cdata");
        Path project = Projects.write(tmp, "coll", "name: collations-maria\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        io.tideway.core.project.ProjectConfig cfg = ProjectFiles.load(project);
        try (Runs.InProcess run = Runs.synced(project, data);
                Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE coll ADD COLUMN n VARCHAR(5) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin");
            st.execute("ALTER TABLE coll MODIFY t TEXT CHARACTER SET latin2 COLLATE latin2_bin");
            st.execute("INSERT INTO coll (k, b, n, t) VALUES ('b', 'y', 'n', 'q'), ('B', 'Y', 'N', 'Q')");
            Runs.awaitEqual(cfg, run.failure(), java.time.Duration.ofSeconds(90));
        }
        String collations = "SELECT GROUP_CONCAT(COLUMN_NAME, '=', IFNULL(COLLATION_NAME, '-') ORDER BY ORDINAL_POSITION)"
                + " FROM information_schema.COLUMNS WHERE TABLE_NAME = 'coll' AND TABLE_SCHEMA = ";
        String tableCollation = "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_NAME = 'coll' AND TABLE_SCHEMA = ";
        try (Connection d = connectDestination(dstDb)) {
            String want = one(d, collations + "'" + srcDb + "'");
            assertThat(want).contains("u=utf8mb3_unicode_ci").contains("l=latin2_general_ci").contains("n=utf8mb3_bin")
                    .contains("t=latin2_bin");
            assertThat(one(d, collations + "'" + dstDb + "'")).isEqualTo(want);
            assertThat(one(d, tableCollation + "'" + dstDb + "'")).isEqualTo("latin1_swedish_ci");
            assertThat(one(d, "SELECT COUNT(*) FROM `" + dstDb + "`.coll")).isEqualTo("4");
        }
    }
}

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

class MariaDbToPostgresIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.fromId("mariadb"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("postgresql"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.mariadb(c);
        SampleData.mariadbShop(c, 6000);
        TypeRichData.mariadbOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "\"" + schema + "\".all_types";
        assertThat(one(d, "SELECT u64::text FROM " + t + " WHERE id = 2")).isEqualTo("18446744073709551615");
        assertThat(one(d, "SELECT tm::text FROM " + t + " WHERE id = 1")).isEqualTo("-838:59:59");
        assertThat(one(d, "SELECT to_char(dtm, 'YYYY-MM-DD HH24:MI:SS.US') FROM " + t + " WHERE id = 2")).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(one(d, "SELECT extract(epoch FROM ts)::text FROM " + t + " WHERE id = 2")).isEqualTo("2147483647.999999");
        assertThat(one(d, "SELECT d65::text FROM " + t + " WHERE id = 2"))
                .isEqualTo("99999999999999999999999999999999999.999999999999999999999999999999");
        assertThat(one(d, "SELECT encode(bl, 'hex') FROM " + t + " WHERE id = 2")).isEqualTo("00000000ff00");
        assertThat(one(d, "SELECT vc FROM " + t + " WHERE id = 2")).startsWith("emoji 😀𝄞 ü tab\there");
        assertThat(one(d, "SELECT js->'a'->>1 FROM " + t + " WHERE id = 2")).isEqualTo("2.5");
        assertThat(one(d, "SELECT count(*) FROM \"" + schema + "\".\"Select Me \"\"q\"\" `b`\" WHERE \"Mixed Case `col` \"\"x\"\"\" = -1"))
                .isEqualTo("1");
    }

    /**
     * Zero dates across families: one in a NOT NULL column is refused by the precheck (with each
     * column, its count and the choices) before anything is created; with a replacement date the
     * copy and the sync write it, and verification tells the replaced zero date from NULL.
     */
    @Test
    void zeroDatesAreRefusedAtPrecheckInNotNullColumnsAndReplacedAsChosen() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "zsrc");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "zdst");
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
            st.execute("CREATE TABLE zd (id INT PRIMARY KEY, d DATE NULL, dn DATE NOT NULL, dtn DATETIME NOT NULL)");
            st.execute("INSERT INTO zd VALUES (1, '0000-00-00', '0000-00-00', '2020-00-15 10:00:00'),"
                    + " (2, NULL, '2021-03-04', '2021-03-04 05:06:07'), (3, '2022-00-00', '2022-01-01', '2022-01-01 00:00:00')");
        }
        String head = "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n";
        Path refused = Projects.write(tmp, "zd-default", "name: zero-dates-pg-default\n" + head + "steps: [schema, full]\n");
        Runs.Printed out = Runs.printed("--data-dir", tmp.resolve("zdata0").toString(), "run", refused.toString());
        assertThat(out.exit()).as(out.output()).isNotZero();
        assertThat(out.output()).contains("source.zero_dates").contains(srcDb + ".zd.dn: 1 zero date (NOT NULL)")
                .contains(srcDb + ".zd.dtn: 1 zero date (NOT NULL)").contains(srcDb + ".zd.d: 2 zero dates")
                .contains("0001-01-01").contains("full.zero-dates");
        try (Connection d = connectDestination(dstDb)) {
            assertThat(one(d, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + srcDb + "'"))
                    .as("nothing created").isEqualTo("0");
        }

        Path data = tmp.resolve("zdata");
        Path project = Projects.write(tmp, "zd", "name: zero-dates-pg\n" + head + "steps: [schema, full, incremental]\n"
                + "full: { zero-dates: 0001-01-01 }\n");
        io.tideway.core.project.ProjectConfig cfg = ProjectFiles.load(project);
        try (Runs.InProcess run = Runs.synced(project, data);
                Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
            st.execute("INSERT INTO zd VALUES (4, '0000-00-00', '0000-00-00', '0000-00-00 00:00:00'),"
                    + " (5, NULL, '1970-01-01', '1970-01-01 00:00:00')");
            st.execute("UPDATE zd SET dn = '2021-00-00' WHERE id = 2");
            Runs.awaitEqual(cfg, run.failure(), java.time.Duration.ofSeconds(90));
        }
        try (Connection d = connectDestination(dstDb)) {
            String t = "\"" + srcDb + "\".zd";
            assertThat(one(d, "SELECT concat_ws('|', id, d, dn, dtn) FROM " + t + " WHERE id = 1"))
                    .isEqualTo("1|0001-01-01|0001-01-01|0001-01-01 00:00:00");
            assertThat(one(d, "SELECT concat_ws('|', id, d, dn, dtn) FROM " + t + " WHERE id = 4"))
                    .isEqualTo("4|0001-01-01|0001-01-01|0001-01-01 00:00:00");
            assertThat(one(d, "SELECT concat_ws('|', id, coalesce(d::text, 'null'), dn) FROM " + t + " WHERE id = 2"))
                    .isEqualTo("2|null|0001-01-01");
            assertThat(one(d, "SELECT concat_ws('|', id, coalesce(d::text, 'null'), dn, dtn) FROM " + t + " WHERE id = 5"))
                    .isEqualTo("5|null|1970-01-01|1970-01-01 00:00:00");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).as("verify, equal").isZero();
        try (Connection d = connectDestination(dstDb); Statement st = d.createStatement()) {
            st.execute("UPDATE \"" + srcDb + "\".zd SET d = NULL WHERE id = 3");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString()))
                .as("verify, a replaced zero date against NULL").isEqualTo(1);
    }

    /**
     * A zero-date DEFAULT has no PostgreSQL equivalent: planned before anything is created, it is
     * refused naming table, column and default when full.zero-dates is fail, dropped (null, the
     * default) or replaced by the chosen date, each said by the precheck under schema.conversions.
     */
    @Test
    void zeroDateDefaultsAreDroppedReplacedOrRefusedBeforeAnythingIsCreated() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "zdsrc");
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
            st.execute("CREATE TABLE a_first (id INT PRIMARY KEY)");
            st.execute("CREATE TABLE zz (id INT PRIMARY KEY, d DATE NOT NULL DEFAULT '0000-00-00',"
                    + " dt DATETIME DEFAULT '0000-00-00 00:00:00', ok DATE DEFAULT '2000-01-01')");
            st.execute("INSERT INTO zz (id, d) VALUES (1, '2024-05-06')");
        }
        String[] choices = {"fail", null, "1970-01-01"};
        for (int i = 0; i < choices.length; i++) {
            String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "zddst" + i);
            Path project = Projects.write(tmp, "zdd" + i, "name: zero-default-" + i + "\n"
                    + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                    + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                    + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                    + "steps: [schema, full]\n"
                    + (choices[i] == null ? "" : "full: { zero-dates: " + choices[i] + " }\n"));
            Runs.Printed run = Runs.printed("--data-dir", tmp.resolve("zdd" + i).toString(), "run", project.toString());
            try (Connection d = connectDestination(dstDb)) {
                if (choices[i] != null && choices[i].equals("fail")) {
                    assertThat(run.exit()).as(run.output()).isNotZero();
                    assertThat(run.output()).contains("zz").contains("column d: default '0000-00-00' is a MySQL zero date")
                            .contains("column dt: default '0000-00-00 00:00:00'").contains("full.zero-dates");
                    assertThat(one(d, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + srcDb + "'"))
                            .as("nothing created").isEqualTo("0");
                    continue;
                }
                assertThat(run.exit()).as(run.output()).isZero();
                String defaults = "SELECT string_agg(column_name || '=' || coalesce(column_default, 'none'), ',' ORDER BY column_name)"
                        + " FROM information_schema.columns WHERE table_schema = '" + srcDb + "' AND table_name = 'zz'";
                Runs.Printed pre = Runs.printed("--data-dir", tmp.resolve("zdd" + i).toString(), "precheck", project.toString());
                if (choices[i] == null) {
                    assertThat(one(d, defaults)).isEqualTo("d=none,dt=none,id=none,ok='2000-01-01'::date");
                    assertThat(pre.output()).contains("schema.conversions")
                            .contains("column d: default '0000-00-00' is a zero date: the default is dropped (full.zero-dates: null)");
                } else {
                    assertThat(one(d, defaults))
                            .isEqualTo("d='1970-01-01'::date,dt='1970-01-01 00:00:00'::timestamp without time zone,id=none,"
                                    + "ok='2000-01-01'::date");
                    assertThat(pre.output())
                            .contains("column dt: default '0000-00-00 00:00:00' is a zero date: the default becomes '1970-01-01 00:00:00'");
                }
                assertThat(one(d, "SELECT d::text FROM \"" + srcDb + "\".zz WHERE id = 1")).isEqualTo("2024-05-06");
            }
        }
    }

    /**
     * Across families a binary collation becomes PostgreSQL's "C" (case- and accent-sensitive, code
     * order), and a case-insensitive key collation, which PostgreSQL cannot express, is listed
     * under schema.conversions.
     */
    @Test
    void binaryCollationsBecomeCAndInsensitiveKeysAreListed() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "csrc");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "cdst");
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE coll (k VARCHAR(10) COLLATE utf8mb4_bin PRIMARY KEY, ci VARCHAR(10) COLLATE utf8mb4_general_ci,"
                    + " v TEXT, UNIQUE KEY uk_ci (ci))");
            st.execute("INSERT INTO coll VALUES ('a', 'x', 'one'), ('A', 'y', 'two'), ('b', 'z', 'three')");
        }
        Path project = Projects.write(tmp, "coll", "name: collations-pg\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full]\n");
        Path data = tmp.resolve("cdata");
        Runs.Printed pre = Runs.printed("--data-dir", data.toString(), "precheck", project.toString());
        assertThat(pre.output()).contains("schema.conversions").contains("column ci: collation utf8mb4_general_ci of a key is not carried");
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString())).isZero();
        try (Connection d = connectDestination(dstDb)) {
            assertThat(one(d, "SELECT string_agg(column_name || '=' || coalesce(collation_name, '-'), ',' ORDER BY ordinal_position)"
                    + " FROM information_schema.columns WHERE table_schema = '" + srcDb + "' AND table_name = 'coll'"))
                    .isEqualTo("k=C,ci=-,v=-");
            assertThat(one(d, "SELECT string_agg(k, ',' ORDER BY k) FROM \"" + srcDb + "\".coll")).isEqualTo("A,a,b");
        }
        Runs.assertEqualNow(ProjectFiles.load(project));
    }
}

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

class PostgresToMariaDbIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.fromId("postgresql"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("mariadb"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.postgres(c);
        SampleData.postgresShop(c, 6000);
        TypeRichData.postgresOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "`" + schema + "`.all_types";
        assertThat(one(d, "SELECT CAST(iv AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("838:59:59.000000");
        assertThat(one(d, "SELECT CAST(tz AS CHAR) FROM " + t + " WHERE id = 4")).isEqualTo("2024-06-30 12:34:56.123456");
        assertThat(one(d, "SELECT CAST(n AS CHAR) FROM " + t + " WHERE id = 2"))
                .isEqualTo("99999999999999999999999999999999999.999999999999999999999999999999");
        assertThat(one(d, "SELECT HEX(`by`) FROM " + t + " WHERE id = 2")).isEqualTo("00FF0010");
        assertThat(one(d, "SELECT mo FROM " + t + " WHERE id = 2")).isEqualTo("happy 😀");
        assertThat(one(d, "SELECT JSON_EXTRACT(tarr, '$[2]') FROM " + t + " WHERE id = 2")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(one(d, "SELECT COUNT(*) FROM `" + schema + "`.`Select Me \"q\" ``b``` WHERE `Mixed Case ``col`` \"x\"` = -1"))
                .isEqualTo("1");
    }

    /** A project copying the source's public schema (schema and full steps only). */
    private java.nio.file.Path copyProject(String name, String srcDb, String dstDb) throws Exception {
        return Projects.write(tmp, name, "name: it-pg-" + name + "\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"public.*\"] }\n"
                + "steps: [schema, full]\n");
    }

    /** The precheck's schema.conversions items of a project. */
    private static java.util.List<io.tideway.core.spi.CheckResult> conversions(java.nio.file.Path project) throws Exception {
        var cfg = io.tideway.engine.config.ProjectFiles.load(project);
        return io.tideway.engine.Precheck.run(cfg, io.tideway.engine.Endpoints.of(cfg), java.util.Set.of()).items().stream()
                .filter(i -> i.item().equals("schema.conversions")).toList();
    }

    @Test
    void twoSerialColumnsKeepTheirValuesAndTheKeyKeepsAutoIncrement() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "serials_src");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "serials_dst");
        try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE serials (pk serial PRIMARY KEY, ss smallserial, v text)");
            s.execute("INSERT INTO serials (v) VALUES ('a'), ('b')");
            s.execute("INSERT INTO serials VALUES (10, 7, 'c')");
            // a serial that is not the key, and a table whose key is not its serial
            s.execute("CREATE TABLE tickets (code text PRIMARY KEY, seq bigserial, n smallserial)");
            s.execute("INSERT INTO tickets (code) VALUES ('x'), ('y')");
        }
        java.nio.file.Path project = copyProject("serials", srcDb, dstDb);
        assertThat(conversions(project)).anySatisfy(i -> {
            assertThat(i.detail()).contains(".serials: column ss").contains("pk keeps it")
                    .contains(".tickets: column n").contains("seq keeps it");
        });
        assertThat(Main.execute("--data-dir", tmp.resolve("serials-data").toString(), "run", project.toString())).isZero();
        try (Connection d = connectDestination(dstDb); java.sql.Statement s = d.createStatement()) {
            StringBuilder rows = new StringBuilder();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT pk, ss, v FROM serials ORDER BY pk")) {
                while (rs.next()) {
                    rows.append(rs.getInt(1)).append(',').append(rs.getInt(2)).append(',').append(rs.getString(3)).append(';');
                }
            }
            assertThat(rows.toString()).isEqualTo("1,1,a;2,2,b;10,7,c;");
            assertThat(one(d, "SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name) ORDER BY table_name) FROM"
                    + " information_schema.columns WHERE table_schema = '" + dstDb + "' AND extra LIKE '%auto_increment%'"))
                    .isEqualTo("serials.pk,tickets.seq");
            // the application's own inserts go on numbering the key
            s.execute("INSERT INTO serials (ss, v) VALUES (8, 'd')");
            assertThat(one(d, "SELECT pk FROM serials WHERE v = 'd'")).isEqualTo("11");
            assertThat(one(d, "SELECT CONCAT(code, seq, n) FROM tickets WHERE code = 'y'")).isEqualTo("y22");
        }
    }

    /**
     * PostgreSQL bit varying becomes a varchar of its bits' text (listed under schema.conversions),
     * leading zeros and empty strings kept, in the full copy and the incremental sync, and
     * verification compares it.
     */
    @Test
    void bitVaryingBecomesVarcharOfItsBits() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "vsrc");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "vdst");
        try (Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE vb (id int PRIMARY KEY, b bit varying(8), u varbit)");
            st.execute("INSERT INTO vb VALUES (1, B'0101', B'1'), (2, B'', B''), (3, NULL, B'000111000')");
        }
        Path data = tmp.resolve("vdata");
        Path project = Projects.write(tmp, "vb", "name: varbit-maria\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"public.*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        Runs.Printed pre = Runs.printed("--data-dir", data.toString(), "precheck", project.toString());
        assertThat(pre.output()).contains("schema.conversions").contains("column b: bit varying(8) is created as varchar(8)");
        io.tideway.core.project.ProjectConfig cfg = ProjectFiles.load(project);
        try (Runs.InProcess run = Runs.synced(project, data);
                Connection c = connectSource(srcDb); Statement st = c.createStatement()) {
            st.execute("INSERT INTO vb VALUES (4, B'00000001', B'0')");
            st.execute("UPDATE vb SET b = B'1', u = B'0010' WHERE id = 1");
            Runs.awaitEqual(cfg, run.failure(), java.time.Duration.ofSeconds(90));
        }
        try (Connection d = connectDestination(dstDb)) {
            assertThat(one(d, "SELECT GROUP_CONCAT(id, ':', IFNULL(b, 'null'), ':', u ORDER BY id SEPARATOR ' ') FROM `" + dstDb + "`.vb"))
                    .isEqualTo("1:1:0010 2:: 3:null:000111000 4:00000001:0");
            assertThat(one(d, "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + dstDb
                    + "' AND TABLE_NAME = 'vb' AND COLUMN_NAME = 'b'")).isEqualTo("varchar");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
    }

    @Test
    void arraysBecomeJsonAndThePrecheckSaysWhatIsNotKept() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "arrays_src");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "arrays_dst");
        try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE arrs (id int PRIMARY KEY, a int[], d date[])");
            s.execute("INSERT INTO arrs VALUES (1, '[0:2]={1,2,3}', '{2024-01-02}')");
        }
        java.nio.file.Path project = copyProject("arrays", srcDb, dstDb);
        assertThat(conversions(project)).anySatisfy(i -> {
            assertThat(i.detail()).contains(".arrs: column a: array").contains(".arrs: column d: array")
                    .contains("lower bounds other than 1 and the element type are not kept");
        });
        assertThat(Main.execute("--data-dir", tmp.resolve("arrays-data").toString(), "run", project.toString())).isZero();
        try (Connection d = connectDestination(dstDb)) {
            // as the precheck said: the elements arrive, their lower bound 0 does not
            assertThat(one(d, "SELECT CONCAT(JSON_EXTRACT(a, '$[0]'), ' ', JSON_LENGTH(a), ' ', JSON_EXTRACT(d, '$[0]'))"
                    + " FROM arrs WHERE id = 1")).isEqualTo("1 3 \"2024-01-02\"");
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PostgresToPostgresIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.fromId("postgresql"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("postgresql"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.postgres(c);
        SampleData.postgresShop(c, 6000);
        TypeRichData.postgresOddNames(c);
        c.createStatement().execute("CREATE TABLE net (id integer PRIMARY KEY, addr inet, price money, tags text[])");
        c.createStatement().execute("INSERT INTO net VALUES (1, '192.168.0.1/24', 12.5, '{a,b}'), (2, '::1', NULL, NULL)");
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "\"" + schema + "\".all_types";
        assertThat(one(d, "SELECT pg_typeof(mo)::text FROM " + t + " WHERE id = 2")).endsWith("mood");
        assertThat(one(d, "SELECT iv::text FROM " + t + " WHERE id = 2")).isEqualTo("838:59:59");
        assertThat(one(d, "SELECT tarr[3] FROM " + t + " WHERE id = 2")).isEqualTo("say \"hi\"");
        assertThat(one(d, "SELECT host(addr) FROM \"" + schema + "\".net WHERE id = 1")).isEqualTo("192.168.0.1");
        assertThat(one(d, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"" + schema
                + "\".all_types'::regclass AND attname = 'tz'")).isEqualTo("timestamp(6) with time zone");
    }

    /** The values of every column of table odd, by id, as PostgreSQL prints them. */
    private static java.util.Map<Integer, String> oddRows(Connection c) throws SQLException {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        try (java.sql.ResultSet rs = c.createStatement().executeQuery(
                "SELECT id, ROW(arr, n, n2, iv, hs, h, nums)::text FROM odd ORDER BY id")) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void arrayBoundsNumericSpecialsMonthIntervalsAndHstoreArraysArriveVerbatimByCopyAndSync() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "verbatim_src");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "verbatim_dst");
        String insert = "INSERT INTO odd VALUES "
                + "(1, '[0:2]={1,2,3}', 'NaN', 'NaN', '1 mon', ARRAY['a=>1', '\"b c\"=>NULL']::hstore[], 'x=>y', '{NaN,1.50}'), "
                + "(2, '{4,5}', 'Infinity', 1.50, '1 year 2 mons 3 days 04:05:06.789', NULL, NULL, '[2:2]={Infinity}'), "
                + "(3, '[-1:0][1:2]={{1,2},{3,4}}', '-Infinity', NULL, '-1 mon +2 days', '{}', '', NULL)";
        try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION hstore");
            s.execute("CREATE TABLE odd (id int PRIMARY KEY, arr int[], n numeric, n2 numeric(10,2), iv interval, hs hstore[],"
                    + " h hstore, nums numeric[])");
            s.execute(insert);
        }
        try (Connection d = connectDestination(dstDb); java.sql.Statement s = d.createStatement()) {
            s.execute("CREATE EXTENSION hstore");
        }
        java.nio.file.Path data = tmp.resolve("verbatim-data");
        java.nio.file.Path project = Projects.write(tmp, "verbatim", "name: it-pg-verbatim\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"public.*\"] }\n"
                + "steps: [schema, full, incremental]\n");
        try (Runs.InProcess run = Runs.synced(project, data)) {
            try (Connection c = connectSource(srcDb); Connection d = connectDestination(dstDb)) {
                assertThat(oddRows(d)).as("after the full copy").isEqualTo(oddRows(c)).hasSize(3);
                assertThat(one(d, "SELECT arr::text FROM odd WHERE id = 1")).isEqualTo("[0:2]={1,2,3}");
            }
            // the same values through change capture, spool and apply
            try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
                s.execute(insert.replace("(1, ", "(11, ").replace("(2, ", "(12, ").replace("(3, ", "(13, "));
                s.execute("UPDATE odd SET arr = '[5:6]={7,8}', n = 'NaN', n2 = 'NaN', iv = '2 mons -1 day',"
                        + " hs = ARRAY['k=>\"v,w\"']::hstore[], h = 'p=>q', nums = '[0:0]={-Infinity}' WHERE id = 2");
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(run.failure().get()).as("the run failed").isNull();
                try (Connection c = connectSource(srcDb); Connection d = connectDestination(dstDb)) {
                    assertThat(oddRows(d)).as("after the sync").isEqualTo(oddRows(c)).hasSize(6);
                }
            });
            Runs.assertEqualNow(run.cfg());
        }
        // verification tells a lost lower bound from the source's array
        try (Connection d = connectDestination(dstDb); java.sql.Statement s = d.createStatement()) {
            s.execute("UPDATE odd SET arr = '{1,2,3}' WHERE id = 1");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isEqualTo(1);
    }

    @Test
    void aSchemaWhoseNameHoldsADotIsSelectedRenamedAndVerifiedByItsQuotedName() throws Exception {
        String srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dotted_src");
        String dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dotted_dst");
        try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"Quoted_\"\" . Schema\"");
            s.execute("CREATE TABLE \"Quoted_\"\" . Schema\".a (id int PRIMARY KEY, \"x.y\" text, noise int)");
            s.execute("CREATE TABLE \"Quoted_\"\" . Schema\".tmp (id int PRIMARY KEY)");
            s.execute("INSERT INTO \"Quoted_\"\" . Schema\".a VALUES (1, 'one', 1), (2, 'two', 2)");
            // what the pattern would name if it split at its first dot
            s.execute("CREATE SCHEMA \"Quoted_\"\" \"");
            s.execute("CREATE TABLE \"Quoted_\"\" \".other (id int PRIMARY KEY)");
        }
        String q = "'\"Quoted_\"\" . Schema\"";
        java.nio.file.Path data = tmp.resolve("dotted-data");
        java.nio.file.Path project = Projects.write(tmp, "dotted", "name: it-pg-dotted\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables:\n"
                + "  include: [" + q + ".*']\n"
                + "  exclude: [" + q + ".tmp']\n"
                + "  rename:\n"
                + "    tables: { " + q + ".a': a2 }\n"
                + "    columns: { " + q + ".a.\"x.y\"': xy }\n"
                + "steps: [schema, full, incremental, verify]\n"
                + "verify: { exclude-columns: [" + q + ".a.noise'], where: { " + q + ".a': 'id > 0' } }\n");
        try (Runs.InProcess run = Runs.synced(project, data)) {
            try (Connection c = connectSource(srcDb); java.sql.Statement s = c.createStatement()) {
                s.execute("INSERT INTO \"Quoted_\"\" . Schema\".a VALUES (3, 'three', 3)");
            }
            Runs.awaitEqual(run.cfg(), run.failure(), java.time.Duration.ofSeconds(60));
        }
        try (Connection d = connectDestination(dstDb)) {
            assertThat(one(d, "SELECT string_agg(id || ':' || xy, ',' ORDER BY id) FROM \"Quoted_\"\" . Schema\".a2"))
                    .isEqualTo("1:one,2:two,3:three");
            assertThat(one(d, "SELECT string_agg(nspname || '.' || relname, ',' ORDER BY relname) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND nspname LIKE 'Quoted%'"
                    + " AND relname NOT LIKE 'tideway\\_%'"))
                    .as("only the selected table (beside Tideway's own)").isEqualTo("Quoted_\" . Schema.a2");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "verify", project.toString())).isZero();
    }
}

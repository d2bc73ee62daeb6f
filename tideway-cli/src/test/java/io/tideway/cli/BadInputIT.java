package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input catalogue: each mistake gets a clear one-line error naming what was wrong and
 * what is expected, the documented exit code, and leaves nothing half-done on the destination.
 */
@ExtendWith(EmbeddedServers.class)
class BadInputIT {
    /** A MariaDB with grant tables on, for logins and privileges (the shared one runs without them). */
    static EmbeddedMariaDb secured;

    @TempDir
    Path tmp;

    record Outcome(int exit, String out, String err) { }

    @BeforeAll
    static void startSecured() throws Exception {
        secured = EmbeddedMariaDb.start();
        try (Connection c = secured.connect(null); Statement s = c.createStatement()) {
            s.execute("FLUSH PRIVILEGES");
            s.execute("CREATE DATABASE shop");
            s.execute("CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(10))");
            s.execute("INSERT INTO shop.t VALUES (1, 'a')");
            s.execute("CREATE DATABASE target");
            for (String host : List.of("%", "localhost", "127.0.0.1")) {
                s.execute("CREATE USER 'reader'@'" + host + "' IDENTIFIED BY 'Read3r!'");
                s.execute("GRANT SELECT ON shop.* TO 'reader'@'" + host + "'");
                s.execute("GRANT SELECT ON target.* TO 'reader'@'" + host + "'");
                s.execute("CREATE USER 'admin'@'" + host + "' IDENTIFIED BY 'Adm1n!'");
                s.execute("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'" + host + "'");
            }
        }
    }

    @AfterAll
    static void stopSecured() {
        secured.close();
    }

    private Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] full = new String[args.length + 2];
            full[0] = "--data-dir";
            full[1] = tmp.resolve("data").toString();
            System.arraycopy(args, 0, full, 2, args.length);
            int exit = Main.execute(full);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Outcome runProject(String yaml) throws Exception {
        return run("run", Projects.write(tmp, "bad", yaml).toString());
    }

    private static String securedEndpoint(String user, String password, String db) {
        return "{ type: mariadb, host: 127.0.0.1, port: " + secured.port() + ", user: " + user + ", password: \"" + password
                + "\", database: " + db + " }";
    }

    private String okProject(String sourceDb, String destDb) {
        return "name: bad\nsource: " + Projects.endpoint(DataSourceType.fromId("mariadb"), sourceDb) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), destDb) + "\nsteps: [schema, full]\n";
    }

    @Test
    void malformedYamlNamesTheLine() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: mariadb, host: [oops\nsteps: [schema]\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("bad.yaml").containsPattern("line \\d+");
    }

    @Test
    void unknownKeyNamesTheKeyItsLineAndTheExpectedKeys() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: mariadb, hots: h, user: u, database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("line 2").contains("hots").contains("host");
    }

    @Test
    void unknownTypeListsTheAcceptedTypes() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: oracle, host: h, user: u, database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("oracle").contains("mysql").contains("mariadb").contains("oceanbase-mysql").contains("postgresql");
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: mariadb, user: u, database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("source.host");
    }

    @Test
    void unsetEnvironmentVariableIsNamed() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: mariadb, host: h, user: u, password: \"${env:TIDEWAY_TEST_SURELY_UNSET}\", database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("TIDEWAY_TEST_SURELY_UNSET").contains("source.password");
    }

    @Test
    void anUnknownDdlOptionNamesTheKeyItsLineAndTheAcceptedValues() throws Exception {
        Outcome o = runProject("name: x\nsource: { type: mariadb, host: h, user: u, database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n"
                + "incremental: { ddl: apply }\n");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("line 5").contains("incremental.ddl").contains("follow, ignore, stop").contains("'apply'");
    }

    @Test
    void aBadCommandLineOverrideIsNamedWithWhatIsExpectedOnEveryCommandThatTakesAProjectFile() throws Exception {
        String file = Projects.write(tmp, "bad", "name: x\nsource: { type: mariadb, host: h, user: u, database: d }\n"
                + "destination: { type: postgresql, host: h, user: u, database: d }\nsteps: [schema]\n").toString();
        for (String command : List.of("run", "verify", "precheck", "status", "switchover")) {
            Outcome o = run(command, file, "--set", "full.parallelism=0", "--set", "incremental.dll=stop");
            assertThat(o.exit()).as(command).isEqualTo(2);
            assertThat(o.err()).as(command).contains("bad.yaml: --set: full.parallelism: expected a whole number from 1 to 1024, got 0")
                    .contains("unknown key 'incremental.dll'").contains("did you mean 'incremental.ddl'?");
        }
        Outcome o = run("verify", file, "--sample", "2");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).contains("--sample: expected a share of the chunks above 0 and at most 1");
    }

    @Test
    void unreachableHostNamesHostAndPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "unreach_dst");
        Outcome o = runProject("name: x\nsource: { type: mariadb, host: 127.0.0.1, port: " + port + ", user: u, database: d }\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\nsteps: [schema, full]\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("127.0.0.1:" + port).contains("source.reachable");
    }

    @Test
    void wrongPasswordIsALoginFailureThatNamesTheUserNotThePassword() throws Exception {
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "login_dst");
        Outcome o = runProject("name: x\nsource: " + securedEndpoint("reader", "wrong-Pa55", "shop") + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\nsteps: [schema, full]\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("source.login").contains("reader").doesNotContain("wrong-Pa55");
        assertThat(o.out()).doesNotContain("wrong-Pa55");
    }

    @Test
    void missingPrivilegeNamesThePrivilegeAndTheDatabase() throws Exception {
        Outcome o = runProject("name: x\nsource: " + securedEndpoint("reader", "Read3r!", "shop") + "\n"
                + "destination: " + securedEndpoint("reader", "Read3r!", "target") + "\nsteps: [schema, full]\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("destination.privileges");
        assertThat(o.out()).contains("CREATE").contains("target");
        try (Connection c = java.sql.DriverManager.getConnection(secured.jdbcUrl("target"), "admin", "Adm1n!");
             ResultSet rs = c.createStatement().executeQuery("SHOW TABLES")) {
            assertThat(rs.next()).as("nothing created on the destination").isFalse();
        }
    }

    @Test
    void destinationTableWithOtherColumnsIsAConflictAndNothingIsCopied() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "conflict_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "conflict_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items VALUES (1, 'x')");
            s.execute("CREATE TABLE other (id INT PRIMARY KEY)");
        }
        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + src);
            s.execute("CREATE TABLE " + src + ".items (id integer PRIMARY KEY, title text)");
        }
        Outcome o = runProject(okProject(src, dst));
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("destination.tables_compatible").contains("items").contains("name").contains("title");
        try (Connection c = EmbeddedServers.postgres().connect(dst);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + src + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no other table was created").isEqualTo(1);
        }
    }

    @Test
    void aNonEmptyDestinationTableBlocksUnlessTheItemIsSkipped() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "nonempty_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "nonempty_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items VALUES (1, 'x')");
        }
        try (Connection c = EmbeddedServers.mariadb().connect(dst); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
            s.execute("INSERT INTO items VALUES (7, 'left over')");
        }
        String yaml = "name: bad\nsource: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\nsteps: [schema, full]\n";
        Outcome o = runProject(yaml);
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("destination.tables_empty").contains(dst + ".items");
    }

    @Test
    void aColumnTypeWithNoMappingIsNamedAndNothingIsCreated() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "types_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "types_dst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE hosts (id integer PRIMARY KEY, addr inet)");
            s.execute("CREATE TABLE fine (id integer PRIMARY KEY)");
        }
        Outcome o = runProject("name: bad\nsource: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\nsteps: [schema, full]\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("schema.types").contains("addr").contains("inet");
        try (Connection c = EmbeddedServers.mariadb().connect(dst); ResultSet rs = c.createStatement().executeQuery("SHOW TABLES")) {
            assertThat(rs.next()).as("no table created").isFalse();
        }
    }

    @Test
    void aSourceTableDroppedDuringTheCopyIsNamed() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "vanish_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "vanish_dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE doomed (id INT PRIMARY KEY, v VARCHAR(20))");
            s.execute("INSERT INTO doomed SELECT seq, CONCAT('v', seq) FROM seq_1_to_60000");
        }
        // slow enough (throttled) that the table is dropped between its chunks
        Path project = Projects.write(tmp, "vanish", okProject(src, dst) + "full: { parallelism: 1, chunk-size: 2000, throttle-rows: 20000 }\n");
        Thread dropper = new Thread(() -> {
            try {
                Thread.sleep(2500);
                try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
                    s.execute("DROP TABLE doomed");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        dropper.start();
        Outcome o = run("run", project.toString());
        dropper.join();
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains(src + ".doomed").contains("disappeared");
    }

    @Test
    void tablesOfOneNameInTwoSchemasAreRefusedUntilOneIsRenamed() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "twoschemas_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "twoschemas_dst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA s1");
            s.execute("CREATE SCHEMA s3");
            s.execute("CREATE TABLE s1.a (pk int PRIMARY KEY, aa int)");
            s.execute("CREATE TABLE s3.a (pk int PRIMARY KEY, aa int)");
            s.execute("CREATE TABLE s3.b (pk int PRIMARY KEY)");
            s.execute("INSERT INTO s1.a VALUES (1, 10)");
            s.execute("INSERT INTO s3.a VALUES (2, 20)");
        }
        String yaml = "name: twoschemas\nsource: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full]\n";
        Outcome o = runProject(yaml + "tables: { include: [\"s1.*\", \"s3.*\"] }\n");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("destination.tables_distinct").contains("s1.a").contains("s3.a").contains(dst + ".a");
        assertThat(o.out()).contains("tables.rename.tables").contains("tables.rename.schemas");
        try (Connection c = EmbeddedServers.mariadb().connect(dst); ResultSet rs = c.createStatement().executeQuery("SHOW TABLES")) {
            assertThat(rs.next()).as("no table created").isFalse();
        }

        // renaming one of them is the fix: each lands in a table of its own
        o = runProject(yaml + "tables: { include: [\"s1.*\", \"s3.*\"], rename: { tables: { \"s3.a\": s3_a } } }\n");
        assertThat(o.exit()).as(o.err()).isZero();
        try (Connection c = EmbeddedServers.mariadb().connect(dst); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pk, aa FROM a")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getInt(2)).isEqualTo(10);
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = s.executeQuery("SELECT pk, aa FROM s3_a")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void aTypeOfAnExtensionTheDestinationLacksIsNamedWithItsCreateExtension() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "ext_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "ext_dst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            for (String ext : List.of("citext", "hstore", "ltree", "isn")) {
                s.execute("CREATE EXTENSION " + ext);
            }
            s.execute("CREATE TABLE plain (id int PRIMARY KEY)");
            s.execute("CREATE TABLE tagged (id int PRIMARY KEY, name citext, names citext[], attrs hstore, path ltree,"
                    + " book isbn, books isbn[])");
            s.execute("INSERT INTO tagged VALUES (1, 'Ab', '{x,Y}', 'a=>1', 'top.sub', '978-0-393-04002-9', NULL)");
        }
        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION ltree");
        }
        String yaml = "name: ext\nsource: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\nsteps: [schema, full]\n";
        Outcome o = runProject(yaml);
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("destination.extensions");
        assertThat(o.out()).contains("public.tagged").contains("names").contains("citext[]")
                .contains("CREATE EXTENSION citext").contains("CREATE EXTENSION hstore").contains("CREATE EXTENSION isn")
                .contains("attrs").contains("books").doesNotContain("CREATE EXTENSION ltree");
        try (Connection c = EmbeddedServers.postgres().connect(dst);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no table created").isZero();
        }

        // with the extensions created as the precheck says, the copy goes through
        try (Connection c = EmbeddedServers.postgres().connect(dst); Statement s = c.createStatement()) {
            for (String ext : List.of("citext", "hstore", "isn")) {
                s.execute("CREATE EXTENSION " + ext);
            }
        }
        o = runProject(yaml);
        assertThat(o.exit()).as(o.err()).isZero();
        String row = "SELECT ROW(name, names, attrs, path, book, books)::text FROM tagged";
        try (Connection c = EmbeddedServers.postgres().connect(src); ResultSet a = c.createStatement().executeQuery(row);
             Connection d = EmbeddedServers.postgres().connect(dst); ResultSet b = d.createStatement().executeQuery(row)) {
            assertThat(a.next()).isTrue();
            assertThat(b.next()).isTrue();
            assertThat(b.getString(1)).isEqualTo(a.getString(1)).contains("top.sub");
        }
    }

    @Test
    void aKeylessTableTheSourceUserMayNotLockIsNamedWithItsGrant() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BadInputIT.class, "keylesslock_src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BadInputIT.class, "keylesslock_dst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN CREATE ROLE tw_select_only LOGIN REPLICATION; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            s.execute("CREATE TABLE items (id int PRIMARY KEY, v text)");
            s.execute("CREATE TABLE \"Audit Log\" (at timestamptz, msg text)");
            s.execute("CREATE TABLE events (kind text, n int)");
            s.execute("ALTER TABLE \"Audit Log\" REPLICA IDENTITY FULL");
            s.execute("ALTER TABLE events REPLICA IDENTITY FULL");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO tw_select_only");
            s.execute("GRANT DELETE ON events TO tw_select_only");
        }
        var pg = EmbeddedServers.postgres();
        String yaml = "name: keylesslock\nsource: { type: postgresql, host: " + pg.host() + ", port: " + pg.port()
                + ", user: tw_select_only, password: \"\", database: " + src + " }\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "tables: { include: [\"public.*\"] }\nsteps: [schema, full, incremental]\n";
        Outcome o = runProject(yaml);
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("source.keyless_lock");
        assertThat(o.out()).contains("GRANT UPDATE ON \"public\".\"Audit Log\" TO \"tw_select_only\"");
        try (Connection c = EmbeddedServers.mariadb().connect(dst); ResultSet rs = c.createStatement().executeQuery("SHOW TABLES")) {
            assertThat(rs.next()).as("no table created").isFalse();
        }
        var cfg = io.tideway.engine.config.ProjectFiles.load(Projects.write(tmp, "selectonly", yaml));
        assertThat(io.tideway.engine.Precheck.run(cfg, io.tideway.engine.Endpoints.of(cfg), java.util.Set.of()).items())
                .anySatisfy(i -> {
                    assertThat(i.item()).isEqualTo("source.keyless_lock");
                    assertThat(i.status()).isEqualTo(io.tideway.core.spi.CheckResult.Status.FAIL);
                    // events may be locked (DELETE), items has a key
                    assertThat(i.detail()).contains("public.Audit Log").doesNotContain("events").doesNotContain("items");
                    assertThat(i.fix()).isEqualTo("GRANT UPDATE ON \"public\".\"Audit Log\" TO \"tw_select_only\";"
                            + " (Tideway only locks these tables briefly and writes nothing to them), or give them a primary key");
                });

        // without the incremental step nothing is locked; with the grant the item passes
        cfg = io.tideway.engine.config.ProjectFiles.load(Projects.write(tmp, "fullonly",
                yaml.replace("steps: [schema, full, incremental]", "steps: [schema, full]")));
        assertThat(io.tideway.engine.Precheck.run(cfg, io.tideway.engine.Endpoints.of(cfg), java.util.Set.of()).items())
                .noneMatch(i -> i.item().equals("source.keyless_lock"));
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("GRANT UPDATE ON \"public\".\"Audit Log\" TO \"tw_select_only\"");
        }
        cfg = io.tideway.engine.config.ProjectFiles.load(Projects.write(tmp, "granted", yaml));
        assertThat(io.tideway.engine.Precheck.run(cfg, io.tideway.engine.Endpoints.of(cfg), java.util.Set.of()).items())
                .anySatisfy(i -> {
                    assertThat(i.item()).isEqualTo("source.keyless_lock");
                    assertThat(i.status()).isEqualTo(io.tideway.core.spi.CheckResult.Status.PASS);
                });
    }
}

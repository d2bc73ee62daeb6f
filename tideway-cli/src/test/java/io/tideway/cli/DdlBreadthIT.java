package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema changes beyond columns during incremental sync, from a MariaDB source: column types
 * widened, indexes created and dropped, a table renamed and written to, a table truncated, a table
 * created and written to, a table dropped; then every row of every table is equal and the
 * destination has the types and indexes the source has. Also incremental.ddl: ignore and stop.
 */
@ExtendWith(EmbeddedServers.class)
class DdlBreadthIT {
    @TempDir
    Path tmp;

    @Test
    void mariaDbToPostgresqlFollowsTypesIndexesTablesAndTruncates() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "pgsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlBreadthIT.class, "pgdst");
        Path data = tmp.resolve("pg");
        ProjectConfig cfg = scenario(src, DataSourceType.fromId("postgresql"), dst, data, "");
        try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement()) {
            assertThat(column(s, "SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = '"
                    + src + "' AND table_name = 'items' AND column_name = 'qty'")).isEqualTo("bigint/0");
            assertThat(column(s, "SELECT data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = '"
                    + src + "' AND table_name = 'items' AND column_name = 'name'")).isEqualTo("character varying/100");
            assertThat(list(s, "SELECT indexname FROM pg_indexes WHERE schemaname = '" + src + "' AND tablename = 'items'"))
                    .containsExactlyInAnyOrder("items_pkey", "items_ix_name");
            assertThat(list(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + src + "'"))
                    .containsExactlyInAnyOrder("items", "orders_v2", "logs", "audit");
            assertThat(list(s, "SELECT indexname FROM pg_indexes WHERE schemaname = '" + src + "' AND tablename = 'audit'"))
                    .containsExactlyInAnyOrder("audit_pkey", "audit_ix_what");
        }
        // a dropped table stops the step by default, naming the statement and the option
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, cfg.name(), Duration.ofSeconds(180));
            source(src, "DROP TABLE logs");
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("DROP TABLE").contains("logs")
                    .contains("incremental.drop-tables: true").contains("skip-ddl");
        }
        try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement()) {
            assertThat(list(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + src + "'"))
                    .as("nothing is dropped unasked").contains("logs");
            s.execute("DROP TABLE " + src + ".logs");
        }
        Path project = tmp.resolve(cfg.name() + ".yaml");
        assertThat(Main.execute("--data-dir", data.toString(), "skip-ddl", project.toString())).isZero();
        source(src, "INSERT INTO items VALUES (3001, 'after the drop', 1)");
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(cfg, 3);
    }

    @Test
    void mariaDbToMariaDbFollowsTheSameAndDropsTablesWhenAsked() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "mysrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "mydst");
        Path data = tmp.resolve("my");
        ProjectConfig cfg = scenario(src, DataSourceType.fromId("mariadb"), dst, data, "incremental: { drop-tables: true }\n");
        try (Connection d = EmbeddedServers.mariadb().connect(dst); Statement s = d.createStatement()) {
            String cols = "SELECT DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + dst
                    + "' AND TABLE_NAME = 'items' AND COLUMN_NAME = ";
            assertThat(column(s, cols + "'qty'")).isEqualTo("bigint/0");
            assertThat(column(s, cols + "'name'")).isEqualTo("varchar/100");
            assertThat(list(s, "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '" + dst
                    + "' AND TABLE_NAME = 'items'")).containsExactlyInAnyOrder("PRIMARY", "ix_name");
            assertThat(list(s, "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '" + dst
                    + "' AND TABLE_NAME = 'audit'")).containsExactlyInAnyOrder("PRIMARY", "ix_what");
            assertThat(list(s, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + dst + "'"))
                    .containsExactlyInAnyOrder("items", "orders_v2", "logs", "audit");
        }
        // with incremental.drop-tables: true a dropped table is dropped on the destination too
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, cfg.name(), Duration.ofSeconds(180));
            source(src, "DROP TABLE logs", "INSERT INTO items VALUES (3001, 'after the drop', 1)");
            try (Connection d = EmbeddedServers.mariadb().connect(dst); Statement s = d.createStatement()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(list(s,
                        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + dst + "'")).doesNotContain("logs"));
            }
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(60));
            engine.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
        }
    }

    /**
     * Runs the project to MONITORING, changes the source's schema and rows, waits until every
     * table is equal, and stops.
     */
    private ProjectConfig scenario(String src, DataSourceType dstType, String dst, Path data, String extra) throws Exception {
        source(src,
                "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), qty INT, KEY ix_qty (qty))",
                "INSERT INTO items SELECT seq, CONCAT('item ', seq), seq % 7 FROM seq_1_to_2000",
                "CREATE TABLE orders (id INT PRIMARY KEY, item INT NOT NULL, note VARCHAR(30))",
                "INSERT INTO orders SELECT seq, seq % 100 + 1, NULL FROM seq_1_to_500",
                "CREATE TABLE logs (id INT PRIMARY KEY, msg VARCHAR(50))",
                "INSERT INTO logs SELECT seq, CONCAT('log ', seq) FROM seq_1_to_300");
        String name = "breadth" + dstType.id().replace("-", "");
        Path project = Projects.write(tmp, name, "name: " + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(dstType, dst) + "\n"
                + "tables: { include: [\"" + src + ".*\"], exclude: [\"" + src + ".tmp_*\"] }\n"
                + "steps: [schema, full, incremental]\n" + extra);
        ProjectConfig cfg = ProjectFiles.load(project);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, name, Duration.ofSeconds(180));
            source(src,
                    // types widened, with rows that need the new types right after
                    "ALTER TABLE items MODIFY qty BIGINT",
                    "ALTER TABLE items MODIFY name VARCHAR(100)",
                    "INSERT INTO items VALUES (2001, 'a name much longer than the twenty characters it had', 5000000000)",
                    "UPDATE items SET qty = qty * 1000000000 WHERE id <= 20",
                    // indexes
                    "CREATE INDEX ix_name ON items (name)",
                    "DROP INDEX ix_qty ON items",
                    // a renamed table, written to under its new name
                    "RENAME TABLE orders TO orders_v2",
                    "INSERT INTO orders_v2 VALUES (501, 1, 'new'), (502, 2, 'new')",
                    "UPDATE orders_v2 SET note = 'changed' WHERE id <= 10",
                    "DELETE FROM orders_v2 WHERE id BETWEEN 11 AND 20",
                    // a truncated table, then new rows
                    "TRUNCATE TABLE logs",
                    "INSERT INTO logs VALUES (1, 'after truncate'), (2, 'again')",
                    // a new table and its rows; an excluded new table is left alone
                    "CREATE TABLE audit (id INT PRIMARY KEY, what VARCHAR(40), KEY ix_what (what))",
                    "INSERT INTO audit SELECT seq, CONCAT('audit ', seq) FROM seq_1_to_100",
                    "UPDATE audit SET what = 'updated' WHERE id = 7",
                    "CREATE TABLE tmp_work (id INT PRIMARY KEY)",
                    "INSERT INTO tmp_work VALUES (1)");
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
            Runs.assertEqualNow(cfg, 4);
            engine.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
        }
        return cfg;
    }

    @Test
    void withDdlIgnoreSchemaChangesAreSkippedAndARowWithUnknownColumnsStops() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "igsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlBreadthIT.class, "igdst");
        source(src, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_500");
        Path project = Projects.write(tmp, "ignore", "name: ignore\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n"
                + "incremental: { ddl: ignore }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("ignore");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, "ignore", Duration.ofSeconds(180));
            source(src, "ALTER TABLE items MODIFY name VARCHAR(100)", "CREATE INDEX ix_name ON items (name)",
                    "INSERT INTO items VALUES (501, 'short'), (502, 'also short')", "DELETE FROM items WHERE id = 3");
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(60));
            try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement()) {
                assertThat(column(s, "SELECT data_type, character_maximum_length FROM information_schema.columns WHERE"
                        + " table_schema = '" + src + "' AND table_name = 'items' AND column_name = 'name'"))
                        .as("the type change is not applied").isEqualTo("character varying/20");
                assertThat(list(s, "SELECT indexname FROM pg_indexes WHERE schemaname = '" + src + "' AND tablename = 'items'"))
                        .containsExactly("items_pkey");
            }
            var pid = db.projects().find("ignore").orElseThrow().id();
            assertThat(db.events().list(pid, 100)).anyMatch(ev -> ev.message().contains("incremental.ddl is ignore")
                    && ev.message().contains("MODIFY name VARCHAR(100)"));
            source(src, "ALTER TABLE items ADD COLUMN extra INT", "INSERT INTO items VALUES (503, 'with extra', 7)");
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("carries columns [extra]").contains("incremental.ddl is ignore");
        }
    }

    @Test
    void withDdlStopEverySchemaChangeWaitsForTheDba() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "stsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "stdst");
        source(src, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_500");
        Path project = Projects.write(tmp, "stop", "name: stop\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n"
                + "incremental: { ddl: stop }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("stop");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, "stop", Duration.ofSeconds(180));
            source(src, "ALTER TABLE items ADD COLUMN note VARCHAR(10)", "INSERT INTO items VALUES (501, 'new', 'noted')");
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("ALTER TABLE items ADD COLUMN note").contains("incremental.ddl is stop")
                    .contains("skip-ddl");
        }
        try (Connection d = EmbeddedServers.mariadb().connect(dst); Statement s = d.createStatement()) {
            s.execute("ALTER TABLE items ADD COLUMN note VARCHAR(10)");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "skip-ddl", project.toString())).isZero();
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(cfg);
    }

    /**
     * MariaDB's uuid type is refused at the start (the binlog reader decodes time-based values
     * wrongly); a table created with one during the sync stops the step before anything of it is
     * written, and excluding the table lets the project go on.
     */
    @Test
    void aTableCreatedWithAMariaDbUuidColumnStopsTheStepBeforeAnyOfItIsWritten() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "uusrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlBreadthIT.class, "uudst");
        source(src, "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_300");
        String yaml = "name: uuid\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n";
        Path project = Projects.write(tmp, "uuid", yaml);
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("uuid");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, "uuid", Duration.ofSeconds(180));
            source(src, "CREATE TABLE tokens (id INT PRIMARY KEY, u UUID)",
                    "INSERT INTO tokens VALUES (1, 'e4a5b2d0-3f1c-11ef-9a3b-0242ac120002')",
                    "INSERT INTO items VALUES (301, 'after tokens')");
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("CREATE TABLE tokens").contains("column u of " + src + ".tokens")
                    .contains("uuid").contains("tables.exclude").contains("skip-ddl");
        }
        try (Connection d = EmbeddedServers.mariadb().connect(dst); Statement s = d.createStatement()) {
            assertThat(list(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + dst + "'"))
                    .as("nothing of the table is written").contains("items").doesNotContain("tokens");
        }
        Projects.write(tmp, "uuid", yaml + "tables: { exclude: [\"" + src + ".tokens\"] }\n");
        assertThat(Main.execute("--data-dir", data.toString(), "skip-ddl", project.toString())).isZero();
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.assertEqualNow(ProjectFiles.load(project));
    }

    private static void source(String db, String... sql) throws Exception {
        try (Connection c = EmbeddedServers.mariadb().connect(db); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** The first row's two columns as "a/b" (null as 0). */
    private static String column(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1) + "/" + rs.getLong(2);
        }
    }

    /** The names a query lists, Tideway's own tables (the sink's position, the marker) left out. */
    private static List<String> list(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                if (io.tideway.core.project.TidewayTables.NAMES.contains(rs.getString(1))) {
                    continue;
                }
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

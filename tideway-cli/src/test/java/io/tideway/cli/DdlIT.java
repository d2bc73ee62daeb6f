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
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema changes during incremental sync: added, renamed, dropped and retyped columns are followed
 * on the destination (from MariaDB's logged DDL, and from PostgreSQL's rows that show new columns);
 * a change Tideway cannot apply stops the step naming the statement, and after the DBA applies it
 * by hand, `tideway skip-ddl` and a rerun carry on with nothing lost.
 */
@ExtendWith(EmbeddedServers.class)
class DdlIT {
    @TempDir
    Path tmp;

    @Test
    void columnChangesAreFollowedAndAnUnconvertibleDdlCanBeSkipped() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), qty INT)");
            s.execute("INSERT INTO items SELECT seq, CONCAT('item ', seq), seq % 7 FROM seq_1_to_1000");
        }
        Path project = Projects.write(tmp, "ddl", "name: ddl\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, "ddl", Duration.ofSeconds(120));
            try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE items ADD COLUMN price DECIMAL(10,2)");
                s.execute("INSERT INTO items VALUES (1001, 'new', 1, 9.99)");
                s.execute("UPDATE items SET price = id / 100 WHERE id <= 10");
                s.execute("ALTER TABLE items RENAME COLUMN name TO title");
                s.execute("UPDATE items SET title = 'renamed' WHERE id = 5");
                s.execute("ALTER TABLE items DROP COLUMN qty");
                s.execute("INSERT INTO items VALUES (1002, 'after drop', 1.50)");
            }
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
            try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement();
                 var rs = s.executeQuery("SELECT title, price::text FROM " + src + ".items WHERE id = 5")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("renamed");
                assertThat(rs.getString(2)).isEqualTo("0.05");
            }
            // type, nullability and default changes are followed, a key column's included
            try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE items MODIFY id BIGINT NOT NULL");
                s.execute("INSERT INTO items VALUES (5000000000, 'big', 2.00)");
                s.execute("ALTER TABLE items MODIFY title VARCHAR(100) NOT NULL DEFAULT 'untitled'");
                s.execute("INSERT INTO items VALUES (1003, 'a title longer than the twenty characters it had', 3.00)");
            }
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
            try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement();
                 var rs = s.executeQuery("SELECT column_name, data_type, character_maximum_length, is_nullable, column_default"
                         + " FROM information_schema.columns WHERE table_schema = '" + src + "' AND table_name = 'items'"
                         + " ORDER BY ordinal_position")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).isEqualTo("bigint");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("title");
                assertThat(rs.getInt(3)).isEqualTo(100);
                assertThat(rs.getString(4)).isEqualTo("NO");
                assertThat(rs.getString(5)).startsWith("'untitled'");
            }
            // a changed primary key is not converted: the step stops naming the statement
            try (Connection c = EmbeddedServers.mariadb().connect(src); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE items DROP PRIMARY KEY, ADD PRIMARY KEY (id, title)");
                s.execute("INSERT INTO items VALUES (1, 'a second item 1', 1.00)");
            }
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("ALTER TABLE items DROP PRIMARY KEY").contains("skip-ddl");
        }
        // the DBA makes the change on the destination, skips the DDL, runs again
        try (Connection d = EmbeddedServers.postgres().connect(dst); Statement s = d.createStatement()) {
            s.execute("ALTER TABLE " + src + ".items DROP CONSTRAINT items_pkey, ADD PRIMARY KEY (id, title)");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "skip-ddl", project.toString())).isZero();
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.awaitEqual(cfg, new AtomicReference<>(), Duration.ofSeconds(120));
    }

    @Test
    void aColumnAddedOnPostgresqlIsFollowedFromTheRowsThatCarryIt() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlIT.class, "pgsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlIT.class, "mydst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id integer PRIMARY KEY, name varchar(20))");
            s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g");
        }
        Path project = Projects.write(tmp, "pgddl", "name: pgddl\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("pgdata");
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE items ADD COLUMN note text");
            s.execute("INSERT INTO items VALUES (501, 'new', 'with a note')");
            s.execute("UPDATE items SET note = 'noted' WHERE id <= 3");
        }
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
        Runs.awaitEqual(cfg, new AtomicReference<>(), Duration.ofSeconds(120));
    }

    /**
     * PostgreSQL logs no DDL, and a column whose type changes keeps its name: the capture tells by the
     * new type its rows carry, and the destination column follows before the first such row is written
     * (a wider varchar would be refused, a wider numeric scale silently rounded).
     */
    @Test
    void columnTypesChangedOnPostgresqlDuringSyncAreFollowed() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlIT.class, "pgtypesrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlIT.class, "mytypedst");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id integer PRIMARY KEY, name varchar(20), price numeric(8,2))");
            s.execute("INSERT INTO items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 300) g");
        }
        Path project = Projects.write(tmp, "pgtypes", "name: pgtypes\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        try (Runs.InProcess run = Runs.synced(project, tmp.resolve("pgtypedata"))) {
            try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
                s.execute("UPDATE items SET name = 'before' WHERE id = 1");
                s.execute("ALTER TABLE items ALTER COLUMN name TYPE varchar(200), ALTER COLUMN price TYPE numeric(12,4)");
                s.execute("UPDATE items SET name = repeat('x', 150), price = 12.3456 WHERE id = 2");
                s.execute("INSERT INTO items VALUES (301, repeat('y', 180), 99999999.9999)");
            }
            Runs.awaitEqual(run.cfg(), run.failure(), Duration.ofSeconds(60));
            try (Connection c = EmbeddedServers.mariadb().connect(dst); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT column_name, character_maximum_length, numeric_precision, numeric_scale"
                         + " FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'items'"
                         + " AND column_name IN ('name', 'price') ORDER BY column_name")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(2)).as("name's length").isEqualTo(200);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(3)).as("price's precision").isEqualTo(12);
                assertThat(rs.getInt(4)).as("price's scale").isEqualTo(4);
            }
            assertThat(run.db().events().list(run.projectId(), 100)).as("the change is recorded").anySatisfy(ev -> assertThat(ev.message())
                    .contains("schema change followed on").contains("MODIFY COLUMN `name` varchar(200)"));
        }
    }

    @Test
    void aTableDroppedOnPostgresqlStopsTheStepAndANewOneIsReported() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), DdlIT.class, "pgsrc2");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), DdlIT.class, "mydst2");
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id integer PRIMARY KEY, name varchar(20))");
            s.execute("CREATE TABLE extra (id integer PRIMARY KEY)");
            s.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
        }
        Path project = Projects.write(tmp, "pgdrop", "name: pgdrop\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("pgdropdata");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            Runs.awaitMonitoring(db, "pgdrop", Duration.ofSeconds(120));
            long pid = db.projects().find("pgdrop").orElseThrow().id();
            try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE later (id integer PRIMARY KEY)");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> db.events().list(pid, 100).stream()
                    .anyMatch(ev -> ev.message().contains("public.later appeared on the source")));
            try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
                s.execute("DROP TABLE extra");
            }
            run.join(120_000);
            assertThat(failure.get()).isNotNull();
            assertThat(failure.get().getMessage()).contains("public.extra no longer exists").contains("PostgreSQL does not log");
        }
    }
}

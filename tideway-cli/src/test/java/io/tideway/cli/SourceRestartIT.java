package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedPostgreSql;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source database restarts while the incremental step streams, an application writing to it
 * until it goes down and again once it is back: the Store reconnects the change capture by
 * itself, from the saved position, and the destination ends equal to the source. Each test runs
 * its own source server (the shared ones stay up for the other tests); the destination is the
 * shared PostgreSQL.
 */
@ExtendWith(EmbeddedServers.class)
class SourceRestartIT {
    static final int ROWS = 5_000;

    @TempDir
    Path tmp;

    /** The source server of one test, as the test needs it. */
    interface Source {
        DataSourceType type();

        String endpoint(String database);

        Connection connect(String database) throws SQLException;

        void stop();

        void startAgain();
    }

    @Test
    void aMariaDbSourceRestartedMidStreamIsReconnectedAndNothingIsLost() throws Exception {
        try (EmbeddedMariaDb server = EmbeddedMariaDb.start()) {
            server.recreateDatabase("shop");
            try (Connection c = server.connect("shop")) {
                SampleData.mariadbSysbench(c, ROWS);
            }
            restartMidStream(new Source() {
                @Override
                public DataSourceType type() {
                    return DataSourceType.fromId("mariadb");
                }

                @Override
                public String endpoint(String database) {
                    return "{ type: mariadb, host: " + server.host() + ", port: " + server.port() + ", user: " + server.user()
                            + ", password: \"\", database: " + database + " }";
                }

                @Override
                public Connection connect(String database) throws SQLException {
                    return server.connect(database);
                }

                @Override
                public void stop() {
                    server.stop();
                }

                @Override
                public void startAgain() {
                    server.startAgain();
                }
            }, "shop", "mariadb-restart");
        }
    }

    @Test
    void aPostgreSqlSourceRestartedMidStreamIsReconnectedAndNothingIsLost() throws Exception {
        try (EmbeddedPostgreSql server = EmbeddedPostgreSql.start()) {
            server.recreateDatabase("shop");
            try (Connection c = server.connect("shop")) {
                SampleData.postgresSysbench(c, ROWS);
            }
            restartMidStream(new Source() {
                @Override
                public DataSourceType type() {
                    return DataSourceType.fromId("postgresql");
                }

                @Override
                public String endpoint(String database) {
                    return "{ type: postgresql, host: " + server.host() + ", port: " + server.port() + ", user: " + server.user()
                            + ", password: \"\", database: " + database + " }";
                }

                @Override
                public Connection connect(String database) throws SQLException {
                    return server.connect(database);
                }

                @Override
                public void stop() {
                    server.stop();
                }

                @Override
                public void startAgain() {
                    server.startAgain();
                }
            }, "shop", "pg-restart");
        }
    }

    @Test
    void aMariaDbSourceRestartedDuringTheFullCopyIsWaitedForAndTheCopyCompletes() throws Exception {
        try (EmbeddedMariaDb server = EmbeddedMariaDb.start()) {
            server.recreateDatabase("shop");
            try (Connection c = server.connect("shop")) {
                SampleData.mariadbSysbench(c, 40_000);
            }
            String name = "mariadb-restart-copy";
            String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), SourceRestartIT.class, "mariadb_restart_copy");
            // throttled to take about 10 s, so that the server goes down in the middle of it
            Path project = Projects.write(tmp, name, "name: " + name + "\n"
                    + "source: { type: mariadb, host: " + server.host() + ", port: " + server.port() + ", user: " + server.user()
                    + ", password: \"\", database: shop }\n"
                    + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                    + "steps: [schema, full]\n"
                    + "full: { parallelism: 2, chunk-size: 2000, throttle-rows: 4000 }\n");
            ProjectConfig cfg = ProjectFiles.load(project);
            Path data = tmp.resolve("data-" + name);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                Engine engine = new Engine(db, data);
                Thread run = Runs.engine(engine, cfg, failure);
                await().atMost(Duration.ofSeconds(120)).until(() -> db.projects().find(name)
                        .map(p -> db.projects().step(p.id(), "full").state()).orElse("").equals("RUNNING"));
                Thread.sleep(3000);
                server.stop();
                Thread.sleep(8000);   // down for a while: chunks fail and wait
                assertThat(failure.get()).as("the copy waits for the source, it does not fail").isNull();
                assertThat(run.isAlive()).isTrue();
                server.startAgain();
                run.join(240_000);
                assertThat(run.isAlive()).as("the copy finished").isFalse();
                assertThat(failure.get()).isNull();
                long pid = db.projects().find(name).orElseThrow().id();
                assertThat(db.projects().step(pid, "full").state()).isEqualTo("COMPLETED");
                assertThat(db.events().list(pid, 200)).as("the failed attempts are recorded").anySatisfy(e -> {
                    assertThat(e.level()).isEqualTo("WARN");
                    assertThat(e.message()).contains("retrying for up to");
                });
            }
            Runs.assertEqualNow(cfg);
        }
    }

    private void restartMidStream(Source source, String srcDb, String name) throws Exception {
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), SourceRestartIT.class, name.replace('-', '_'));
        Path project = Projects.write(tmp, name, "name: " + name + "\n"
                + "source: " + source.endpoint(srcDb) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + (source.type() == DataSourceType.fromId("postgresql") ? "tables: { include: [\"public.*\"] }\n" : "")
                + "steps: [schema, full, incremental]\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data-" + name);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            await().atMost(Duration.ofSeconds(180)).until(() -> step(db, name).equals("MONITORING"));
            long pid = db.projects().find(name).orElseThrow().id();

            // the application writes until the server goes down under it
            ChangeWriter before = writer(source, srcDb, ROWS, 1).start();
            Thread.sleep(4000);
            source.stop();
            try {
                before.close();
            } catch (IllegalStateException expected) {
                // the writer's connection died with the server
            }
            long writtenBefore = before.changes();
            assertThat(writtenBefore).isGreaterThan(100);
            await().atMost(Duration.ofSeconds(30)).until(() -> progress(db, pid).contains("\"capture\":\"RECONNECTING\""));
            Thread.sleep(6000);   // down for a while: a few reconnect attempts fail
            assertThat(failure.get()).as("the run waits for the source, it does not fail").isNull();
            source.startAgain();

            // and writes again once it is back
            try (ChangeWriter after = writer(source, srcDb, maxId(source, srcDb), 2).start()) {
                Thread.sleep(5000);
            }
            // the reconnect backs off (up to 30 s between attempts): wait for it to stream again, then for equality
            await().atMost(Duration.ofSeconds(180)).until(() -> progress(db, pid).contains("\"capture\":\"STREAMING\""));
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(240));
            assertThat(progress(db, pid)).contains("\"capture\":\"STREAMING\"");
            assertThat(Thread.getAllStackTraces().keySet()).as("one reconnect path: the binlog client's keep-alive thread is off")
                    .noneMatch(t -> t.getName().startsWith("blc-keepalive"));
            engine.requestStop();
            run.join(60_000);
            assertThat(failure.get()).isNull();
            var events = db.events().list(pid, 200);
            assertThat(events).as("the loss is recorded").anySatisfy(e -> {
                assertThat(e.level()).isEqualTo("WARN");
                assertThat(e.message()).contains("lost its connection");
            });
            assertThat(events).as("failed attempts are recorded").anySatisfy(e -> {
                assertThat(e.level()).isEqualTo("WARN");
                assertThat(e.message()).contains("reconnect attempt");
            });
            assertThat(events).as("the reconnect is recorded").anySatisfy(e -> assertThat(e.message()).contains("reconnected"));
        }
    }

    private static ChangeWriter writer(Source source, String db, int existingRows, long seed) {
        return new ChangeWriter(() -> {
            try {
                return source.connect(db);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", existingRows, 300, seed);
    }

    /** The highest id in sbtest1: a new writer inserts after it. */
    private static int maxId(Source source, String db) throws SQLException {
        try (Connection c = source.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(id) FROM sbtest1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String step(MetaDb db, String name) {
        return db.projects().find(name).map(p -> db.projects().step(p.id(), "incremental").state()).orElse("");
    }

    private static String progress(MetaDb db, long pid) {
        String p = db.projects().step(pid, "incremental").progressJson();
        return p == null ? "" : p;
    }
}

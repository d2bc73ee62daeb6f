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
import io.tideway.test.SampleData;
import io.tideway.test.TcpProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL source's replication connection silently stops carrying anything (a firewall
 * dropped it, telling neither end) while new connections work: Tideway notices from the server's
 * side (no reply from its reader), ends the stale server process, reconnects from the saved
 * offsets, and the changes made meanwhile arrive. Without that watch the capture waits forever,
 * its own heartbeats making it look current. Then the source becomes unreachable altogether for
 * a while: taken as lost the same way, the capture reconnects once the source is back.
 */
@ExtendWith(EmbeddedServers.class)
class StalledReplicationIT {
    static final int ROWS = 2_000;
    private static final String STALL = "tideway.capture.postgresql.stall-millis";

    @TempDir
    Path tmp;

    @AfterEach
    void clearStall() {
        System.clearProperty(STALL);
    }

    @Test
    void aReplicationConnectionThatSilentlyStopsIsReplacedAndNothingIsLost() throws Exception {
        var pg = EmbeddedServers.postgres();
        String src = EmbeddedServers.freshDatabase(pg, StalledReplicationIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(pg, StalledReplicationIT.class, "dst");
        try (Connection c = pg.connect(src)) {
            SampleData.postgresSysbench(c, ROWS);
        }
        System.setProperty(STALL, "6000");
        try (TcpProxy proxy = new TcpProxy(pg.host(), pg.port())) {
            Path project = Projects.write(tmp, "stall", "name: stall\n"
                    + "source: { type: postgresql, host: 127.0.0.1, port: " + proxy.port() + ", user: " + pg.user()
                    + ", password: \"\", database: " + src + " }\n"
                    + "destination: " + Projects.endpoint(DataSourceType.POSTGRESQL, dst) + "\n"
                    + "steps: [schema, full, incremental]\n");
            ProjectConfig cfg = ProjectFiles.load(project);
            Path data = tmp.resolve("data");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                Engine engine = new Engine(db, data);
                Thread run = Runs.engine(engine, cfg, failure);
                Runs.awaitMonitoring(db, "stall", Duration.ofSeconds(120));
                proxy.blackhole();   // every connection open now carries nothing from here on, without an error
                try (Connection c = pg.connect(src); Statement s = c.createStatement()) {
                    s.execute("UPDATE sbtest1 SET k = k + 1 WHERE id % 7 = 0");
                    s.execute("DELETE FROM sbtest1 WHERE id % 11 = 0");
                }
                Runs.awaitEqual(cfg, failure, Duration.ofSeconds(90));
                // then the whole network path goes: open connections carry nothing, new ones are refused
                proxy.blackhole();
                proxy.refuseNew();
                try (Connection c = pg.connect(src); Statement s = c.createStatement()) {
                    s.execute("UPDATE sbtest1 SET c = 'during the partition' WHERE id % 5 = 0");
                }
                await().atMost(Duration.ofSeconds(120)).until(() -> db.events().list(db.projects().find("stall").orElseThrow().id(), 200)
                        .stream().anyMatch(e -> e.message().contains("has not been reachable on a new connection")));
                proxy.restore();
                Runs.awaitEqual(cfg, failure, Duration.ofSeconds(180));
                engine.requestStop();
                run.join(60_000);
                assertThat(failure.get()).isNull();
                var events = db.events().list(db.projects().find("stall").orElseThrow().id(), 200);
                assertThat(events).as("the lost connection is recorded")
                        .anySatisfy(e -> assertThat(e.message()).contains("no reply from the replication connection"));
                assertThat(events).as("the server process left holding the slot after the partition is ended, not waited for")
                        .noneSatisfy(e -> assertThat(e.message()).contains("in use by another consumer"));
            }
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TcpProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source's capture connection silently stops carrying anything (a firewall dropped it, telling
 * neither end) while new connections work. MariaDB: not even the server's heartbeats arrive, so
 * the capture takes its binlog connection as lost. PostgreSQL: Tideway notices from the server's
 * side (no reply from its reader) and ends the stale server process. Either way the capture
 * reconnects from the saved offsets and the changes made meanwhile arrive; without those rules it
 * would wait forever. Then (PostgreSQL) the source becomes unreachable altogether for a while:
 * taken as lost the same way, the capture reconnects once the source is back.
 */
@ExtendWith(EmbeddedServers.class)
class SilentCaptureConnectionIT {
    static final int ROWS = 2_000;
    private static final String SILENCE = "tideway.capture.mysql.silence-millis";
    private static final String STALL = "tideway.capture.postgresql.stall-millis";

    @TempDir
    Path tmp;

    @AfterEach
    void clearShortenedRules() {
        System.clearProperty(SILENCE);
        System.clearProperty(STALL);
    }

    @Test
    void aBinlogConnectionThatSilentlyStopsIsReplacedAndNothingIsLost() throws Exception {
        var my = EmbeddedServers.mariadb();
        String src = EmbeddedServers.freshDatabase(my, SilentCaptureConnectionIT.class, "binsrc");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), SilentCaptureConnectionIT.class, "bindst");
        try (Connection c = my.connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        System.setProperty(SILENCE, "6000");
        silenceThenEqual("silent", "mariadb", my.host(), my.port(), my.user(), my.password(), src, dst,
                () -> my.connect(src), "not even the server's heartbeats", (run, proxy) -> { });
    }

    @Test
    void aReplicationConnectionThatSilentlyStopsIsReplacedAndNothingIsLost() throws Exception {
        var pg = EmbeddedServers.postgres();
        String src = EmbeddedServers.freshDatabase(pg, SilentCaptureConnectionIT.class, "replsrc");
        String dst = EmbeddedServers.freshDatabase(pg, SilentCaptureConnectionIT.class, "repldst");
        try (Connection c = pg.connect(src)) {
            SampleData.postgresSysbench(c, ROWS);
        }
        System.setProperty(STALL, "6000");
        silenceThenEqual("stall", "postgresql", pg.host(), pg.port(), pg.user(), "", src, dst,
                () -> pg.connect(src), "no reply from the replication connection", (run, proxy) -> {
                    // then the whole network path goes: open connections carry nothing, new ones are refused
                    proxy.blackhole();
                    proxy.refuseNew();
                    try (Connection c = pg.connect(src); Statement s = c.createStatement()) {
                        s.execute("UPDATE sbtest1 SET c = 'during the partition' WHERE id % 5 = 0");
                    }
                    await().atMost(Duration.ofSeconds(120)).until(() -> run.db().events().list(run.projectId(), 200)
                            .stream().anyMatch(e -> e.message().contains("has not been reachable on a new connection")));
                    proxy.restore();
                    Runs.awaitEqual(run.cfg(), run.failure(), Duration.ofSeconds(180));
                    assertThat(run.db().events().list(run.projectId(), 200))
                            .as("the server process left holding the slot after the partition is ended, not waited for")
                            .noneSatisfy(e -> assertThat(e.message()).contains("in use by another consumer"));
                });
    }

    /** A source connection for the test's own writes, past the proxy. */
    interface SourceConnection {
        Connection open() throws SQLException;
    }

    /** What a test does after the first silence, with the running project and the proxy in front of its source. */
    interface Then {
        void accept(Runs.InProcess run, TcpProxy proxy) throws Exception;
    }

    /**
     * Syncs {@code src} (through a proxy) to {@code dst} on the embedded PostgreSQL; once synced, every
     * open connection through the proxy goes silent, the source is written to, and the destination
     * must become equal; the project's events must show {@code lostEvent}; {@code then} goes on.
     */
    private void silenceThenEqual(String name, String type, String host, int port, String user, String password, String src,
                                  String dst, SourceConnection source, String lostEvent, Then then) throws Exception {
        try (TcpProxy proxy = new TcpProxy(host, port)) {
            Path project = Projects.write(tmp, name, "name: " + name + "\n"
                    + "source: { type: " + type + ", host: 127.0.0.1, port: " + proxy.port() + ", user: " + user
                    + ", password: \"" + password + "\", database: " + src + " }\n"
                    + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                    + "steps: [schema, full, incremental]\n");
            try (Runs.InProcess run = Runs.synced(project, tmp.resolve("data"))) {
                proxy.blackhole();   // every connection open now carries nothing from here on, without an error
                try (Connection c = source.open(); Statement s = c.createStatement()) {
                    s.execute("UPDATE sbtest1 SET k = k + 1 WHERE id % 7 = 0");
                    s.execute("DELETE FROM sbtest1 WHERE id % 11 = 0");
                }
                Runs.awaitEqual(run.cfg(), run.failure(), Duration.ofSeconds(120));
                assertThat(run.db().events().list(run.projectId(), 200)).as("the silent connection is recorded as lost")
                        .anySatisfy(e -> assertThat(e.message()).contains(lostEvent));
                then.accept(run, proxy);
            }
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * A MariaDB source's binlog connection silently stops carrying anything (a firewall dropped it,
 * telling neither end) while new connections work: not even the server's heartbeats arrive, so
 * the capture takes the connection as lost, reconnects from the saved offsets, and the changes
 * made meanwhile arrive. Without the silence rule the capture would wait forever.
 */
@ExtendWith(EmbeddedServers.class)
class SilentBinlogIT {
    static final int ROWS = 2_000;
    private static final String SILENCE = "tideway.capture.mysql.silence-millis";

    @TempDir
    Path tmp;

    @AfterEach
    void clearSilence() {
        System.clearProperty(SILENCE);
    }

    @Test
    void aBinlogConnectionThatSilentlyStopsIsReplacedAndNothingIsLost() throws Exception {
        var my = EmbeddedServers.mariadb();
        String src = EmbeddedServers.freshDatabase(my, SilentBinlogIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), SilentBinlogIT.class, "dst");
        try (Connection c = my.connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        System.setProperty(SILENCE, "6000");
        try (TcpProxy proxy = new TcpProxy(my.host(), my.port())) {
            Path project = Projects.write(tmp, "silent", "name: silent\n"
                    + "source: { type: mariadb, host: 127.0.0.1, port: " + proxy.port() + ", user: " + my.user()
                    + ", password: \"" + my.password() + "\", database: " + src + " }\n"
                    + "destination: " + Projects.endpoint(DataSourceType.POSTGRESQL, dst) + "\n"
                    + "steps: [schema, full, incremental]\n");
            ProjectConfig cfg = ProjectFiles.load(project);
            Path data = tmp.resolve("data");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                Engine engine = new Engine(db, data);
                Thread run = Runs.engine(engine, cfg, failure);
                Runs.awaitMonitoring(db, "silent", Duration.ofSeconds(120));
                proxy.blackhole();   // every connection open now carries nothing from here on, without an error
                try (Connection c = my.connect(src); Statement s = c.createStatement()) {
                    s.execute("UPDATE sbtest1 SET k = k + 1 WHERE id % 7 = 0");
                    s.execute("DELETE FROM sbtest1 WHERE id % 11 = 0");
                }
                Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
                engine.requestStop();
                run.join(60_000);
                assertThat(failure.get()).isNull();
                var events = db.events().list(db.projects().find("silent").orElseThrow().id(), 200);
                assertThat(events).as("the silent connection is recorded as lost")
                        .anySatisfy(e -> assertThat(e.message()).contains("not even the server's heartbeats"));
            }
        }
    }
}

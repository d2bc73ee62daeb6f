package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TcpProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination goes away for a while during incremental sync (every connection cut, new ones
 * refused): the Connector retries with backoff from its last checkpoint and, once the
 * destination is back, catches up with nothing lost.
 */
@ExtendWith(EmbeddedServers.class)
class OutageIT {
    static final int ROWS = 10_000;

    @TempDir
    Path tmp;

    @Test
    void aDestinationOutageDuringSyncLosesNothing() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), OutageIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), OutageIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        var pg = EmbeddedServers.postgres();
        try (TcpProxy proxy = new TcpProxy(pg.host(), pg.port())) {
            Path project = Projects.write(tmp, "outage", "name: outage\n"
                    + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                    + "destination: { type: postgresql, host: 127.0.0.1, port: " + proxy.port() + ", user: " + pg.user()
                    + ", password: \"\", database: " + dst + " }\n"
                    + "steps: [schema, full, incremental]\n");
            ProjectConfig cfg = ProjectFiles.load(project);
            Path data = tmp.resolve("data");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
                Engine engine = new Engine(db, data);
                Thread run = Runs.engine(engine, cfg, failure);
                Runs.awaitMonitoring(db, "outage", Duration.ofSeconds(120));
                try (ChangeWriter writer = new ChangeWriter(() -> {
                    try {
                        return EmbeddedServers.mariadb().connect(src);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "sbtest1", ROWS, 300, 11).start()) {
                    Thread.sleep(2000);
                    proxy.cut();            // the destination is gone ...
                    Thread.sleep(30_000);   // ... for 30 s while the application keeps writing
                    assertThat(failure.get()).as("the run must wait, not fail").isNull();
                    proxy.restore();
                    Thread.sleep(2000);
                }
                Runs.awaitEqual(cfg, failure, Duration.ofSeconds(120));
                engine.requestStop();
                run.join(60_000);
                assertThat(failure.get()).isNull();
                assertThat(db.events().list(db.projects().find("outage").orElseThrow().id(), 100))
                        .as("the outage is recorded").anySatisfy(e -> assertThat(e.message()).contains("retrying"));
            }
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.model.DataSourceType;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch the Connector cannot finish writing (a DBA's open transaction holds one of its rows on the
 * destination) is shown as such: the step's progress, which `tideway status` prints, says a batch is
 * being written, how many of its rows are sent, and that none is committed yet; once the lock goes,
 * the batch commits and the destination equals the source.
 */
@ExtendWith(EmbeddedServers.class)
class BlockedApplyIT {
    static final int ROWS = 5_000;

    @TempDir
    Path tmp;

    @Test
    void aBatchHeldUpOnTheDestinationIsReportedAsWrittenButNotCommitted() throws Exception {
        String src = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), BlockedApplyIT.class, "src");
        String dst = EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), BlockedApplyIT.class, "dst");
        try (Connection c = EmbeddedServers.mariadb().connect(src)) {
            SampleData.mariadbSysbench(c, ROWS);
        }
        Path project = Projects.write(tmp, "blocked", "name: blocked\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "steps: [schema, full, incremental]\n");
        try (Runs.InProcess run = Runs.synced(project, tmp.resolve("data"))) {
            MetaDb db = run.db();
            long pid = run.projectId();
            try (Connection dba = EmbeddedServers.postgres().connect(dst); Statement st = dba.createStatement()) {
                dba.setAutoCommit(false);
                st.executeQuery("SELECT * FROM \"" + src + "\".sbtest1 WHERE id = " + ROWS / 2 + " FOR UPDATE").close();
                try (Connection s = EmbeddedServers.mariadb().connect(src); Statement w = s.createStatement()) {
                    w.executeUpdate("UPDATE sbtest1 SET k = k + 1");   // one transaction, every row
                }
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                        db.projects().step(pid, "incremental").progressJson())
                        .containsPattern("\"batch\":\"writing a batch of [0-9,]+ changes: [0-9,]+ of [0-9,]+ rows sent, not yet committed\""));
                assertThat(run.failure().get()).isNull();
                dba.rollback();
            }
            Runs.awaitEqual(run.cfg(), run.failure(), Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    db.projects().step(pid, "incremental").progressJson()).doesNotContain("\"batch\""));
        }
    }
}

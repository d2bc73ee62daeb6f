package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.incremental.Applier;
import io.tideway.engine.incremental.HeldTable;
import io.tideway.engine.incremental.SinkTable;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.engine.store.Spool;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Connectors of one project pointed at one destination (a run that took the project over while
 * the old one still runs): the destination holds the applied position and the newest writer's
 * epoch, so the older Connector's next batch is refused and nothing is applied twice. An audit
 * trigger on the destination table counts every row written. The changes come from a spool the
 * test writes, so that each Connector's batches are exactly the changes the test hands it.
 */
@ExtendWith(EmbeddedServers.class)
class TwoConnectorsIT {
    private static final String CAPTURE = "forward";

    @TempDir
    Path tmp;

    private String srcDb;
    private String dstDb;
    private ProjectConfig cfg;
    private Endpoints ends;
    private MetaDb metaDb;
    private long projectId;
    private List<MappedTable> tables;
    private Spool spool;
    private long position;

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        String suffix = Integer.toHexString(info.getTestMethod().orElseThrow().getName().hashCode() & 0xffff);
        srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), TwoConnectorsIT.class, "src_" + suffix);
        dstDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), TwoConnectorsIT.class, "dst_" + suffix);
        for (String db : List.of(srcDb, dstDb)) {
            try (Connection c = EmbeddedServers.mariadb().connect(db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
            }
        }
        try (Connection c = EmbeddedServers.mariadb().connect(dstDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE audit_log (n INT AUTO_INCREMENT PRIMARY KEY, id INT NOT NULL, op VARCHAR(6) NOT NULL)");
            st.execute("CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO audit_log (id, op) VALUES (NEW.id, 'insert')");
            st.execute("CREATE TRIGGER t_au AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit_log (id, op) VALUES (NEW.id, 'update')");
            st.execute("CREATE TRIGGER t_ad AFTER DELETE ON t FOR EACH ROW INSERT INTO audit_log (id, op) VALUES (OLD.id, 'delete')");
        }
        Path file = Projects.write(tmp, "two", "name: two-connectors\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), srcDb) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("mariadb"), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".t\"] }\n"
                + "steps: [incremental]\n");
        cfg = ProjectFiles.load(file);
        ends = Endpoints.of(cfg);
        metaDb = MetaDb.openEmbedded(tmp.resolve("data"), Version.current());
        projectId = metaDb.projects().upsert(cfg.name(), cfg.source(), cfg.destination(), ProjectFiles.toYamlWithoutSecrets(cfg));
        try (Connection s = ends.connectSource(); Connection d = ends.connectDestination()) {
            tables = List.of(new MappedTable(SchemaStep.find(ends.sourceDialect(), s, new TableId(srcDb, "t")).orElseThrow(),
                    SchemaStep.find(ends.destinationDialect(), d, new TableId(dstDb, "t")).orElseThrow()));
        }
        spool = Spool.open(tmp.resolve("spool"));
    }

    private Applier connector(long epoch) {
        return new Applier(ends, metaDb, projectId, CAPTURE, HeldTable.of(cfg.name(), CAPTURE, tables),
                SinkTable.of(cfg.name(), CAPTURE, tables), epoch, tables, spool, 2, Applier.BatchLimits.of(1_000_000, 0.3), w -> { },
                t -> t.renamed(new TableId(dstDb, t.id().table()), java.util.Map.of()), id -> false,
                IncrementalOptions.DEFAULT, ZeroDates.KEEP);
    }

    /** Spools an insert (or, with {@code update}, an update) of each of the ids, with value {@code v}. */
    private void spoolChanges(int from, int to, boolean update, String v) {
        List<ChangeEvent> batch = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            Object[] after = {id, v};
            batch.add(new ChangeEvent(update ? ChangeEvent.Op.UPDATE : ChangeEvent.Op.INSERT, new TableId(srcDb, "t"),
                    List.of("id", "v"), update ? new Object[] {id, "before"} : null, after, null,
                    System.currentTimeMillis(), String.format("binlog.000001:%08d", ++position)));
        }
        spool.append(batch);
    }

    private int count(String sql) throws SQLException {
        try (Connection c = EmbeddedServers.mariadb().connect(dstDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theConnectorWithTheOlderEpochHasItsNextBatchRefusedAndNothingIsAppliedTwice() throws Exception {
        try (MetaDb db = metaDb; Spool sp = spool; Applier older = connector(100); Applier newer = connector(200)) {
            spoolChanges(1, 10, false, "one");
            assertThat(older.applyNext().events()).isEqualTo(10);
            assertThat(count("SELECT count(*) FROM audit_log")).isEqualTo(10);

            // a newer run takes over: it resumes where the destination stands, after the older one's batch
            spoolChanges(1, 10, true, "two");
            assertThat(newer.applyNext().events()).as("only the changes after the destination's position").isEqualTo(10);
            assertThat(count("SELECT count(*) FROM audit_log")).isEqualTo(20);

            spoolChanges(11, 15, false, "three");
            assertThatThrownBy(older::applyNext).isInstanceOfSatisfying(TidewayException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SINK_FENCED);
                assertThat(e.code().retriable()).as("the Connector stops").isFalse();
                assertThat(e.getMessage()).contains("two-connectors", CAPTURE, "epoch 200", "epoch 100");
            });
            assertThat(count("SELECT count(*) FROM audit_log")).as("the refused batch wrote nothing").isEqualTo(20);
            assertThat(count("SELECT count(*) FROM t WHERE id > 10")).isZero();

            assertThat(newer.applyNext().events()).isEqualTo(5);
            assertThat(count("SELECT count(*) FROM t")).isEqualTo(15);
            assertThat(count("SELECT count(*) FROM t WHERE v = 'two'")).isEqualTo(10);
            assertThat(count("SELECT count(*) FROM audit_log")).as("each of the 25 changes written once").isEqualTo(25);
            assertThat(count("SELECT count(*) FROM (SELECT id, op FROM audit_log GROUP BY id, op HAVING count(*) > 1) d"))
                    .isZero();
            try (Applier late = connector(150)) {
                assertThatThrownBy(late::applyNext).as("an older run cannot claim the destination back")
                        .isInstanceOfSatisfying(TidewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SINK_FENCED));
            }
        }
    }

    @Test
    void aConnectorResumesFromTheDestinationsPositionWhenTheMetaDbCheckpointIsBehind() throws Exception {
        try (MetaDb db = metaDb; Spool sp = spool) {
            spoolChanges(1, 10, false, "one");
            Spool.Address after;
            try (Applier first = connector(100)) {
                assertThat(first.applyNext().events()).isEqualTo(10);
                after = first.address();
            }
            // as after a crash between the destination's commit and the MetaDB checkpoint
            metaDb.incremental().saveApplyCheckpoint(projectId, CAPTURE, new ApplyCheckpoint(1, 0, null, 0, 0, null));

            spoolChanges(11, 13, false, "two");
            try (Applier again = connector(100)) {
                assertThat(again.applyNext().events()).as("only the changes the destination lacks").isEqualTo(3);
                assertThat(again.eventsApplied()).isEqualTo(13);
            }
            assertThat(count("SELECT count(*) FROM audit_log")).as("nothing written twice").isEqualTo(13);
            assertThat(count("SELECT count(*) FROM t")).isEqualTo(13);
            ApplyCheckpoint mirrored = metaDb.incremental().applyCheckpoint(projectId, CAPTURE).orElseThrow();
            assertThat(new Spool.Address(mirrored.segment(), mirrored.offset())).as("the MetaDB mirrors the destination")
                    .isGreaterThan(after);
        }
    }
}

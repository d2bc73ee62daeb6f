package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.engine.Version;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class MariaDbToPostgresIncrementalIT extends AbstractIncrementalIT {
    @Override DataSourceType source() { return DataSourceType.fromId("mariadb"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("postgresql"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override void fill(Connection c) throws SQLException { SampleData.mariadbSysbench(c, ROWS); }

    @Test
    void itsComponentsAreListedShownAndConfiguredAndAConnectorWithoutDbTypeRefusesToStart() throws Exception {
        String srcDb = freshSource();
        try (Connection c = connectSource(srcDb); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            st.execute("INSERT INTO t SELECT seq, seq FROM seq_1_to_500");
        }
        Path project = Projects.write(tmp, "components", "name: components-it\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), freshDestination()) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { chunk-size: 100 }\n");
        String data = tmp.resolve("data").toString();
        String connector = "components-it.connector.forward";

        Runs.Printed before = Runs.printed("--data-dir", data, "components", project.toString());
        assertThat(before.exit()).as(before.output()).isZero();
        assertThat(before.output()).contains("components-it.store.forward").contains(connector).contains("NEW");

        Runs.Printed run = Runs.printed("--data-dir", data, "run", project.toString(), "--until", "synced");
        assertThat(run.exit()).as(run.output()).isZero();

        Runs.Printed list = Runs.printed("--data-dir", data, "components", project.toString());
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output().lines().filter(l -> l.startsWith("components-it.")))
                .as(list.output())
                .anySatisfy(l -> assertThat(l).contains("components-it.store.forward").contains("store").contains("STOPPED"))
                .anySatisfy(l -> assertThat(l).contains(connector).contains("connector").contains("STOPPED").contains(" s"))
                .anySatisfy(l -> assertThat(l).contains("components-it.full-import").contains("full-import").contains("STOPPED")
                        .contains("500 of 500 rows"));

        Runs.Printed show = Runs.printed("--data-dir", data, "components", "show", connector);
        assertThat(show.exit()).as(show.output()).isZero();
        assertThat(show.output()).contains("component " + connector).contains("configuration version 1 by project file")
                .containsPattern("source\\s+dbType\\s+mariadb").containsPattern("lanes\\s+4")
                .containsPattern("batchFill\\s+20s\\s+\\(default\\)\\s+\\(live\\)");

        Runs.Printed set = Runs.printed("--data-dir", data, "components", "set", connector, "coordinator.batchFill=5s");
        assertThat(set.exit()).as(set.output()).isZero();
        assertThat(set.output()).contains("configuration version 2 by " + System.getProperty("user.name"))
                .contains("coordinator.batchFill 20s -> 5s");

        Runs.Printed unknown = Runs.printed("--data-dir", data, "components", "set", connector, "sink.lane=2");
        assertThat(unknown.exit()).as(unknown.output()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown key 'sink.lane'").contains("expected one of source.dbType, sink.lanes");

        try (MetaDb db = MetaDb.openEmbedded(Path.of(data), Version.current())) {
            long pid = db.projects().find("components-it").orElseThrow().id();
            assertThat(db.events().list(pid, 50)).as("the change is recorded with who")
                    .anySatisfy(e -> {
                        assertThat(e.message()).contains(connector).contains("coordinator.batchFill 20s -> 5s");
                        assertThat(e.who()).isEqualTo(System.getProperty("user.name"));
                    })
                    .noneSatisfy(e -> assertThat(e.message()).contains("sink.lane "));
            // a configuration from before source.dbType existed (the upgrade trap)
            var current = db.components().config(connector).orElseThrow();
            assertThat(db.components().addVersion(connector, current.version(),
                    current.sectionsJson().replace("\"dbType\":\"mariadb\"", "").replace("{,", "{"), "an older Tideway", null, null))
                    .isPresent();
        }
        Runs.Printed refused = Runs.printed("--data-dir", data, "run", project.toString(), "--until", "synced");
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("component " + connector + " cannot start: its configuration has no source.dbType")
                .contains("tideway components set " + connector + " source.dbType=mariadb");
    }
}

package io.tideway.engine.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The components API on an embedded MetaDB. */
class ComponentsTest {
    static final ComponentId CONNECTOR = ComponentId.of("shop", ComponentKind.CONNECTOR, Direction.FORWARD);

    @TempDir
    Path tmp;
    MetaDb db;
    Components components;
    long pid;

    @BeforeEach
    void open() {
        db = MetaDb.openEmbedded(tmp, "test");
        components = new Components(db);
        DataSourceConfig src = new DataSourceConfig(DataSourceType.fromId("mariadb"), "h", 3306, "u", "p", "shop", Map.of());
        DataSourceConfig dst = new DataSourceConfig(DataSourceType.fromId("postgresql"), "h", 5432, "u", "p", "shop", Map.of());
        pid = db.projects().upsert("shop", src, dst, null);
        components.seed(CONNECTOR, pid, Map.of("source.dbType", "mariadb", "sink.lanes", "4"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void a_change_is_a_new_version_and_an_event_saying_who_what_and_when_it_takes_effect() {
        Components.Update u = components.update(CONNECTOR.toString(), Map.of("coordinator.batchFill", "5s", "sink.lanes", "8"), "alice");
        assertThat(u.component().config().version()).isEqualTo(2);
        assertThat(u.component().config().get(ComponentSettings.BATCH_FILL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(u.component().config().get(ComponentSettings.DB_TYPE)).as("kept").isEqualTo("mariadb");
        assertThat(u.summary()).isEqualTo("component shop.connector.forward: configuration version 2 by alice: sink.lanes 4 -> 8"
                + " (in effect at its next start), coordinator.batchFill 20s -> 5s (in effect at its next start)");
        assertThat(db.events().list(pid, 5)).singleElement().satisfies(e -> {
            assertThat(e.who()).isEqualTo("alice");
            assertThat(e.message()).isEqualTo(u.summary());
        });
    }

    @Test
    void a_bad_change_is_refused_whole_and_nothing_is_stored() {
        assertThatThrownBy(() -> components.update(CONNECTOR.toString(), Map.of("sink.lanes", "2", "sink.lane", "2",
                "source.dbType", "oracle"), "bob"))
                .hasMessageContaining("component shop.connector.forward: ")
                .hasMessageContaining("unknown key 'sink.lane'; expected one of source.dbType, sink.lanes")
                .hasMessageContaining("source.dbType: expected one of mysql, mariadb, oceanbase-mysql, postgresql");
        assertThat(components.read(CONNECTOR.toString()).config().version()).isEqualTo(1);
        assertThatThrownBy(() -> components.update("shop.store.forward", Map.of("x.y", "1"), "bob"))
                .hasMessageContaining("no component shop.store.forward; project shop has shop.connector.forward");
    }

    @Test
    void the_project_file_reseeds_only_the_keys_it_changed_so_an_operators_value_holds_until_then() {
        components.update(CONNECTOR.toString(), Map.of("sink.lanes", "8"), "alice");
        components.seed(CONNECTOR, pid, Map.of("source.dbType", "mariadb", "sink.lanes", "4"));
        assertThat(components.read(CONNECTOR.toString()).config().get(ComponentSettings.LANES)).as("unchanged file").isEqualTo(8L);
        components.seed(CONNECTOR, pid, Map.of("source.dbType", "mariadb", "sink.lanes", "2"));
        ComponentConfig c = components.read(CONNECTOR.toString()).config();
        assertThat(c.get(ComponentSettings.LANES)).as("the file changed it").isEqualTo(2L);
        assertThat(c.version()).isEqualTo(3);
        assertThat(c.who()).isEqualTo(Components.PROJECT_FILE);
    }

    @Test
    void a_component_created_but_never_run_is_new_with_the_defaults_of_what_is_not_set() {
        Component c = components.read(CONNECTOR.toString());
        assertThat(c.state()).isEqualTo(ComponentState.NEW);
        assertThat(c.node()).isNull();
        assertThat(c.config().values().masked()).containsEntry("coordinator.batchFill", "20s").containsEntry("source.dbType", "mariadb");
    }
}

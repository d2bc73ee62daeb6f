package io.tideway.engine.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.settings.Scope;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingValues;
import io.tideway.engine.settings.ComponentSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentConfigTest {

    @Test
    void an_unknown_key_is_refused_naming_it_and_the_keys_the_kind_has() {
        assertThatThrownBy(() -> ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("sink.lane", "2")))
                .isInstanceOf(SettingValues.Invalid.class)
                .hasMessageContaining("unknown key 'sink.lane'")
                .hasMessageContaining("expected one of source.dbType, sink.lanes, coordinator.batchMaxRows");
        assertThatThrownBy(() -> ComponentConfig.validate(ComponentKind.STORE, Map.of("source.dbType", "mariadb")))
                .as("a key of another kind").hasMessageContaining("unknown key 'source.dbType'");
    }

    @Test
    void db_type_is_one_of_the_known_data_source_types() {
        SettingValues v = ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("source.dbType", "MariaDB"));
        assertThat(v.get(ComponentSettings.DB_TYPE)).isEqualTo("mariadb");
        assertThatThrownBy(() -> ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("source.dbType", "oracle")))
                .hasMessageContaining("source.dbType: expected one of mysql, mariadb, oceanbase-mysql, postgresql, got 'oracle'");
        assertThatThrownBy(() -> ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("source.dbType", "")))
                .hasMessageContaining("source.dbType: expected one of");
    }

    @Test
    void values_are_validated_by_type_and_unset_keys_take_todays_defaults() {
        SettingValues v = ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("coordinator.batchFill", "5s"));
        assertThat(v.get(ComponentSettings.BATCH_FILL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(v.get(ComponentSettings.BATCH_MAX_ROWS)).isEqualTo(1_000_000L);
        assertThat(v.get(ComponentSettings.LAG_THRESHOLD)).isEqualTo(Duration.ofSeconds(5));
        assertThat(SettingValues.defaults(ComponentKind.FULL_IMPORT.settings()).get(ComponentSettings.CHUNK_SIZE)).isEqualTo(50_000L);
        assertThatThrownBy(() -> ComponentConfig.validate(ComponentKind.CONNECTOR, Map.of("sink.lanes", "0", "coordinator.quietAfter", "x")))
                .isInstanceOfSatisfying(SettingValues.Invalid.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("sink.lanes: expected a whole number from 1 to 1024, got 0");
    }

    @Test
    void the_stored_form_keeps_its_format_and_sections_and_reads_back_the_same() {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("source.dbType", "postgresql");
        set.put("sink.lanes", "8");
        set.put("coordinator.batchFill", "500ms");
        String json = ComponentConfig.toJson(set);
        assertThat(json).isEqualTo("{\"format\":1,\"source\":{\"dbType\":\"postgresql\"},\"sink\":{\"lanes\":\"8\"},"
                + "\"coordinator\":{\"batchFill\":\"500ms\"}}");
        assertThat(ComponentConfig.fromJson("p.connector.forward", json)).isEqualTo(set);
        assertThatThrownBy(() -> ComponentConfig.fromJson("p.connector.forward", "{\"format\":2}"))
                .hasMessageContaining("format 2").hasMessageContaining("reads format 1");
    }

    @Test
    void every_component_setting_is_declared_for_a_kind_in_a_known_section_with_a_description() {
        for (Setting<?> s : ComponentSettings.ALL) {
            assertThat(s.scope()).as(s.key()).isEqualTo(Scope.COMPONENT);
            assertThat(s.description()).as(s.key()).isNotBlank();
            assertThat(ComponentConfig.SECTIONS).as(s.key()).contains(s.section());
            assertThat(s.components()).as(s.key()).isNotEmpty()
                    .allSatisfy(k -> assertThat(Arrays.stream(ComponentKind.values()).map(ComponentKind::id)).contains(k));
            if (s.defaultValue() != null) {
                assertThat(s.parse(s.type().format(cast(s.defaultValue())))).as(s.key() + " round trip").isEqualTo(s.defaultValue());
            }
        }
        assertThat(ComponentKind.values()).allSatisfy(k -> assertThat(k.settings()).as(k.id()).isNotEmpty());
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}

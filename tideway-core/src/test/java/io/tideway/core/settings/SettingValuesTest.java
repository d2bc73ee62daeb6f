package io.tideway.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingValuesTest {
    static final Setting<Long> LANES = Setting.of("sink.lanes", SettingType.integer(1, 64)).defaultValue(4L)
            .component("connector").description("Destination connections writing at once.").build();
    static final Setting<Duration> FILL = Setting.of("coordinator.batchFill",
            SettingType.duration(Duration.ofMillis(10), Duration.ofMinutes(10), "ms")).defaultValue(Duration.ofSeconds(20))
            .component("connector").live().description("How long a batch fills.").build();
    static final Setting<String> PASSWORD = Setting.of("source.password", SettingType.text()).defaultValue("")
            .secret().description("The password.").build();
    static final List<Setting<?>> ALL = List.of(LANES, FILL, PASSWORD);

    @Test
    void unsetKeysTakeTheirDefaults() {
        SettingValues v = SettingValues.defaults(ALL);
        assertThat(v.get(LANES)).isEqualTo(4L);
        assertThat(v.get(FILL)).isEqualTo(Duration.ofSeconds(20));
        assertThat(LANES.section()).isEqualTo("sink");
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> SettingValues.of(ALL, Map.of("sink.lanes", "0", "coordinator.batchFill", "soon",
                "sink.lane", "2")))
                .isInstanceOfSatisfying(SettingValues.Invalid.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("sink.lanes: expected a whole number from 1 to 64, got 0")
                .hasMessageContaining("coordinator.batchFill: expected a duration")
                .hasMessageContaining("unknown key 'sink.lane'; expected one of sink.lanes, coordinator.batchFill");
    }

    @Test
    void durationsReadInTheirUnitsAndWriteBackTheSame() {
        SettingValues v = SettingValues.of(ALL, Map.of("coordinator.batchFill", "1500"));
        assertThat(v.get(FILL)).isEqualTo(Duration.ofMillis(1500));
        assertThat(FILL.type().format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(FILL.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(FILL.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void secretsAreMaskedWhereverValuesArePrinted() {
        SettingValues v = SettingValues.of(ALL, Map.of("source.password", "hunter2"));
        assertThat(v.get(PASSWORD)).isEqualTo("hunter2");
        assertThat(v.masked()).containsEntry("source.password", Setting.MASK);
        assertThat(v.toString()).doesNotContain("hunter2");
    }

    @Test
    void aChangeIsValidatedLikeTheWhole() {
        SettingValues v = SettingValues.of(ALL, Map.of("sink.lanes", "2"));
        assertThat(v.with(Map.of("coordinator.batchFill", "5s")).get(LANES)).isEqualTo(2L);
        assertThatThrownBy(() -> v.with(Map.of("sink.lanes", "x"))).hasMessageContaining("sink.lanes");
    }

    @Test
    void listsAndMappingsReadFromOneTextAndWriteBackTheSame() {
        SettingType.ListType<Long> list = SettingType.listOf(SettingType.integer(1, 10));
        assertThat(list.parse("1, 2,3")).containsExactly(1L, 2L, 3L);
        assertThat(list.format(List.of(4L, 5L))).isEqualTo("4,5");
        assertThat(list.parse("")).isEmpty();
        assertThatThrownBy(() -> list.parse("1,,2")).hasMessageContaining("separated by commas");
        assertThatThrownBy(() -> list.parse("1,11")).hasMessage("expected a whole number from 1 to 10, got 11");
        SettingType.MapType map = SettingType.mapOf("a mapping of schema to schema",
                k -> k.contains(".") ? "should be a schema" : null, "a name");
        assertThat(map.parse("shop=store, crm=people")).containsExactly(Map.entry("shop", "store"), Map.entry("crm", "people"));
        assertThat(map.format(map.parse("a=b"))).isEqualTo("a=b");
        assertThatThrownBy(() -> map.parse("shop.x=y")).hasMessage("key 'shop.x' should be a schema");
        assertThatThrownBy(() -> map.parse("shop=")).hasMessage("shop: expected a name, got nothing");
        Setting<String> host = Setting.of("source.host", SettingType.text("a host name or IP address")).required()
                .description("The host.").build();
        assertThat(host.required()).isTrue();
        assertThat(LANES.required()).isFalse();
        assertThat(SettingValues.ofValues(ALL, Map.of("sink.lanes", 8L)).get(LANES)).isEqualTo(8L);
    }
}

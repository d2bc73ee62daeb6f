package io.tideway.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.Step;
import io.tideway.core.project.TableSelection;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.settings.ConnectionSettings;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingValues;
import io.tideway.engine.settings.ProjectSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The project settings' declarations: every one through the project file and back, overrides, masking. */
class ProjectSettingsTest {
    static final Map<String, String> ENV = Map.of("SRC_PASS", "src-secret", "DST_PASS", "dst-secret");

    /** A project whose every setting differs from its default. */
    static ProjectConfig everySettingSet() {
        Map<String, RowFilter> where = new LinkedHashMap<>();
        where.put("orders", RowFilter.of("created_at >= '2024-01-01'"));
        where.put("shop.flags", new RowFilter("f = 1", "f IS TRUE"));
        return new ProjectConfig("all-settings",
                new DataSourceConfig(DataSourceType.fromId("mysql"), "src.internal", 3307, "reader", "src-secret", "shop",
                        Map.of("useSSL", "false")),
                new DataSourceConfig(DataSourceType.fromId("postgresql"), "dst.internal", 5433, "writer", "dst-secret", "shop2",
                        Map.of("connectTimeout", "5000")),
                new TableSelection(List.of("shop.*", "\"my.schema\".t?"), List.of("shop.tmp_*"), Map.of("shop", "store"),
                        Map.of("shop.orders", "orders_v2"), Map.of("shop.orders.amt", "amount")),
                List.of(Step.SCHEMA, Step.FULL, Step.INCREMENTAL, Step.VERIFY),
                new FullOptions(FullOptions.DEFAULT.parallelism() % 1000 + 1, 1234, 500, 1.5, ZeroDates.FAIL),
                List.of("destination.tables_empty"),
                new IncrementalOptions(IncrementalOptions.Ddl.STOP, true, 3, 100, 24),
                new VerifyOptions(List.of("orders.updated_at"), 1000, 0.5, 5, 1500, where));
    }

    @Test
    void the_source_and_destination_keys_are_the_connection_settings_of_the_installed_plugins() {
        assertThat(DataSourceType.all()).extracting(DataSourceType::id)
                .containsExactly("mysql", "mariadb", "oceanbase-mysql", "postgresql");
        for (ProjectSettings.DataSourceSettings end : List.of(ProjectSettings.SOURCE, ProjectSettings.DESTINATION)) {
            assertThat(end.connection()).extracting(Setting::key).containsExactlyElementsOf(
                    ConnectionSettings.COMMON.stream().map(c -> end.side() + "." + c.key()).toList());
            assertThat(end.of(ConnectionSettings.PASSWORD).secret()).isTrue();
            assertThat(DataSourceType.all()).allMatch(t -> end.connection().stream().allMatch(c -> end.declaredFor(c, t)));
        }
    }

    @Test
    void every_declared_project_setting_goes_through_the_project_file_and_back() {
        ProjectConfig p = everySettingSet();
        SettingValues set = ProjectValues.of(p);
        for (Setting<?> s : ProjectSettings.ALL) {
            assertThat(set.get(s.key())).as("the test's project sets %s to a value other than its default", s.key())
                    .matches(v -> !Objects.equals(v, s.defaultValue()));
        }
        String yaml = ProjectFiles.toYamlWithoutSecrets(p);
        assertThat(yaml).doesNotContain("secret").doesNotContain("password");
        // secrets are never written: they come back from the environment, here through command-line overrides
        ProjectConfig back = ProjectFiles.load(yaml, "all.yaml", ENV::get,
                List.of("source.password=${env:SRC_PASS}", "destination.password=${env:DST_PASS}"));
        SettingValues read = ProjectValues.of(back);
        for (Setting<?> s : ProjectSettings.ALL) {
            assertThat(read.get(s.key())).as(s.key()).isEqualTo(set.get(s.key()));
        }
        assertThat(back).isEqualTo(p);
    }

    @Test
    void every_setting_is_declared_once_with_a_description() {
        assertThat(ProjectSettings.ALL).extracting(Setting::key).doesNotHaveDuplicates();
        assertThat(ProjectSettings.ALL).allSatisfy(s -> assertThat(s.description()).as(s.key()).isNotBlank());
        assertThat(ProjectSettings.keysUnder("")).containsExactly("name", "source", "destination", "tables", "steps", "full",
                "incremental", "precheck", "verify");
        assertThat(ProjectSettings.ALL).filteredOn(Setting::secret).extracting(Setting::key)
                .containsExactly("source.password", "destination.password");
    }

    static final String FILE = """
            name: shop-to-pg
            source: { type: mariadb, host: 127.0.0.1, user: root, database: shop }
            destination: { type: postgresql, host: 127.0.0.1, user: postgres, database: shop }
            steps: [schema, full]
            full: { parallelism: 8 }
            """;

    @Test
    void command_line_overrides_set_scalars_lists_and_entries_of_mappings_over_the_file() {
        ProjectConfig p = ProjectFiles.load(FILE, "shop.yaml", n -> null, List.of("full.parallelism=2",
                "tables.include=shop.*, crm.users", "tables.rename.schemas.shop=store", "tables.rename.tables.shop.orders=o2",
                "verify.where.orders=id > 5", "incremental.ddl=stop", "source.port=3307", "steps=schema,full,verify",
                "source.properties.useSSL=false"));
        assertThat(p.full().parallelism()).isEqualTo(2);
        assertThat(p.tables().include()).containsExactly("shop.*", "crm.users");
        assertThat(p.tables().schemaRenames()).containsEntry("shop", "store");
        assertThat(p.tables().tableRenames()).containsEntry("shop.orders", "o2");
        assertThat(p.verify().where()).containsEntry("orders", RowFilter.of("id > 5"));
        assertThat(p.incremental().ddl()).isEqualTo(IncrementalOptions.Ddl.STOP);
        assertThat(p.source().port()).isEqualTo(3307);
        assertThat(p.steps()).containsExactly(Step.SCHEMA, Step.FULL, Step.VERIFY);
        assertThat(p.source().properties()).containsEntry("useSSL", "false");
    }

    @Test
    void a_bad_override_is_refused_naming_its_key_and_what_is_expected_with_the_files_problems() {
        String msg = refused(FILE + "verify: { sample: 2 }\n", List.of("full.parallelism=0", "full.paralelism=2", "nonsense",
                "tables.rename.tables.orders=o2"));
        assertThat(msg.lines()).containsExactlyInAnyOrder(
                "shop.yaml: --set: full.parallelism: expected a whole number from 1 to 1024, got 0",
                "shop.yaml: --set: unknown key 'full.paralelism'; expected one of " + String.join(", ",
                        ProjectSettings.ALL.stream().map(Setting::key).toList())
                        + ", or KEY.NAME for an entry of a mapping (did you mean 'full.parallelism'?)",
                "shop.yaml: --set: 'nonsense': expected KEY=VALUE, e.g. full.parallelism=2",
                "shop.yaml: --set: tables.rename.tables: key 'orders' should be schema.table",
                "shop.yaml: line 6: verify.sample: expected a share of the chunks above 0 and at most 1 (e.g. 0.1 for a"
                        + " tenth), got 2");
    }

    @Test
    void secrets_are_masked_wherever_the_settings_are_printed() {
        ProjectConfig p = everySettingSet();
        Map<String, String> masked = ProjectValues.masked(p);
        assertThat(masked).containsEntry("source.password", Setting.MASK).containsEntry("full.chunk-size", "1234");
        assertThat(masked.toString()).doesNotContain("src-secret").doesNotContain("dst-secret");
        assertThat(ProjectValues.of(p).toString()).doesNotContain("src-secret");
        assertThat(p.source().toString()).doesNotContain("src-secret");
    }

    static String refused(String yaml, List<String> overrides) {
        try {
            ProjectFiles.load(yaml, "shop.yaml", n -> null, overrides);
        } catch (TidewayException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            return e.getMessage();
        }
        throw new AssertionError("expected the file to be refused");
    }
}

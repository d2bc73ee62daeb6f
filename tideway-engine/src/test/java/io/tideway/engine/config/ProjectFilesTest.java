package io.tideway.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.project.TableSelection;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.VerifyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectFilesTest {
    static final Function<String, String> ENV = Map.of("PGPASS", "pg-secret", "SHARD", "7")::get;

    static final String FULL = """
            name: shop-to-pg
            source:      { type: mariadb, host: 127.0.0.1, port: 3307, user: root, password: "", database: shop, properties: { useSsl: false, connectTimeout: 5000 } }
            destination: { type: postgresql, host: "db-${env:SHARD}.internal", user: postgres, password: "${env:PGPASS}", database: shop }
            tables:
              include: ["shop.*", "crm.customers"]
              exclude: ["shop.tmp_*"]
              rename:
                schemas: { shop: store }
                tables:  { "shop.orders": orders_v2 }
                columns: { "shop.orders.amt": amount }
            steps: [schema, full, incremental, verify]
            full: { parallelism: 8, chunk-size: 10000, throttle-rows: 5000, throttle-mb: 2.5, zero-dates: fail }
            incremental: { ddl: ignore, drop-tables: true, parallelism: 6, throttle-rows: 2000, retention-hours: 48 }
            precheck: { skip: [destination.tables_empty] }
            """;

    static ProjectConfig load(String yaml) {
        return ProjectFiles.load(yaml, "shop.yaml", ENV);
    }

    static String problems(String yaml) {
        try {
            load(yaml);
        } catch (TidewayException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            return e.getMessage();
        }
        throw new AssertionError("expected the file to be refused:\n" + yaml);
    }

    /** A valid file with one line replaced, to test one problem at a time. */
    static String minimal(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    static final String NAME = "name: shop-to-pg";
    static final String SOURCE = "source: { type: mariadb, host: 127.0.0.1, user: root, database: shop }";
    static final String DEST = "destination: { type: postgresql, host: 127.0.0.1, user: postgres, database: shop }";
    static final String STEPS = "steps: [schema, full]";

    @Test
    void a_full_file_parses_into_the_expected_project() {
        ProjectConfig p = load(FULL);
        ProjectConfig expected = new ProjectConfig("shop-to-pg",
                new DataSourceConfig(DataSourceType.fromId("mariadb"), "127.0.0.1", 3307, "root", "", "shop",
                        Map.of("useSsl", "false", "connectTimeout", "5000")),
                new DataSourceConfig(DataSourceType.fromId("postgresql"), "db-7.internal", 5432, "postgres", "pg-secret", "shop", Map.of()),
                new TableSelection(List.of("shop.*", "crm.customers"), List.of("shop.tmp_*"), Map.of("shop", "store"),
                        Map.of("shop.orders", "orders_v2"), Map.of("shop.orders.amt", "amount")),
                List.of(Step.SCHEMA, Step.FULL, Step.INCREMENTAL, Step.VERIFY),
                new FullOptions(8, 10000, 5000, 2.5, io.tideway.core.model.ZeroDates.FAIL),
                List.of("destination.tables_empty"),
                new IncrementalOptions(IncrementalOptions.Ddl.IGNORE, true, 6, 2000, 48));
        assertThat(p).isEqualTo(expected);
        assertThat(p.destination().password()).isEqualTo("pg-secret");
    }

    @Test
    void zero_dates_default_to_keep_between_mysql_family_databases_and_null_across() {
        assertThat(load(minimal(NAME, SOURCE, DEST, STEPS)).zeroDates()).isEqualTo(ZeroDates.NULL);
        String toMaria = "destination: { type: mariadb, host: h, user: root, database: shop2 }";
        assertThat(load(minimal(NAME, SOURCE, toMaria, STEPS)).zeroDates()).isEqualTo(ZeroDates.KEEP);
        ProjectConfig replaced = load(minimal(NAME, SOURCE, DEST, STEPS, "full: { zero-dates: 0001-01-01 }"));
        assertThat(replaced.zeroDates()).isEqualTo(ZeroDates.replaceWith("0001-01-01"));
        assertThat(load(ProjectFiles.toYamlWithoutSecrets(replaced)).full()).isEqualTo(replaced.full());
        assertThat(load(minimal(NAME, SOURCE, toMaria, STEPS, "full: { zero-dates: null }")).zeroDates()).isEqualTo(ZeroDates.NULL);
    }

    @Test
    void a_minimal_file_gets_the_defaults() {
        ProjectConfig p = load(minimal(NAME, SOURCE, DEST, STEPS,
                "full: { parallelism: " + FullOptions.DEFAULT_PARALLELISM + " }"));
        assertThat(p.source().port()).isEqualTo(3306);
        assertThat(p.destination().port()).isEqualTo(5432);
        assertThat(p.source().password()).isEmpty();
        assertThat(p.tables()).isEqualTo(TableSelection.DEFAULT);
        assertThat(p.full()).isEqualTo(FullOptions.DEFAULT);
        assertThat(p.steps()).containsExactly(Step.SCHEMA, Step.FULL);
        assertThat(p.precheckSkip()).isEmpty();
        assertThat(p.incremental()).isEqualTo(IncrementalOptions.DEFAULT);
        assertThat(p.incremental().ddl()).isEqualTo(IncrementalOptions.Ddl.FOLLOW);
        assertThat(p.incremental().dropTables()).isFalse();
        ProjectConfig ob = load(minimal(NAME, "source: { type: oceanbase-mysql, host: h, user: u, database: d }", DEST, STEPS));
        assertThat(ob.source().port()).isEqualTo(2881);
    }

    @Test
    void malformed_yaml_names_the_line_and_column() {
        String msg = problems("name: x\nsource:\n  host: a\n   port: 3\n");
        assertThat(msg).startsWith("shop.yaml: line 4, column 8: ").contains("mapping values are not allowed");
        assertThat(problems("name: x\nsteps: [schema, full\ndestination: {}\n")).startsWith("shop.yaml: line 3, column ");
    }

    @Test
    void an_unknown_key_names_its_line_its_section_and_the_accepted_keys() {
        String msg = problems(minimal(NAME,
                "source:",
                "  type: mariadb",
                "  hots: 127.0.0.1",
                "  host: 127.0.0.1",
                "  user: root",
                "  database: shop",
                DEST, STEPS));
        assertThat(msg).isEqualTo("shop.yaml: line 4: unknown key 'hots' in source; expected one of type, host, port, user,"
                + " password, database, properties (did you mean 'host'?)");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "ful: { parallelism: 2 }")))
                .contains("line 5: unknown key 'ful' at the top level").contains("did you mean 'full'?");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full: { chunk_size: 2 }")))
                .contains("line 5: unknown key 'chunk_size' in full").contains("did you mean 'chunk-size'?");
    }

    @Test
    void an_unknown_type_lists_the_accepted_types() {
        String msg = problems(minimal(NAME, SOURCE,
                "destination: { type: oracle, host: 127.0.0.1, user: postgres, database: shop }", STEPS));
        assertThat(msg).contains("shop.yaml: line 3: destination.type: unknown data source type 'oracle'")
                .contains("mysql, mariadb, oceanbase-mysql, postgresql");
    }

    @Test
    void a_missing_required_field_names_its_key_path() {
        assertThat(problems(minimal(NAME, "source: { type: mariadb, user: root, database: shop }", DEST, STEPS)))
                .contains("shop.yaml: line 2: source.host is required");
        assertThat(problems(minimal(NAME, "source: { type: mariadb, host: h, user: root }", DEST, STEPS)))
                .contains("line 2: source.database is required");
        assertThat(problems(minimal(NAME, SOURCE, STEPS)))
                .contains("shop.yaml: line 1: destination is required");
        assertThat(problems(minimal(NAME, SOURCE, DEST)))
                .contains("line 1: steps is required");
    }

    @Test
    void a_value_of_the_wrong_type_is_refused() {
        assertThat(problems(minimal(NAME, SOURCE,
                "destination: { type: postgresql, host: h, port: \"abc\", user: postgres, database: shop }", STEPS)))
                .isEqualTo("shop.yaml: line 3: destination.port: expected a whole number from 1 to 65535, got 'abc'");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full: { parallelism: 0 }")))
                .isEqualTo("shop.yaml: line 5: full.parallelism: expected a whole number from 1 to 1024, got 0");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full:", "  chunk-size: 0")))
                .isEqualTo("shop.yaml: line 6: full.chunk-size: expected a whole number >= 1, got 0");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full: { zero-dates: maybe }")))
                .contains("line 5: full.zero-dates: expected keep, null, fail or a replacement date yyyy-MM-dd (e.g. 0001-01-01),"
                        + " got 'maybe'");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full: { zero-dates: 2020-02-30 }")))
                .contains("line 5: full.zero-dates: the replacement date '2020-02-30' is not a date");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "full: { zero-dates: keep }")))
                .contains("line 5: full.zero-dates: keep needs a MySQL-family destination (postgresql stores no zero date)");
        assertThat(problems(minimal(NAME, "source: [a, b]", DEST, STEPS)))
                .contains("line 2: source: expected a mapping, got a list");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "tables: { include: shop.* }")))
                .contains("line 5: tables.include: expected a list of schema.table patterns, got 'shop.*'");
    }

    @Test
    void steps_must_be_known_unique_in_order_and_not_empty() {
        assertThat(problems(minimal(NAME, SOURCE, DEST, "steps: [schema, copy]")))
                .contains("line 4: steps[1]: unknown step 'copy'; expected one of schema, full, incremental, verify");
        assertThat(problems(minimal(NAME, SOURCE, DEST, "steps: [schema, full, full]")))
                .contains("line 4: steps[2]: duplicate step 'full'");
        assertThat(problems(minimal(NAME, SOURCE, DEST, "steps: [full, schema]")))
                .contains("line 4: steps[1]: 'schema' comes after 'full'; steps must be listed in the order they run");
        assertThat(problems(minimal(NAME, SOURCE, DEST, "steps: []")))
                .contains("line 4: steps: the list is empty");
    }

    @Test
    void the_name_must_be_present_and_plain() {
        assertThat(problems(minimal("name: \"\"", SOURCE, DEST, STEPS))).contains("line 1: name is required");
        assertThat(problems(minimal("name: shop to pg", SOURCE, DEST, STEPS)))
                .contains("line 1: name: 'shop to pg' is not a valid project name; expected letters, digits, - and _");
    }

    @Test
    void all_problems_are_reported_together_one_per_line() {
        String msg = problems(minimal("name: \"\"",
                "source: { type: mariadb, hots: h, user: root, database: shop }",
                "destination: { type: postgresql, host: h, port: 99999, user: postgres, database: shop }",
                "steps: [schema, schema]",
                "full: { parallelism: -1 }"));
        assertThat(msg.lines()).hasSize(6).allSatisfy(l -> assertThat(l).startsWith("shop.yaml: line "));
        assertThat(msg).contains("name is required", "unknown key 'hots' in source", "source.host is required",
                "destination.port", "duplicate step 'schema'", "full.parallelism");
    }

    @Test
    void environment_variables_are_substituted_and_an_unset_one_is_named() {
        ProjectConfig p = load(minimal(NAME, SOURCE,
                "destination: { type: postgresql, host: h, port: \"${env:SHARD}${env:SHARD}\", user: postgres,"
                        + " password: \"a${env:PGPASS}b $${env:PGPASS}\", database: shop }", STEPS));
        assertThat(p.destination().password()).isEqualTo("apg-secretb ${env:PGPASS}");
        assertThat(p.destination().port()).isEqualTo(77);
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "precheck:", "  skip: [\"${env:NOPE}\"]")))
                .isEqualTo("shop.yaml: line 6: precheck.skip[0]: environment variable NOPE is not set");
        assertThat(problems(minimal(NAME, SOURCE,
                "destination: { type: postgresql, host: h, user: postgres, password: \"${env:MISSING_PW}\", database: shop }",
                STEPS))).contains("line 3: destination.password: environment variable MISSING_PW is not set");
    }

    @Test
    void duplicate_keys_bad_patterns_and_bad_renames_are_reported() {
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "name: other")))
                .contains("line 5: duplicate key 'name' (first at line 1)");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "tables:", "  include: [shop.*, orders]")))
                .contains("line 6: tables.include[1]: 'orders' is not a schema.table pattern");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "tables:", "  rename:", "    columns: { shop.amt: amount }")))
                .contains("line 7: tables.rename.columns: key 'shop.amt' should be schema.table.column");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "tables:", "  include: ['\"my.schema.*']")))
                .contains("line 6: tables.include[0]: '\"my.schema.*' is not a schema.table pattern (the double quote at 1 is not closed)");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "verify: { exclude-columns: ['\"a\"b.t.c'] }")))
                .contains("verify.exclude-columns[0]: '\"a\"b.t.c' is not a column");
    }

    @Test
    void names_holding_a_dot_are_written_in_double_quotes_in_patterns_renames_and_verify_keys() {
        ProjectConfig p = load(minimal(NAME, SOURCE, DEST, STEPS,
                "tables:",
                "  include: ['\"Quoted_\"\" . Schema\".*']",
                "  exclude: ['\"Quoted_\"\" . Schema\".tmp']",
                "  rename:",
                "    schemas: { '\"Quoted_\"\" . Schema\"': plain }",
                "    tables: { '\"Quoted_\"\" . Schema\".a': a2 }",
                "    columns: { '\"Quoted_\"\" . Schema\".a.\"x.y\"': xy }",
                "verify:",
                "  exclude-columns: ['\"Quoted_\"\" . Schema\".a.\"x.y\"']",
                "  where: { '\"Quoted_\"\" . Schema\".a': 'id > 0' }"));
        assertThat(p.tables().include()).containsExactly("\"Quoted_\"\" . Schema\".*");
        assertThat(p.verify().where()).containsKey("\"Quoted_\"\" . Schema\".a");
        // and a written project reads back the same
        assertThat(load(ProjectFiles.toYamlWithoutSecrets(p))).isEqualTo(p);
    }

    @Test
    void incremental_options_refuse_unknown_values_naming_the_key_and_the_accepted_values() {
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental:", "  ddl: folow")))
                .isEqualTo("shop.yaml: line 6: incremental.ddl: expected one of follow, ignore, stop, got 'folow'");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { drop-tables: yes please }")))
                .isEqualTo("shop.yaml: line 5: incremental.drop-tables: expected true or false, got 'yes please'");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { dll: stop }")))
                .contains("line 5: unknown key 'dll' in incremental; expected one of ddl, drop-tables, parallelism, throttle-rows, retention-hours (did you mean 'ddl'?)");
        assertThat(load(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { ddl: STOP }")).incremental().ddl())
                .isEqualTo(IncrementalOptions.Ddl.STOP);
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { parallelism: 0 }")))
                .contains("line 5: incremental.parallelism:");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { throttle-rows: -5 }")))
                .contains("line 5: incremental.throttle-rows:");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { retention-hours: 0 }")))
                .contains("line 5: incremental.retention-hours:");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "incremental: { retention-hours: 7d }")))
                .contains("line 5: incremental.retention-hours:");
        IncrementalOptions unset = load(minimal(NAME, SOURCE, DEST, STEPS)).incremental();
        assertThat(unset.parallelism()).isEqualTo(IncrementalOptions.DEFAULT_PARALLELISM);
        assertThat(unset.throttleRowsPerSecond()).isZero();
        assertThat(unset.retentionHours()).isEqualTo(7 * 24);
    }

    @Test
    void an_empty_file_or_a_list_is_refused() {
        assertThat(problems("")).contains("shop.yaml: line 1: the file is empty");
        assertThat(problems("- a\n- b\n")).contains("shop.yaml: line 1: expected a mapping with name, source");
        assertThat(problems(minimal(NAME, SOURCE, DEST, STEPS, "---", "name: b"))).contains("a second YAML document");
    }

    @Test
    void to_yaml_without_secrets_omits_passwords_and_reads_back_the_same() {
        ProjectConfig p = load(FULL);
        String yaml = ProjectFiles.toYamlWithoutSecrets(p);
        assertThat(yaml).doesNotContain("pg-secret").doesNotContain("password");
        ProjectConfig back = ProjectFiles.load(yaml, "stored.yaml", name -> null);
        ProjectConfig expected = new ProjectConfig(p.name(), p.source(), withoutPassword(p.destination()), p.tables(),
                p.steps(), p.full(), p.precheckSkip(), p.incremental());
        assertThat(back).isEqualTo(expected);
        // values that YAML would read as other types stay strings
        ProjectConfig odd = load(minimal(NAME,
                "source: { type: mariadb, host: h, user: \"null\", database: \"123\", properties: { x: \"true\", y: \"$${env:Q}\" } }",
                DEST, STEPS));
        assertThat(odd.source().properties()).containsEntry("y", "${env:Q}");
        assertThat(ProjectFiles.load(ProjectFiles.toYamlWithoutSecrets(odd), "s.yaml", n -> null)).isEqualTo(odd);
    }

    static DataSourceConfig withoutPassword(DataSourceConfig d) {
        return new DataSourceConfig(d.type(), d.host(), d.port(), d.user(), "", d.database(), d.properties());
    }

    @Test
    void load_reads_a_file_and_names_it(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shop.yaml");
        Files.writeString(file, minimal(NAME, SOURCE, DEST, "steps: [bogus]"));
        assertThatThrownBy(() -> ProjectFiles.load(file))
                .isInstanceOf(TidewayException.class)
                .hasMessage(file + ": line 4: steps[0]: unknown step 'bogus'; expected one of schema, full, incremental, verify");
        assertThatThrownBy(() -> ProjectFiles.load(dir.resolve("missing.yaml")))
                .hasMessageContaining("missing.yaml: cannot read the project file");
    }

    @Test
    void the_verify_section_sets_the_verification_options() {
        ProjectConfig p = load(minimal(NAME, SOURCE, DEST, "steps: [schema, full, verify]",
                "verify:",
                "  exclude-columns: [orders.updated_at, \"crm.customers.*_at\"]",
                "  throttle-rows: 20000",
                "  sample: 0.25",
                "  recheck-rounds: 5",
                "  recheck-interval: 1.5"));
        assertThat(p.verify()).isEqualTo(new VerifyOptions(List.of("orders.updated_at", "crm.customers.*_at"), 20000, 0.25, 5, 1500));
        assertThat(load(minimal(NAME, SOURCE, DEST, STEPS)).verify()).isEqualTo(VerifyOptions.DEFAULT);
        ProjectConfig back = ProjectFiles.load(ProjectFiles.toYamlWithoutSecrets(p), "stored.yaml", n -> null);
        assertThat(back.verify()).isEqualTo(p.verify());
    }

    @Test
    void bad_verify_options_are_named_with_their_line() {
        String msg = problems(minimal(NAME, SOURCE, DEST, STEPS,
                "verify:",
                "  exclude-columns: [updated_at, \"a.b.c.d\"]",
                "  throttle-rows: -1",
                "  sample: 0",
                "  recheck-rounds: 0",
                "  where: \"id > 5\""));
        assertThat(msg).contains("shop.yaml: line 6: verify.exclude-columns[0]: 'updated_at' is not a column; expected table.column")
                .contains("shop.yaml: line 6: verify.exclude-columns[1]: 'a.b.c.d' is not a column")
                .contains("shop.yaml: line 7: verify.throttle-rows: expected a whole number >= 0, got -1")
                .contains("shop.yaml: line 8: verify.sample: expected a share of the chunks above 0 and at most 1")
                .contains("shop.yaml: line 9: verify.recheck-rounds: expected a whole number from 1 to 100, got 0")
                .contains("shop.yaml: line 10: verify.where: expected a mapping");
    }

    @Test
    void verify_where_gives_row_filters_per_table_with_an_optional_destination_condition() {
        ProjectConfig p = load(minimal(NAME, SOURCE, DEST, "steps: [schema, full, verify]",
                "verify:",
                "  where:",
                "    orders: \"created_at >= '2024-01-01' AND status IN ('a', 'b')\"",
                "    \"crm.flag*\": { source: \"f = 1\", destination: \"f IS TRUE\" }"));
        assertThat(p.verify().where()).containsExactly(
                Map.entry("orders", RowFilter.of("created_at >= '2024-01-01' AND status IN ('a', 'b')")),
                Map.entry("crm.flag*", new RowFilter("f = 1", "f IS TRUE")));
        assertThat(p.verify().where().get("orders").destination()).isEqualTo(p.verify().where().get("orders").source());
        ProjectConfig back = ProjectFiles.load(ProjectFiles.toYamlWithoutSecrets(p), "stored.yaml", n -> null);
        assertThat(back.verify()).isEqualTo(p.verify());
    }

    @Test
    void a_row_filter_that_could_change_tidewayss_own_query_is_refused_with_its_line() {
        String msg = problems(minimal(NAME, SOURCE, DEST, STEPS,
                "verify:",
                "  where:",
                "    orders: \"id > 5; DELETE FROM orders\"",
                "    items: \"id > 5) OR (1 = 1\"",
                "    lines: \"id > 5 -- all\"",
                "    a.b.c: \"id > 5\"",
                "    notes: { source: \"id > 5\", dest: \"x\" }",
                "    tags: \"\""));
        assertThat(msg).contains("shop.yaml: line 7: verify.where.orders: ';' is not allowed")
                .contains("shop.yaml: line 8: verify.where.items: a ')' closes a parenthesis the condition did not open")
                .contains("shop.yaml: line 9: verify.where.lines: comments are not allowed")
                .contains("shop.yaml: line 10: verify.where: 'a.b.c' is not a table; expected table or schema.table")
                .contains("shop.yaml: line 11: unknown key 'dest' in verify.where.notes; expected one of source, destination")
                .contains("shop.yaml: line 12: verify.where.tags: the condition is empty");
        assertThat(RowFilter.problem("name = 'it''s; -- fine' AND (a > 1)")).isNull();
        assertThat(RowFilter.problem("name = 'open")).contains("not closed");
    }
}

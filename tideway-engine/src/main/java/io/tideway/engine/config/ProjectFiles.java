package io.tideway.engine.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
import io.tideway.core.project.TablePatterns;
import io.tideway.core.project.TableSelection;
import io.tideway.core.project.VerifyOptions;
import io.tideway.engine.config.YamlTree.ListNode;
import io.tideway.engine.config.YamlTree.MapNode;
import io.tideway.engine.config.YamlTree.Node;
import io.tideway.engine.config.YamlTree.Pos;
import io.tideway.engine.config.YamlTree.ScalarNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes project files.
 *
 * <h2>Project files</h2>
 * A project file is one YAML document:
 * <pre>{@code
 * name: shop-to-pg                      # required; letters, digits, - and _ (at most 128)
 * source:                               # required
 *   type: mariadb                       # required: mysql, mariadb, oceanbase-mysql or postgresql
 *   host: 127.0.0.1                     # required
 *   port: 3306                          # default: the type's port (MySQL/MariaDB 3306, OceanBase 2881, PostgreSQL 5432)
 *   user: root                          # required
 *   password: ""                        # default: empty
 *   database: shop                      # required (MySQL family: the database; PostgreSQL: the database to connect to)
 *   properties: {}                      # extra JDBC properties, passed to the driver as they are
 * destination: { type: postgresql, host: 127.0.0.1, user: postgres, password: "${env:PGPASS}", database: shop }
 * tables:                               # default: every table of the source's database (PostgreSQL: schema public)
 *   include: ["shop.*"]                 # schema.table patterns; * matches any run of characters, ? one;
 *                                       #   a name holding a dot in double quotes: '"my.schema".*'
 *   exclude: ["shop.tmp_*"]             # removed from what include selected
 *   rename:
 *     schemas: { shop: store }          # source schema: destination schema
 *     tables:  { "shop.orders": orders_v2 }     # source schema.table: destination table
 *     columns: { "shop.orders.amt": amount }    # source schema.table.column: destination column
 * steps: [schema, full]                 # required, not empty, no duplicates, in the order they run:
 *                                       #   schema, full, incremental, verify
 * full:                                 # options of the full copy
 *   parallelism: 4                      # chunks copied at once across all tables (>= 1)
 *   chunk-size: 50000                   # rows per key-range chunk (>= 1)
 *   throttle-rows: 0                    # rows per second at most; 0 = unlimited
 *   throttle-mb: 0                      # megabytes per second at most; 0 = unlimited
 *   zero-dates: keep                    # MySQL zero dates ('0000-00-00', '2020-00-15'): keep = verbatim (MySQL-family
 *                                       #   destination only), null = NULL (nullable columns only), fail = stop,
 *                                       #   or a replacement date such as 0001-01-01; default: keep between
 *                                       #   MySQL-family databases, null otherwise
 * incremental:                          # options of the incremental step
 *   ddl: follow                         # schema changes on the source: follow = apply them to the destination,
 *                                       #   ignore = log and skip them, stop = stop the step for the DBA
 *   drop-tables: false                  # true = a table dropped on the source is dropped on the destination;
 *                                       #   false = the step stops instead
 *   parallelism: 4                      # the Connector's lanes: destination connections writing a batch at once (>= 1)
 *   throttle-rows: 0                    # source changes applied per second at most; 0 = unlimited
 *   retention-hours: 168                # spooled changes are kept this long (and until applied), >= 1
 * precheck:
 *   skip: [destination.tables_empty]    # precheck items not to enforce, by name
 * verify:                               # options of the verify step and of `tideway verify`
 *   exclude-columns: [orders.updated_at]  # table.column or schema.table.column (source names, globs) not compared
 *   throttle-rows: 0                    # source rows compared per second at most; 0 = unlimited
 *   sample: 1                           # share of each keyed table's chunks compared (above 0, at most 1)
 *   recheck-rounds: 3                   # while incremental sync runs: rounds of reading differing rows again (1..100)
 *   recheck-interval: 2                 # seconds before each of those rounds
 *   where:                              # row filters: only the rows that meet them are compared and corrected
 *     orders: "created_at >= '2024-01-01'"         # table or schema.table pattern (source names, globs): a SQL
 *                                                  #   condition of the source's dialect, the same on the destination
 *     "shop.flags": { source: "f = 1", destination: "f" }  # or one per side (destination column names)
 * }</pre>
 *
 * <p>{@code ${env:NAME}} anywhere in a value is replaced by the environment variable NAME (an
 * unset variable is an error; write {@code $${env:NAME}} for the literal text). Use it for
 * passwords, which are then never written into the file.
 *
 * <p>Unknown keys are errors. Every problem of a file is reported at once, one per line, each
 * with the file name, the line and the key, for example
 * {@code shop.yaml: line 4: unknown key 'hots' in source; expected one of type, host, ...}.
 */
public final class ProjectFiles {
    static final List<String> TOP_KEYS = List.of("name", "source", "destination", "tables", "steps", "full", "incremental",
            "precheck", "verify");
    static final List<String> SOURCE_KEYS = List.of("type", "host", "port", "user", "password", "database", "properties");
    static final List<String> TABLES_KEYS = List.of("include", "exclude", "rename");
    static final List<String> RENAME_KEYS = List.of("schemas", "tables", "columns");
    static final List<String> FULL_KEYS = List.of("parallelism", "chunk-size", "throttle-rows", "throttle-mb", "zero-dates");
    static final List<String> INCREMENTAL_KEYS = List.of("ddl", "drop-tables", "parallelism", "throttle-rows", "retention-hours");
    static final List<String> PRECHECK_KEYS = List.of("skip");
    static final List<String> VERIFY_KEYS = List.of("exclude-columns", "throttle-rows", "sample", "recheck-rounds", "recheck-interval",
            "where");
    static final List<String> WHERE_KEYS = List.of("source", "destination");
    static final int MAX_NAME_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String TYPES = Arrays.stream(DataSourceType.values()).map(DataSourceType::id)
            .collect(Collectors.joining(", "));
    private static final String STEPS = Arrays.stream(Step.values()).map(Step::id).collect(Collectors.joining(", "));

    private ProjectFiles() { }

    /** Reads a project file, taking {@code ${env:NAME}} from the process environment. */
    public static ProjectConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, file + ": cannot read the project file ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        return load(text, file.toString(), System::getenv);
    }

    /**
     * Reads a project file's text.
     *
     * @param sourceName the file name that starts every message
     * @param env looks up environment variables for {@code ${env:NAME}}; null when unset
     */
    public static ProjectConfig load(String yaml, String sourceName, Function<String, String> env) {
        return new Reader(sourceName, env).read(yaml);
    }

    /**
     * The configuration as a project file without any password, every default written out; {@link #load}
     * reads it back to the same configuration with empty passwords.
     */
    public static String toYamlWithoutSecrets(ProjectConfig p) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", escape(p.name()));
        root.put("source", dataSource(p.source()));
        root.put("destination", dataSource(p.destination()));
        TableSelection t = p.tables();
        Map<String, Object> tables = new LinkedHashMap<>();
        tables.put("include", t.include().stream().map(ProjectFiles::escape).toList());
        tables.put("exclude", t.exclude().stream().map(ProjectFiles::escape).toList());
        Map<String, Object> rename = new LinkedHashMap<>();
        rename.put("schemas", escape(t.schemaRenames()));
        rename.put("tables", escape(t.tableRenames()));
        rename.put("columns", escape(t.columnRenames()));
        tables.put("rename", rename);
        root.put("tables", tables);
        root.put("steps", p.steps().stream().map(Step::id).toList());
        FullOptions f = p.full();
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("parallelism", f.parallelism());
        full.put("chunk-size", f.chunkSize());
        full.put("throttle-rows", f.throttleRowsPerSecond());
        full.put("throttle-mb", f.throttleMegabytesPerSecond());
        if (f.zeroDates().text() != null) {
            full.put("zero-dates", f.zeroDates().text());
        }
        root.put("full", full);
        Map<String, Object> incremental = new LinkedHashMap<>();
        incremental.put("ddl", p.incremental().ddl().id());
        incremental.put("drop-tables", p.incremental().dropTables());
        incremental.put("parallelism", p.incremental().parallelism());
        incremental.put("throttle-rows", p.incremental().throttleRowsPerSecond());
        incremental.put("retention-hours", p.incremental().retentionHours());
        root.put("incremental", incremental);
        root.put("precheck", Map.of("skip", p.precheckSkip().stream().map(ProjectFiles::escape).toList()));
        VerifyOptions v = p.verify();
        Map<String, Object> verify = new LinkedHashMap<>();
        verify.put("exclude-columns", v.excludeColumns().stream().map(ProjectFiles::escape).toList());
        verify.put("throttle-rows", v.throttleRowsPerSecond());
        verify.put("sample", v.sample());
        verify.put("recheck-rounds", v.recheckRounds());
        verify.put("recheck-interval", v.recheckIntervalMillis() / 1000.0);
        Map<String, Object> where = new LinkedHashMap<>();
        v.where().forEach((table, rf) -> where.put(escape(table), rf.destination().equals(rf.source()) ? escape(rf.source())
                : Map.of("source", escape(rf.source()), "destination", escape(rf.destination()))));
        verify.put("where", where);
        root.put("verify", verify);
        YAMLMapper yaml = YAMLMapper.builder(YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .build())
                .build();
        try {
            return yaml.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> dataSource(DataSourceConfig d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", d.type().id());
        m.put("host", escape(d.host()));
        m.put("port", d.port());
        m.put("user", escape(d.user()));
        m.put("database", escape(d.database()));
        m.put("properties", escape(d.properties()));
        return m;
    }

    /** Writes "${" as "$${" so that reading the text back does not substitute anything. */
    private static String escape(String v) {
        return v == null ? null : v.replace("${", "$${");
    }

    private static Map<String, String> escape(Map<String, String> m) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, escape(v)));
        return out;
    }

    /** One reading of one file: collects problems as it goes. */
    private static final class Reader {
        private final Problems problems;
        private final Function<String, String> env;

        Reader(String sourceName, Function<String, String> env) {
            this.problems = new Problems(sourceName);
            this.env = env;
        }

        ProjectConfig read(String yaml) {
            Node root;
            try {
                root = YamlTree.parse(yaml, problems);
            } catch (YamlTree.SyntaxError e) {
                problems.addWithColumn(e.pos, e.getMessage());
                problems.throwIfAny();
                return null;
            }
            if (root == null) {
                problems.add(new Pos(1, 1), "the file is empty; expected a mapping with " + String.join(", ", TOP_KEYS));
                problems.throwIfAny();
            }
            if (!(root instanceof MapNode map)) {
                problems.add(root.pos(), "expected a mapping with " + String.join(", ", TOP_KEYS) + ", got " + root.kind());
                problems.throwIfAny();
                return null;
            }
            checkKeys(map, "", TOP_KEYS);

            String name = string(map, "name", "name");
            if (name == null || name.isBlank()) {
                required(map, "name", "name", "letters, digits, - and _");
            } else if (!NAME.matcher(name).matches() || name.length() > MAX_NAME_LENGTH) {
                problems.add(valuePos(map, "name"), "name: '" + name + "' is not a valid project name; expected letters,"
                        + " digits, - and _ (at most " + MAX_NAME_LENGTH + ")");
            }
            DataSourceConfig source = dataSource(map, "source");
            DataSourceConfig destination = dataSource(map, "destination");
            TableSelection tables = tables(map);
            List<Step> steps = steps(map);
            FullOptions full = full(map);
            IncrementalOptions incremental = incremental(map);
            List<String> skip = List.of();
            MapNode precheck = mapping(map, "precheck", "precheck");
            if (precheck != null) {
                checkKeys(precheck, "precheck", PRECHECK_KEYS);
                skip = strings(precheck, "skip", "precheck.skip");
            }
            VerifyOptions verify = verify(map);
            if (full.zeroDates().mode() == ZeroDates.Mode.KEEP && source != null && destination != null
                    && destination.type().family() != DataSourceType.Family.MYSQL) {
                problems.add(valuePos(mapping(map, "full", "full"), "zero-dates"), "full.zero-dates: keep needs a MySQL-family"
                        + " destination (" + destination.type().id() + " stores no zero date); use null, fail or a replacement"
                        + " date such as 0001-01-01");
            }
            problems.throwIfAny();
            return new ProjectConfig(name, source, destination, tables, steps, full, skip, incremental, verify);
        }

        // ------------------------------------------------------------ sections

        private DataSourceConfig dataSource(MapNode root, String key) {
            MapNode m = mapping(root, key, key);
            if (m == null) {
                if (!root.entries().containsKey(key)) {
                    required(root, key, key, "a mapping with " + String.join(", ", SOURCE_KEYS));
                }
                return null;
            }
            checkKeys(m, key, SOURCE_KEYS);
            String typeText = string(m, "type", key + ".type");
            DataSourceType type = null;
            if (typeText == null || typeText.isBlank()) {
                required(m, "type", key + ".type", "one of " + TYPES);
            } else {
                try {
                    type = DataSourceType.fromId(typeText);
                } catch (IllegalArgumentException e) {
                    problems.add(valuePos(m, "type"), key + ".type: " + e.getMessage());
                }
            }
            String host = requiredString(m, "host", key + ".host", "a host name or IP address");
            Long port = integer(m, "port", key + ".port", 1, 65535);
            String user = requiredString(m, "user", key + ".user", "the user name to log in with");
            String password = string(m, "password", key + ".password");
            String database = requiredString(m, "database", key + ".database", "the database to work in");
            Map<String, String> props = stringMap(m, "properties", key + ".properties", null);
            if (type == null || host == null || user == null || database == null) {
                return null;
            }
            return new DataSourceConfig(type, host, port == null ? type.defaultPort() : port.intValue(), user,
                    password == null ? "" : password, database, props);
        }

        private TableSelection tables(MapNode root) {
            MapNode m = mapping(root, "tables", "tables");
            if (m == null) {
                return TableSelection.DEFAULT;
            }
            checkKeys(m, "tables", TABLES_KEYS);
            List<String> include = patterns(m, "include", "tables.include");
            List<String> exclude = patterns(m, "exclude", "tables.exclude");
            Map<String, String> schemas = Map.of();
            Map<String, String> tables = Map.of();
            Map<String, String> columns = Map.of();
            MapNode rename = mapping(m, "rename", "tables.rename");
            if (rename != null) {
                checkKeys(rename, "tables.rename", RENAME_KEYS);
                schemas = stringMap(rename, "schemas", "tables.rename.schemas", null);
                tables = stringMap(rename, "tables", "tables.rename.tables", 1);
                columns = stringMap(rename, "columns", "tables.rename.columns", 2);
            }
            return new TableSelection(include, exclude, schemas, tables, columns);
        }

        private List<String> patterns(MapNode m, String key, String path) {
            List<String> out = strings(m, key, path);
            ListNode list = m.entries().containsKey(key) && m.entries().get(key).value() instanceof ListNode l ? l : null;
            for (int i = 0; i < out.size(); i++) {
                String p = out.get(i);
                String why = dottedProblem(p, 2, Integer.MAX_VALUE);
                if (why != null) {
                    Pos pos = list != null && i < list.items().size() ? list.items().get(i).pos() : valuePos(m, key);
                    problems.add(pos, path + "[" + i + "]: '" + p + "' is not a schema.table pattern" + why + "; expected e.g."
                            + " shop.orders, shop.* or \"my.schema\".* (a name holding a dot in double quotes)");
                }
            }
            return out;
        }

        private List<Step> steps(MapNode root) {
            if (!root.entries().containsKey("steps")) {
                required(root, "steps", "steps", "a list of " + STEPS);
                return List.of();
            }
            Node n = root.entries().get("steps").value();
            if (!(n instanceof ListNode list)) {
                problems.add(n.pos(), "steps: expected a list of " + STEPS + ", got " + n.kind());
                return List.of();
            }
            if (list.items().isEmpty()) {
                problems.add(n.pos(), "steps: the list is empty; expected some of " + STEPS + ", in that order");
                return List.of();
            }
            List<Step> out = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node item = list.items().get(i);
                String text = scalarText(item, "steps[" + i + "]");
                if (text == null) {
                    continue;
                }
                Step s;
                try {
                    s = Step.fromId(text);
                } catch (IllegalArgumentException e) {
                    problems.add(item.pos(), "steps[" + i + "]: " + e.getMessage());
                    continue;
                }
                if (out.contains(s)) {
                    problems.add(item.pos(), "steps[" + i + "]: duplicate step '" + s.id() + "'");
                } else if (!out.isEmpty() && out.get(out.size() - 1).ordinal() > s.ordinal()) {
                    problems.add(item.pos(), "steps[" + i + "]: '" + s.id() + "' comes after '" + out.get(out.size() - 1).id()
                            + "'; steps must be listed in the order they run: " + STEPS);
                    out.add(s);
                } else {
                    out.add(s);
                }
            }
            return out;
        }

        private FullOptions full(MapNode root) {
            MapNode m = mapping(root, "full", "full");
            if (m == null) {
                return FullOptions.DEFAULT;
            }
            checkKeys(m, "full", FULL_KEYS);
            FullOptions d = FullOptions.DEFAULT;
            Long parallelism = integer(m, "parallelism", "full.parallelism", 1, 1024);
            Long chunkSize = integer(m, "chunk-size", "full.chunk-size", 1, Integer.MAX_VALUE);
            Long throttleRows = integer(m, "throttle-rows", "full.throttle-rows", 0, Long.MAX_VALUE);
            Double throttleMb = decimal(m, "throttle-mb", "full.throttle-mb");
            ZeroDates zeroDates = d.zeroDates();
            if (m.entries().containsKey("zero-dates")) {
                Node n = m.entries().get("zero-dates").value();
                String text = n instanceof ScalarNode s && s.isNull() ? "null" : scalarText(n, "full.zero-dates");
                if (text != null) {
                    try {
                        zeroDates = ZeroDates.parse(text);
                    } catch (IllegalArgumentException e) {
                        problems.add(n.pos(), "full.zero-dates: " + e.getMessage());
                    }
                }
            }
            return new FullOptions(
                    parallelism == null ? d.parallelism() : parallelism.intValue(),
                    chunkSize == null ? d.chunkSize() : chunkSize.intValue(),
                    throttleRows == null ? d.throttleRowsPerSecond() : throttleRows,
                    throttleMb == null ? d.throttleMegabytesPerSecond() : throttleMb,
                    zeroDates);
        }

        private IncrementalOptions incremental(MapNode root) {
            MapNode m = mapping(root, "incremental", "incremental");
            if (m == null) {
                return IncrementalOptions.DEFAULT;
            }
            checkKeys(m, "incremental", INCREMENTAL_KEYS);
            IncrementalOptions d = IncrementalOptions.DEFAULT;
            IncrementalOptions.Ddl ddl = d.ddl();
            YamlTree.Entry e = m.entries().get("ddl");
            if (e != null && !(e.value() instanceof ScalarNode s && s.isNull())) {
                String text = scalarText(e.value(), "incremental.ddl");
                if (text != null) {
                    try {
                        ddl = IncrementalOptions.Ddl.fromId(text);
                    } catch (IllegalArgumentException ex) {
                        problems.add(e.value().pos(), "incremental.ddl: " + ex.getMessage());
                    }
                }
            }
            Boolean dropTables = bool(m, "drop-tables", "incremental.drop-tables");
            Long parallelism = integer(m, "parallelism", "incremental.parallelism", 1, 1024);
            Long throttleRows = integer(m, "throttle-rows", "incremental.throttle-rows", 0, Long.MAX_VALUE);
            Long retention = integer(m, "retention-hours", "incremental.retention-hours", 1, 24L * 365 * 10);
            return new IncrementalOptions(ddl, dropTables == null ? d.dropTables() : dropTables,
                    parallelism == null ? d.parallelism() : parallelism.intValue(),
                    throttleRows == null ? d.throttleRowsPerSecond() : throttleRows,
                    retention == null ? d.retentionHours() : retention);
        }

        private VerifyOptions verify(MapNode root) {
            MapNode m = mapping(root, "verify", "verify");
            VerifyOptions d = VerifyOptions.DEFAULT;
            if (m == null) {
                return d;
            }
            checkKeys(m, "verify", VERIFY_KEYS);
            List<String> exclude = strings(m, "exclude-columns", "verify.exclude-columns");
            ListNode list = m.entries().containsKey("exclude-columns") && m.entries().get("exclude-columns").value() instanceof ListNode l
                    ? l : null;
            for (int i = 0; i < exclude.size(); i++) {
                if (dottedProblem(exclude.get(i), 2, 3) != null) {
                    Pos pos = list != null && i < list.items().size() ? list.items().get(i).pos() : valuePos(m, "exclude-columns");
                    problems.add(pos, "verify.exclude-columns[" + i + "]: '" + exclude.get(i) + "' is not a column; expected"
                            + " table.column or schema.table.column, e.g. orders.updated_at");
                }
            }
            Long throttle = integer(m, "throttle-rows", "verify.throttle-rows", 0, Long.MAX_VALUE);
            Double sample = decimal(m, "sample", "verify.sample");
            if (sample != null && (sample <= 0 || sample > 1)) {
                problems.add(valuePos(m, "sample"), "verify.sample: expected a share of the chunks above 0 and at most 1"
                        + " (e.g. 0.1 for a tenth), got " + sample);
                sample = null;
            }
            Long rounds = integer(m, "recheck-rounds", "verify.recheck-rounds", 1, 100);
            Double interval = decimal(m, "recheck-interval", "verify.recheck-interval");
            return new VerifyOptions(exclude,
                    throttle == null ? d.throttleRowsPerSecond() : throttle,
                    sample == null ? d.sample() : sample,
                    rounds == null ? d.recheckRounds() : rounds.intValue(),
                    interval == null ? d.recheckIntervalMillis() : Math.round(interval * 1000),
                    where(m));
        }

        /** verify.where: table pattern -> condition, or -> { source: condition, destination: condition }. */
        private Map<String, RowFilter> where(MapNode verify) {
            MapNode m = mapping(verify, "where", "verify.where");
            Map<String, RowFilter> out = new LinkedHashMap<>();
            if (m == null) {
                return out;
            }
            for (YamlTree.Entry e : m.entries().values()) {
                String path = "verify.where." + e.key();
                if (dottedProblem(e.key(), 1, 2) != null) {
                    problems.add(e.keyPos(), "verify.where: '" + e.key() + "' is not a table; expected table or schema.table"
                            + " (source names; * and ? match any characters), e.g. orders");
                    continue;
                }
                String source;
                String destination = null;
                Pos srcPos = e.value().pos();
                Pos dstPos = e.value().pos();
                if (e.value() instanceof MapNode sides) {
                    checkKeys(sides, path, WHERE_KEYS);
                    source = string(sides, "source", path + ".source");
                    destination = string(sides, "destination", path + ".destination");
                    srcPos = valuePos(sides, "source");
                    dstPos = valuePos(sides, "destination");
                } else {
                    source = scalarText(e.value(), path);
                }
                String problem = RowFilter.problem(source);
                if (problem != null) {
                    problems.add(srcPos, path + (e.value() instanceof MapNode ? ".source" : "") + ": " + problem);
                    continue;
                }
                if (destination != null && (problem = RowFilter.problem(destination)) != null) {
                    problems.add(dstPos, path + ".destination: " + problem);
                    continue;
                }
                out.put(e.key(), new RowFilter(source, destination));
            }
            return out;
        }

        // ------------------------------------------------------------ values

        private Boolean bool(MapNode parent, String key, String path) {
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                return null;
            }
            int before = problems.size();
            String text = scalarText(e.value(), path);
            if (text == null || problems.size() > before) {
                return null;
            }
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> {
                    return true;
                }
                case "false" -> {
                    return false;
                }
                default -> {
                    problems.add(e.value().pos(), path + ": expected true or false, got '" + text + "'");
                    return null;
                }
            }
        }

        private void checkKeys(MapNode m, String path, List<String> known) {
            for (YamlTree.Entry e : m.entries().values()) {
                if (!known.contains(e.key())) {
                    String near = nearest(e.key(), known);
                    problems.add(e.keyPos(), "unknown key '" + e.key() + "' " + (path.isEmpty() ? "at the top level" : "in " + path)
                            + "; expected one of " + String.join(", ", known)
                            + (near == null ? "" : " (did you mean '" + near + "'?)"));
                }
            }
        }

        private void required(MapNode parent, String key, String path, String expected) {
            problems.add(parent.pos(), path + " is required (" + expected + ")");
        }

        private static Pos valuePos(MapNode m, String key) {
            YamlTree.Entry e = m.entries().get(key);
            return e == null ? m.pos() : e.value().pos();
        }

        /** A mapping under {@code key}, null when absent, null (and a problem) when not a mapping. */
        private MapNode mapping(MapNode parent, String key, String path) {
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                return null;
            }
            if (e.value() instanceof MapNode m) {
                return m;
            }
            problems.add(e.value().pos(), path + ": expected a mapping, got " + e.value().kind());
            return null;
        }

        /** The text of a scalar with ${env:...} replaced; null when absent, null or not a scalar (with a problem). */
        private String string(MapNode parent, String key, String path) {
            YamlTree.Entry e = parent.entries().get(key);
            return e == null ? null : scalarText(e.value(), path);
        }

        private String requiredString(MapNode parent, String key, String path, String expected) {
            int before = problems.size();
            String s = string(parent, key, path);
            if (problems.size() > before) {
                return null; // already reported (e.g. an unset environment variable)
            }
            if (s == null || s.isBlank()) {
                YamlTree.Entry e = parent.entries().get(key);
                if (e == null || e.value() instanceof ScalarNode) {
                    required(parent, key, path, expected);
                }
                return null;
            }
            return s;
        }

        private String scalarText(Node n, String path) {
            if (!(n instanceof ScalarNode s)) {
                problems.add(n.pos(), path + ": expected a single value, got " + n.kind());
                return null;
            }
            if (s.isNull()) {
                return null;
            }
            return s.token() == JsonToken.VALUE_STRING ? substitute(s.text(), s.pos(), path) : s.text();
        }

        private String substitute(String text, Pos pos, String path) {
            if (text.indexOf('$') < 0) {
                return text;
            }
            StringBuilder out = new StringBuilder(text.length());
            int i = 0;
            while (i < text.length()) {
                if (text.startsWith("$${", i)) {
                    out.append("${");
                    i += 3;
                } else if (text.startsWith("${env:", i) && text.indexOf('}', i) > 0) {
                    int end = text.indexOf('}', i);
                    String var = text.substring(i + 6, end);
                    if (!ENV_NAME.matcher(var).matches()) {
                        problems.add(pos, path + ": '${env:" + var + "}' is not a valid variable reference;"
                                + " expected ${env:NAME} with letters, digits and _");
                    } else {
                        String value = env.apply(var);
                        if (value == null) {
                            problems.add(pos, path + ": environment variable " + var + " is not set");
                        } else {
                            out.append(value);
                        }
                    }
                    i = end + 1;
                } else {
                    out.append(text.charAt(i++));
                }
            }
            return out.toString();
        }

        private Long integer(MapNode parent, String key, String path, long min, long max) {
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                return null;
            }
            int before = problems.size();
            String text = scalarText(e.value(), path);
            if (text == null || problems.size() > before) {
                return null;
            }
            String expected = "a whole number " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? ">= " + min : "from " + min + " to " + max);
            long v;
            try {
                v = Long.parseLong(text.trim().replace("_", ""));
            } catch (NumberFormatException ex) {
                problems.add(e.value().pos(), path + ": expected " + expected + ", got '" + text + "'");
                return null;
            }
            if (v < min || v > max) {
                problems.add(e.value().pos(), path + ": expected " + expected + ", got " + v);
                return null;
            }
            return v;
        }

        private Double decimal(MapNode parent, String key, String path) {
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                return null;
            }
            int before = problems.size();
            String text = scalarText(e.value(), path);
            if (text == null || problems.size() > before) {
                return null;
            }
            double v;
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException ex) {
                v = Double.NaN;
            }
            if (Double.isNaN(v) || Double.isInfinite(v) || v < 0) {
                problems.add(e.value().pos(), path + ": expected a number >= 0, got '" + text + "'");
                return null;
            }
            return v;
        }

        /** A list of single values; a single value is taken as a list of one. */
        private List<String> strings(MapNode parent, String key, String path) {
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                return List.of();
            }
            if (!(e.value() instanceof ListNode list)) {
                problems.add(e.value().pos(), path + ": expected a list, got " + e.value().kind());
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                int before = problems.size();
                String s = scalarText(list.items().get(i), path + "[" + i + "]");
                if (s == null || s.isBlank()) {
                    if (problems.size() == before) {
                        problems.add(list.items().get(i).pos(), path + "[" + i + "]: expected a non-empty value");
                    }
                } else {
                    out.add(s);
                }
            }
            return out;
        }

        /**
         * A mapping of names to names. {@code dots}, when not null, is how many '.' the keys must
         * have at least (1 for schema.table, 2 for schema.table.column).
         */
        /**
         * Null when {@code s} is a dotted name or pattern of {@code min} to {@code max} non-blank parts
         * (a pattern's table part may hold further unquoted dots: shop.a.b is table a.b)
         * ({@link TablePatterns#parts}: a part holding a dot written in double quotes), else why not
         * ("" when it only has too few or too many parts).
         */
        private static String dottedProblem(String s, int min, int max) {
            List<String> parts;
            try {
                parts = TablePatterns.parts(s);
            } catch (IllegalArgumentException e) {
                return " (" + e.getMessage() + ")";
            }
            boolean blank = parts.stream().anyMatch(p -> p.isBlank() || p.equals("\"\""));
            return parts.size() < min || parts.size() > max || blank ? "" : null;
        }

        private Map<String, String> stringMap(MapNode parent, String key, String path, Integer dots) {
            MapNode m = mapping(parent, key, path);
            if (m == null) {
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (YamlTree.Entry e : m.entries().values()) {
                String p = path + "." + e.key();
                if (dots != null && e.key().chars().filter(c -> c == '.').count() < dots) {
                    problems.add(e.keyPos(), path + ": key '" + e.key() + "' should be "
                            + (dots == 1 ? "schema.table" : "schema.table.column"));
                    continue;
                }
                String v = scalarText(e.value(), p);
                if (v == null && e.value() instanceof ScalarNode) {
                    v = dots == null && path.endsWith("properties") ? "" : null;
                    if (v == null) {
                        problems.add(e.value().pos(), p + ": expected a name, got nothing");
                        continue;
                    }
                }
                if (v != null) {
                    out.put(e.key(), v);
                }
            }
            return out;
        }

        private static String nearest(String key, List<String> known) {
            String best = null;
            int bestDistance = 3;
            for (String k : known) {
                int d = distance(key.toLowerCase(Locale.ROOT), k);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            return best;
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}

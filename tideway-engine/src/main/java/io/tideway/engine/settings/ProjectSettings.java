package io.tideway.engine.settings;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.Step;
import io.tideway.core.project.TablePatterns;
import io.tideway.core.project.TableSelection;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.settings.ConnectionSettings;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import io.tideway.core.spi.DatabasePlugin;
import io.tideway.core.spi.DatabasePlugins;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings of a project file, by their path in the file ({@code full.chunk-size} is
 * {@code chunk-size} under {@code full:}). The project-file reader and writer, the command-line
 * overrides ({@code --set KEY=VALUE}) and the README's settings table are derived from these
 * declarations. Defaults are those of the engine's typed options ({@link FullOptions},
 * {@link IncrementalOptions}, {@link VerifyOptions}), stated nowhere else.
 */
public final class ProjectSettings {
    private ProjectSettings() { }

    /** The longest project name. */
    public static final int MAX_NAME_LENGTH = 128;
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String STEP_IDS = Arrays.stream(Step.values()).map(Step::id).collect(Collectors.joining(", "));

    /**
     * The settings of one end of a project, {@code source} or {@code destination}: its type, then the
     * connection settings the installed database plugins declare ({@link DatabasePlugin#connectionSettings()}),
     * each key once, in the order the plugins declare them.
     */
    public record DataSourceSettings(String side, Setting<DataSourceType> type, List<Setting<?>> connection) {
        public DataSourceSettings {
            connection = List.copyOf(connection);
        }

        /** In the order of the file. */
        public List<Setting<?>> all() {
            return Stream.concat(Stream.of(type), connection.stream()).toList();
        }

        /** This end's setting of a plugin's declaration, e.g. {@code source.host} for {@link ConnectionSettings#HOST}. */
        @SuppressWarnings("unchecked")
        public <T> Setting<T> of(Setting<T> declared) {
            String key = side + "." + declared.key();
            return (Setting<T>) connection.stream().filter(c -> c.key().equals(key)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no installed database plugin declares " + key));
        }

        /** Whether {@code s}, one of {@link #connection}, is a setting of {@code t} (its plugin declares it). */
        public boolean declaredFor(Setting<?> s, DataSourceType t) {
            return DatabasePlugins.forType(t).connectionSettings().stream()
                    .anyMatch(d -> (side + "." + d.key()).equals(s.key()));
        }
    }

    public static final Setting<String> NAME = Setting.of("name", new SettingType.Simple<>(
                    "letters, digits, - and _ (at most " + MAX_NAME_LENGTH + ")", t -> {
                        if (!NAME_CHARS.matcher(t).matches() || t.length() > MAX_NAME_LENGTH) {
                            throw new IllegalArgumentException("'" + t + "' is not a valid project name; expected letters,"
                                    + " digits, - and _ (at most " + MAX_NAME_LENGTH + ")");
                        }
                        return t;
                    }, t -> t))
            .required()
            .description("The project's name: it identifies the project in the MetaDB, `tideway status` and the console.")
            .build();

    public static final DataSourceSettings SOURCE = dataSource("source", "The database the project reads from");
    public static final DataSourceSettings DESTINATION = dataSource("destination", "The database the project writes to");

    public static final Setting<List<String>> TABLES_INCLUDE = Setting.of("tables.include",
                    SettingType.listOf("a list of schema.table patterns", tablePattern()))
            .defaultValue(TableSelection.DEFAULT.include())
            .defaultText("every table of the source's database (PostgreSQL: schema public)")
            .description("The tables to move: `schema.table` patterns, `*` matching any run of characters and `?` one;"
                    + " a name holding a dot in double quotes (`'\"my.schema\".*'`).")
            .build();
    public static final Setting<List<String>> TABLES_EXCLUDE = Setting.of("tables.exclude",
                    SettingType.listOf("a list of schema.table patterns", tablePattern()))
            .defaultValue(TableSelection.DEFAULT.exclude())
            .defaultText("none")
            .description("Tables removed from what `tables.include` selected, as the same patterns.")
            .build();
    public static final Setting<Map<String, String>> RENAME_SCHEMAS = Setting.of("tables.rename.schemas",
                    SettingType.mapOf("a mapping of source schema to destination schema", null, "a name"))
            .defaultValue(TableSelection.DEFAULT.schemaRenames())
            .defaultText("none")
            .description("Source schema: the destination schema its tables land in.")
            .build();
    public static final Setting<Map<String, String>> RENAME_TABLES = Setting.of("tables.rename.tables",
                    SettingType.mapOf("a mapping of source schema.table to destination table", dots(1, "schema.table"),
                            "a name"))
            .defaultValue(TableSelection.DEFAULT.tableRenames())
            .defaultText("none")
            .description("Source `schema.table`: the destination table's name.")
            .build();
    public static final Setting<Map<String, String>> RENAME_COLUMNS = Setting.of("tables.rename.columns",
                    SettingType.mapOf("a mapping of source schema.table.column to destination column",
                            dots(2, "schema.table.column"), "a name"))
            .defaultValue(TableSelection.DEFAULT.columnRenames())
            .defaultText("none")
            .description("Source `schema.table.column`: the destination column's name.")
            .build();

    public static final Setting<List<Step>> STEPS = Setting.of("steps", SettingType.listOf("a list of " + STEP_IDS,
                    new SettingType.Simple<>("a step", Step::fromId, Step::id)))
            .required()
            .description("The steps to run, in the order they run, none twice: " + STEP_IDS + ".")
            .build();

    public static final Setting<Long> FULL_PARALLELISM = Setting.of("full.parallelism", SettingType.integer(1, 1024))
            .defaultValue((long) FullOptions.DEFAULT.parallelism())
            .defaultText("this machine's cores, at least 2 and at most 4")
            .unit("chunks")
            .description("Chunks copied at once across all tables (and compared at once by the verification).")
            .build();
    public static final Setting<Long> FULL_CHUNK_SIZE = Setting.of("full.chunk-size", SettingType.integer(1, Integer.MAX_VALUE))
            .defaultValue((long) FullOptions.DEFAULT.chunkSize())
            .unit("rows")
            .description("Rows per key-range chunk: the unit of copying, checkpointing and comparing.")
            .build();
    public static final Setting<Long> FULL_THROTTLE_ROWS = Setting.of("full.throttle-rows", SettingType.integer(0, Long.MAX_VALUE))
            .defaultValue(FullOptions.DEFAULT.throttleRowsPerSecond())
            .unit("rows/s")
            .description("Rows copied per second at most; 0 = unlimited.")
            .build();
    public static final Setting<Double> FULL_THROTTLE_MB = Setting.of("full.throttle-mb",
                    SettingType.decimal(0, false, Double.MAX_VALUE))
            .defaultValue(FullOptions.DEFAULT.throttleMegabytesPerSecond())
            .unit("MB/s")
            .description("Megabytes copied per second at most; 0 = unlimited.")
            .build();
    public static final Setting<ZeroDates> FULL_ZERO_DATES = Setting.of("full.zero-dates", new SettingType.Simple<>(
                    "keep, null, fail or a date yyyy-MM-dd", ZeroDates::parse,
                    z -> z.text() == null ? "" : z.text()))
            .defaultValue(FullOptions.DEFAULT.zeroDates())
            .defaultText("keep between MySQL-family databases, null otherwise")
            .description("What MySQL zero dates ('0000-00-00', '2020-00-15') become, in the full copy, the incremental"
                    + " apply and the verification: keep = verbatim (MySQL-family destination only), null = NULL"
                    + " (nullable columns only), fail = stop, or a replacement date such as 0001-01-01.")
            .build();

    public static final Setting<IncrementalOptions.Ddl> INCREMENTAL_DDL = Setting.of("incremental.ddl",
                    new SettingType.Simple<>("one of " + IncrementalOptions.Ddl.ids(), IncrementalOptions.Ddl::fromId,
                            IncrementalOptions.Ddl::id))
            .defaultValue(IncrementalOptions.DEFAULT.ddl())
            .description("Schema changes on the source: follow = apply them to the destination, ignore = log and skip"
                    + " them, stop = stop the step for the DBA.")
            .build();
    public static final Setting<Boolean> INCREMENTAL_DROP_TABLES = Setting.of("incremental.drop-tables", SettingType.bool())
            .defaultValue(IncrementalOptions.DEFAULT.dropTables())
            .description("true = a table dropped on the source is dropped on the destination; false = the step stops"
                    + " instead.")
            .build();
    public static final Setting<Long> INCREMENTAL_PARALLELISM = Setting.of("incremental.parallelism",
                    SettingType.integer(1, 1024))
            .defaultValue((long) IncrementalOptions.DEFAULT.parallelism())
            .unit("lanes")
            .description("The Connector's lanes: destination connections writing a batch at once, each one range of"
                    + " its keys.")
            .build();
    public static final Setting<Long> INCREMENTAL_THROTTLE_ROWS = Setting.of("incremental.throttle-rows",
                    SettingType.integer(0, Long.MAX_VALUE))
            .defaultValue(IncrementalOptions.DEFAULT.throttleRowsPerSecond())
            .unit("rows/s")
            .description("Source changes applied per second at most; 0 = unlimited.")
            .build();
    public static final Setting<Long> INCREMENTAL_RETENTION_HOURS = Setting.of("incremental.retention-hours",
                    SettingType.integer(1, 24L * 365 * 10))
            .defaultValue(IncrementalOptions.DEFAULT.retentionHours())
            .unit("hours")
            .description("How long spooled changes are kept after they were written (and always until applied).")
            .build();

    public static final Setting<List<String>> PRECHECK_SKIP = Setting.of("precheck.skip",
                    SettingType.listOf("a list of precheck item names", SettingType.text("a precheck item name")))
            .defaultValue(List.of())
            .defaultText("none")
            .description("Precheck items not to enforce, by name (see \"Precheck items\").")
            .build();

    public static final Setting<List<String>> VERIFY_EXCLUDE_COLUMNS = Setting.of("verify.exclude-columns",
                    SettingType.listOf("a list of column patterns", columnPattern()))
            .defaultValue(VerifyOptions.DEFAULT.excludeColumns())
            .defaultText("none")
            .description("Columns not compared: `table.column` or `schema.table.column` (source names, `*` and `?`"
                    + " globs); key columns cannot be excluded; a pattern that matches no column is an error.")
            .build();
    public static final Setting<Long> VERIFY_THROTTLE_ROWS = Setting.of("verify.throttle-rows",
                    SettingType.integer(0, Long.MAX_VALUE))
            .defaultValue(VerifyOptions.DEFAULT.throttleRowsPerSecond())
            .unit("rows/s")
            .description("Source rows compared per second at most; 0 = unlimited.")
            .build();
    public static final Setting<Double> VERIFY_SAMPLE = Setting.of("verify.sample", SettingType.decimal(0, true, 1,
                    "a share of the chunks above 0 and at most 1 (e.g. 0.1 for a tenth)"))
            .defaultValue(VerifyOptions.DEFAULT.sample())
            .description("The share of each keyed table's chunks compared, chosen at random (tables without a key are"
                    + " compared whole).")
            .build();
    public static final Setting<Long> VERIFY_RECHECK_ROUNDS = Setting.of("verify.recheck-rounds", SettingType.integer(1, 100))
            .defaultValue((long) VerifyOptions.DEFAULT.recheckRounds())
            .description("While incremental sync runs: rounds of reading differing rows again before they are reported.")
            .build();
    public static final Setting<Double> VERIFY_RECHECK_INTERVAL = Setting.of("verify.recheck-interval",
                    SettingType.decimal(0, false, Double.MAX_VALUE))
            .defaultValue(VerifyOptions.DEFAULT.recheckIntervalMillis() / 1000.0)
            .unit("seconds")
            .description("The wait before each of those rounds.")
            .build();
    public static final Setting<Map<String, RowFilter>> VERIFY_WHERE = Setting.of("verify.where", new SettingType.Simple<Map<String, RowFilter>>(
                    "a mapping of table pattern to SQL condition (or to source and destination conditions)", t -> {
                        throw new IllegalArgumentException("set one table's condition at a time: verify.where.TABLE=CONDITION");
                    }, m -> m.isEmpty() ? "" : m.toString()))
            .defaultValue(VerifyOptions.DEFAULT.where())
            .defaultText("none")
            .description("Row filters: only the rows that meet a table's condition are compared and corrected. Keys are"
                    + " `table` or `schema.table` patterns (source names); values a SQL condition of the source's dialect,"
                    + " the same on the destination, or `{ source: ..., destination: ... }` (see \"Row filters\").")
            .build();

    /** Every project setting, in the order of the file and of the settings table. */
    public static final List<Setting<?>> ALL = Stream.of(
            List.of(NAME), SOURCE.all(), DESTINATION.all(),
            List.of(TABLES_INCLUDE, TABLES_EXCLUDE, RENAME_SCHEMAS, RENAME_TABLES, RENAME_COLUMNS, STEPS,
                    FULL_PARALLELISM, FULL_CHUNK_SIZE, FULL_THROTTLE_ROWS, FULL_THROTTLE_MB, FULL_ZERO_DATES,
                    INCREMENTAL_DDL, INCREMENTAL_DROP_TABLES, INCREMENTAL_PARALLELISM, INCREMENTAL_THROTTLE_ROWS,
                    INCREMENTAL_RETENTION_HOURS, PRECHECK_SKIP,
                    VERIFY_EXCLUDE_COLUMNS, VERIFY_THROTTLE_ROWS, VERIFY_SAMPLE, VERIFY_RECHECK_ROUNDS,
                    VERIFY_RECHECK_INTERVAL, VERIFY_WHERE))
            .flatMap(List::stream).collect(Collectors.toUnmodifiableList());

    /** The declaration of {@code key}, or null. */
    public static Setting<?> byKey(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
    }

    /**
     * The keys one level below {@code section} ("" for the top level), in the order of the file:
     * {@code keysUnder("tables")} is include, exclude, rename.
     */
    public static List<String> keysUnder(String section) {
        String prefix = section.isEmpty() ? "" : section + ".";
        Set<String> out = new LinkedHashSet<>();
        for (Setting<?> s : ALL) {
            if (s.key().startsWith(prefix)) {
                String rest = s.key().substring(prefix.length());
                int dot = rest.indexOf('.');
                out.add(dot < 0 ? rest : rest.substring(0, dot));
            }
        }
        return List.copyOf(out);
    }

    private static DataSourceSettings dataSource(String side, String what) {
        String types = DataSourceType.all().stream().map(DataSourceType::id).collect(Collectors.joining(", "));
        String ports = DataSourceType.all().stream().map(t -> t.id() + " " + t.defaultPort()).collect(Collectors.joining(", "));
        Setting<DataSourceType> type = Setting.of(side + ".type", new SettingType.Simple<>("one of " + types,
                        DataSourceType::fromId, DataSourceType::id))
                .required().description(what + ": its type, which sets the default port (" + ports + ").").build();
        Map<String, Setting<?>> connection = new LinkedHashMap<>();
        for (DatabasePlugin p : DatabasePlugins.installed()) {
            for (Setting<?> c : p.connectionSettings()) {
                connection.putIfAbsent(c.key(), c.under(side, what));
            }
        }
        return new DataSourceSettings(side, type, List.copyOf(connection.values()));
    }

    /**
     * Null when {@code s} is a dotted name or pattern of {@code min} to {@code max} non-blank parts
     * (a pattern's table part may hold further unquoted dots: shop.a.b is table a.b), each part
     * holding a dot written in double quotes ({@link TablePatterns#parts}); else why not ("" when it
     * only has too few or too many parts).
     */
    public static String dottedProblem(String s, int min, int max) {
        List<String> parts;
        try {
            parts = TablePatterns.parts(s);
        } catch (IllegalArgumentException e) {
            return " (" + e.getMessage() + ")";
        }
        boolean blank = parts.stream().anyMatch(p -> p.isBlank() || p.equals("\"\""));
        return parts.size() < min || parts.size() > max || blank ? "" : null;
    }

    private static SettingType<String> tablePattern() {
        return new SettingType.Simple<>("a schema.table pattern", p -> {
            String why = dottedProblem(p, 2, Integer.MAX_VALUE);
            if (why != null) {
                throw new IllegalArgumentException("'" + p + "' is not a schema.table pattern" + why + "; expected e.g."
                        + " shop.orders, shop.* or \"my.schema\".* (a name holding a dot in double quotes)");
            }
            return p;
        }, p -> p);
    }

    private static SettingType<String> columnPattern() {
        return new SettingType.Simple<>("a column pattern", p -> {
            if (dottedProblem(p, 2, 3) != null) {
                throw new IllegalArgumentException("'" + p + "' is not a column; expected table.column or"
                        + " schema.table.column, e.g. orders.updated_at");
            }
            return p;
        }, p -> p);
    }

    /** A key with at least {@code dots} dots, else "should be {@code what}". */
    private static java.util.function.Function<String, String> dots(int dots, String what) {
        return k -> k.chars().filter(c -> c == '.').count() < dots ? "should be " + what : null;
    }

    /** The keys of every declaration, for messages. */
    static List<String> keys() {
        List<String> out = new ArrayList<>();
        ALL.forEach(s -> out.add(s.key()));
        return out;
    }
}

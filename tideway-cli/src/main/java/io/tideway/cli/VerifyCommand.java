package io.tideway.cli;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.settings.Setting;
import io.tideway.engine.Engine;
import io.tideway.engine.settings.ProjectSettings;
import io.tideway.engine.verify.Difference;
import io.tideway.engine.verify.TableReport;
import io.tideway.engine.verify.Verifier;
import io.tideway.engine.verify.VerifyStep;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", description = {"Compare every row of the project's tables between source and destination.",
        "Exit 0: they hold the same rows; 1: they differ (a summary says how); 2: an error (one line says why);",
        "3: rows differed that could not be confirmed, the sync beside the verification being behind (changes in flight):",
        "no correction SQL for them; run again when the lag is low.",
        "Writes report.json and a correction SQL file per differing table to DATA_DIR/verify/<project>/.",
        "With --where (or verify.where), only the rows of a table that meet its condition are compared and corrected."})
final class VerifyCommand extends ProjectCommand implements Callable<Integer> {
    private static final int EXAMPLES = 5;
    /** The exit code of rows not confirmed: the sync lagged; run again when the lag is low. */
    static final int UNCONFIRMED = 3;

    @Option(names = "--repair", description = "Make the destination equal: read the differing rows from the source again and"
            + " upsert them, delete destination rows the source does not have; then read them again.")
    boolean repair;

    @Option(names = "--exclude-columns", split = ",", paramLabel = "TABLE.COLUMN",
            description = "Columns not compared (source names, table.column or schema.table.column, globs * and ?), in addition"
                    + " to the project's verify.exclude-columns.")
    List<String> excludeColumns;

    @Option(names = "--throttle-rows", paramLabel = "N", description = "Source rows compared per second at most (0 = unlimited);"
            + " overrides verify.throttle-rows.")
    Long throttleRows;

    @Option(names = "--sample", paramLabel = "RATIO", description = "Compare this share of each keyed table's chunks (above 0, at"
            + " most 1), chosen at random; overrides verify.sample.")
    Double sample;

    @Option(names = "--where", paramLabel = "TABLE:CONDITION", description = {"Compare (and correct) only the rows of TABLE"
            + " (table or schema.table, source names, globs * and ?) that meet CONDITION, a SQL boolean condition of the"
            + " source's SQL, used on the destination too unless --destination-where gives its own; repeatable. Replaces"
            + " the project's verify.where entry for the same TABLE. The condition is your own SQL, run as the project's"
            + " database users (like mysqldump --where); it is checked on both sides before anything is compared.",
            "Example: --where \"orders:created_at >= '2024-01-01'\""})
    List<String> where;

    @Option(names = "--destination-where", paramLabel = "TABLE:CONDITION", description = "The condition of --where (or of"
            + " verify.where) for TABLE as the destination's SQL, with the destination's column names, when it differs from"
            + " the source's (e.g. between MySQL and PostgreSQL); repeatable.")
    List<String> destinationWhere;

    @Override
    public Integer call() {
        try {
            ProjectConfig cfg = withOptions(loadProject());
            try (MetaDb db = openMetaDb()) {
                Engine engine = new Engine(db, main.dataDir);
                Thread hook = new Thread(engine::requestStop, "tideway-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                try (StopSignals signals = StopSignals.install(engine::requestStop)) {
                    System.out.println("tideway: verifying project " + cfg.name() + ": " + cfg.source() + " -> " + cfg.destination());
                    ConsoleProgress console = ConsoleProgress.forStdout();
                    console.stepStarted("verify");
                    VerifyStep.Outcome o = engine.verify(cfg, console, repair);
                    for (TableReport t : o.report().tables()) {
                        console.info(t.summary());
                        for (String line : examples(t)) {
                            System.out.println("      " + line);
                        }
                    }
                    for (String w : o.report().warnings()) {
                        System.out.println("   note: " + w);
                    }
                    System.out.println("tideway: " + o.report().summary());
                    if (o.repair() != null) {
                        System.out.printf("tideway: repair: %,d rows written, %,d deleted; after it: %s%n", o.repair().rowsWritten(),
                                o.repair().rowsDeleted(), o.afterRepair().summary());
                    }
                    Path dir = o.directory();
                    System.out.println("   report: " + dir.resolve("report.json"));
                    o.sqlFiles().forEach((table, file) -> System.out.println("   correction SQL for " + table + ": " + file));
                    return o.result().exitCode();
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException ignored) {
                        // the JVM is already shutting down
                    }
                }
            }
        } catch (TidewayException e) {
            System.err.println("tideway: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(VerifyCommand.class).error("verify failed: {}", e.getMessage(), e);
            return 2;
        } catch (Verifier.Stopped e) {
            System.err.println("tideway: " + e.getMessage());
            return 2;
        }
    }

    /** {@code value} checked as its setting's declaration checks it in a project file. */
    private static <T> T checked(String option, Setting<T> setting, T value) {
        try {
            return setting.type().parse(setting.type().format(value));
        } catch (IllegalArgumentException e) {
            throw new TidewayException(io.tideway.core.model.ErrorCode.CONFIG_INVALID, option + ": " + e.getMessage());
        }
    }

    private ProjectConfig withOptions(ProjectConfig cfg) {
        VerifyOptions v = cfg.verify();
        if (excludeColumns != null && !excludeColumns.isEmpty()) {
            List<String> all = new ArrayList<>(v.excludeColumns());
            excludeColumns.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(all::add);
            v = v.withExcludeColumns(all);
        }
        if (throttleRows != null) {
            v = v.withThrottleRowsPerSecond(checked("--throttle-rows", ProjectSettings.VERIFY_THROTTLE_ROWS, throttleRows));
        }
        if (sample != null) {
            v = v.withSample(checked("--sample", ProjectSettings.VERIFY_SAMPLE, sample));
        }
        if (where != null || destinationWhere != null) {
            v = v.withWhere(where(v.where()));
        }
        return cfg.withVerify(v);
    }

    /** The project's row filters with --where and --destination-where applied. */
    private Map<String, RowFilter> where(Map<String, RowFilter> project) {
        Map<String, RowFilter> out = new LinkedHashMap<>(project);
        for (String spec : where == null ? List.<String>of() : where) {
            String[] tc = split(spec, "--where");
            out.put(tc[0], RowFilter.of(tc[1]));
        }
        for (String spec : destinationWhere == null ? List.<String>of() : destinationWhere) {
            String[] tc = split(spec, "--destination-where");
            RowFilter f = out.get(tc[0]);
            if (f == null) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "--destination-where " + spec + ": table '" + tc[0]
                        + "' has no source condition; give it with --where '" + tc[0] + ":CONDITION' (or in verify.where)");
            }
            out.put(tc[0], new RowFilter(f.source(), tc[1]));
        }
        return out;
    }

    /** "TABLE:CONDITION" as [table, condition], the condition checked for what a row filter must not hold. */
    private static String[] split(String spec, String option) {
        int colon = spec.indexOf(':');
        String table = colon < 0 ? "" : spec.substring(0, colon).trim();
        String condition = colon < 0 ? "" : spec.substring(colon + 1).trim();
        if (table.isEmpty() || table.chars().filter(ch -> ch == '.').count() > 1) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, option + " " + spec + ": expected TABLE:CONDITION, with TABLE as"
                    + " table or schema.table, e.g. \"orders:created_at >= '2024-01-01'\"");
        }
        String problem = RowFilter.problem(condition);
        if (problem != null) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, option + " " + spec + ": " + problem);
        }
        return new String[] {table, condition};
    }

    /** A few of a table's differing rows, one line each. */
    private static List<String> examples(TableReport t) {
        List<String> out = new ArrayList<>();
        for (Difference d : t.differences()) {
            if (out.size() == EXAMPLES) {
                out.add(String.format("... and %,d more (see report.json)", t.differences().size() - EXAMPLES));
                break;
            }
            String what = d.key() != null ? "key " + key(d.key()) : "a row";
            out.add(switch (d.kind()) {
                case MISSING -> "missing   " + what;
                case EXTRA -> "extra     " + what;
                case DIFFERENT -> "different " + what + ": " + String.join(", ", d.columns());
            });
        }
        return out;
    }

    private static String key(List<Object> key) {
        List<String> parts = new ArrayList<>();
        for (Object o : key) {
            parts.add(o instanceof byte[] b ? "0x" + java.util.HexFormat.of().formatHex(b) : o instanceof String s ? "'" + s + "'"
                    : String.valueOf(o));
        }
        return parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
    }
}

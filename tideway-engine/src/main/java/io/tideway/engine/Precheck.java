package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.Role;
import io.tideway.engine.TableMapper.MappedTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a project before it starts, end by end, and reports every item at once, each with the
 * fix. Items a project lists under {@code precheck.skip} are still shown but do not block.
 */
public final class Precheck {

    /** All items, and the tables the project would move (empty when the source could not be read). */
    public record Report(List<CheckResult> items, List<MappedTable> tables, Set<String> skipped) {
        public List<CheckResult> blocking() {
            return items.stream()
                    .filter(i -> i.status() == CheckResult.Status.FAIL && !skipped.contains(i.item()))
                    .toList();
        }

        public boolean passed() {
            return blocking().isEmpty();
        }
    }

    private Precheck() { }

    /**
     * @param resumedTables source tables ("schema.table") this project already started copying;
     *     their destination tables are expected to exist and hold rows
     */
    public static Report run(ProjectConfig cfg, Endpoints ends, Set<String> resumedTables) {
        List<CheckResult> items = new ArrayList<>();
        List<MappedTable> tables = List.of();
        Set<String> steps = cfg.steps().stream().map(s -> s.id()).collect(Collectors.toSet());
        Connection src = connect(ends, Role.SOURCE, items);
        Connection dst = connect(ends, Role.DESTINATION, items);
        try {
            if (src != null) {
                try {
                    items.add(CheckResult.pass("source.version", ends.sourceDialect().serverVersion(src)));
                    items.addAll(ends.sourceDialect().prechecks().run(src, ends.source(), Role.SOURCE, steps));
                    tables = TableMapper.map(cfg, ends.sourceDialect(), src);
                    checkTables(cfg, ends, tables, items);
                    checkZeroDates(cfg, ends, src, tables, items);
                    checkKeylessReads(cfg, ends, src, tables, items);
                } catch (SQLException e) {
                    items.add(CheckResult.fail("source.catalog", "reading the source catalog failed: " + e.getMessage(),
                            "grant the user SELECT on the source tables and on information_schema/pg_catalog"));
                }
            }
            if (dst != null) {
                try {
                    items.add(CheckResult.pass("destination.version", ends.destinationDialect().serverVersion(dst)));
                    items.addAll(ends.destinationDialect().prechecks().run(dst, ends.destination(), Role.DESTINATION, steps));
                    if (!tables.isEmpty()) {
                        if (cfg.has(io.tideway.core.project.Step.SCHEMA) && ends.sameFamily()) {
                            checkExtensions(ends, dst, tables, items);
                        }
                        checkDestinationTables(ends, dst, tables, resumedTables, items);
                    }
                } catch (SQLException e) {
                    items.add(CheckResult.fail("destination.catalog", "reading the destination catalog failed: "
                            + e.getMessage(), "grant the user access to the destination catalog"));
                }
            }
        } finally {
            close(src);
            close(dst);
        }
        // a dialect may report an item twice (e.g. version); keep the first of each name
        Map<String, CheckResult> unique = new java.util.LinkedHashMap<>();
        for (CheckResult r : items) {
            unique.putIfAbsent(r.item(), r);
        }
        return new Report(List.copyOf(unique.values()), tables, Set.copyOf(cfg.precheckSkip()));
    }

    private static Connection connect(Endpoints ends, Role role, List<CheckResult> items) {
        var cfg = role == Role.SOURCE ? ends.source() : ends.destination();
        var dialect = role == Role.SOURCE ? ends.sourceDialect() : ends.destinationDialect();
        String p = role.id() + ".";
        try {
            Connection c = dialect.connect(cfg);
            items.add(CheckResult.pass(p + "reachable", cfg.type() + " at " + cfg.address()));
            items.add(CheckResult.pass(p + "login", "logged in as " + cfg.user()));
            return c;
        } catch (TidewayException e) {
            if (e.code() == ErrorCode.UNREACHABLE) {
                items.add(CheckResult.fail(p + "reachable", e.getMessage(),
                        "check " + role.id() + ".host and " + role.id() + ".port, that the server runs and that no firewall blocks " + cfg.address()));
            } else if (e.code() == ErrorCode.LOGIN_FAILED) {
                items.add(CheckResult.pass(p + "reachable", cfg.type() + " at " + cfg.address()));
                items.add(CheckResult.fail(p + "login", e.getMessage(),
                        "check " + role.id() + ".user and " + role.id() + ".password"));
            } else {
                items.add(CheckResult.pass(p + "reachable", cfg.type() + " at " + cfg.address()));
                items.add(CheckResult.fail(p + "database", e.getMessage(),
                        "check " + role.id() + ".database names an existing database"));
            }
            return null;
        }
    }

    private static void checkTables(ProjectConfig cfg, Endpoints ends, List<MappedTable> tables, List<CheckResult> items) {
        if (tables.isEmpty()) {
            String inc = cfg.tables().include().isEmpty() ? "(every table of " + ends.sourceDialect().catalog().defaultSchema(cfg.source()) + ")"
                    : String.join(", ", cfg.tables().include());
            items.add(CheckResult.fail("source.tables", "no source table matches the include patterns " + inc,
                    "check tables.include (patterns are schema.table globs, e.g. shop.*)"));
            return;
        }
        items.add(CheckResult.pass("source.tables", tables.size() + " tables selected"));
        checkDistinctDestinations(cfg, tables, items);
        List<String> keyless = tables.stream().map(MappedTable::source).filter(t -> t.rowKey().isEmpty())
                .map(t -> t.id().toString()).toList();
        if (keyless.isEmpty()) {
            items.add(CheckResult.pass("source.keys", "every table has a primary or unique key"));
        } else {
            items.add(CheckResult.warn("source.keys", "tables without a primary or not-null unique key: " + String.join(", ", keyless)
                    + " (each copied in one stream, redone whole after a crash, and read at a known log place: on PostgreSQL"
                    + " under a brief SHARE lock, which needs UPDATE, DELETE or TRUNCATE on the table (source.keyless_lock); their changes are applied one by one)",
                    "add a primary key to these tables"));
        }
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (MappedTable m : tables) {
            // "column ..." entries are types with no neutral kind: carried within a family only;
            // other entries (expression indexes, generated columns) are notes on what is not carried
            for (String u : ends.sourceDialect().catalog().unsupportedColumns(m.source())) {
                String where = m.source().id() + ": " + u;
                if (u.startsWith("column ") && !ends.sameFamily()) {
                    problems.add(where);
                } else if (!u.startsWith("column ")) {
                    warnings.add(where);
                }
            }
            if (cfg.has(io.tideway.core.project.Step.SCHEMA)) {
                CreateTablePlan plan = ends.destinationDialect().schema().createTable(m.destination(), ends.sourceFamily());
                plan.problems().forEach(p -> problems.add(m.destination().id() + ": " + p));
                plan.warnings().forEach(w -> warnings.add(m.destination().id() + ": " + w));
                TableMapper.zeroDateDefaultNotes(m, ends.zeroDates(cfg.full()))
                        .forEach(w -> warnings.add(m.destination().id() + ": " + w));
            }
        }
        List<String> distinctProblems = problems.stream().distinct().toList();
        if (distinctProblems.isEmpty()) {
            items.add(CheckResult.pass("schema.types", "every column type maps to " + ends.destination().type()));
        } else {
            items.add(CheckResult.fail("schema.types", String.join("; ", distinctProblems),
                    "exclude these tables (tables.exclude) or change the columns' types on the source"));
        }
        if (!warnings.isEmpty()) {
            items.add(CheckResult.warn("schema.conversions", String.join("; ", warnings.stream().distinct().toList()),
                    "review the type-mapping table in README.md"));
        }
    }

    /**
     * Two source tables never land in one destination table unasked (tables of the same name in two
     * schemas going to a MySQL-family database, or renames that meet): the rows would merge, or
     * collide on their keys half-way through the copy.
     */
    private static void checkDistinctDestinations(ProjectConfig cfg, List<MappedTable> tables, List<CheckResult> items) {
        Map<io.tideway.core.model.TableId, List<io.tideway.core.model.TableId>> sources = new java.util.LinkedHashMap<>();
        for (MappedTable m : tables) {
            sources.computeIfAbsent(m.destination().id(), k -> new ArrayList<>()).add(m.source().id());
        }
        List<String> collisions = new ArrayList<>();
        String example = null;
        for (var e : sources.entrySet()) {
            if (e.getValue().size() > 1) {
                collisions.add("source tables " + e.getValue().stream().map(Object::toString).collect(Collectors.joining(" and "))
                        + " would all land in " + e.getKey());
                if (example == null) {
                    var second = e.getValue().get(1);
                    example = "e.g. tables.rename.tables: { '" + io.tideway.core.project.TablePatterns.nameOf(second).replace("'", "''")
                            + "': " + second.schema() + "_" + second.table() + " }";
                }
            }
        }
        if (collisions.isEmpty()) {
            items.add(CheckResult.pass("destination.tables_distinct", "each source table lands in a destination table of its own"));
        } else {
            String dst = "another " + io.tideway.core.spi.Dialects.forType(cfg.destination().type()).schemaNoun();
            items.add(CheckResult.fail("destination.tables_distinct", String.join("; ", collisions)
                    + " (their rows would merge into one table)",
                    "give each a destination table of its own: rename one with tables.rename.tables (" + example
                            + "), or move its schema with tables.rename.schemas (to " + dst + ")"));
        }
    }

    /**
     * Between databases of the same family, column types are kept verbatim, so a type that comes
     * from an extension (PostgreSQL citext, hstore, ltree, isbn, their arrays) needs that extension
     * on the destination before its table can be created: each missing one is named with the
     * columns that need it and the statement that adds it.
     */
    private static void checkExtensions(Endpoints ends, Connection dst, List<MappedTable> tables, List<CheckResult> items)
            throws SQLException {
        Map<String, List<String>> columnsByExtension = new java.util.TreeMap<>();
        for (MappedTable m : tables) {
            ends.sourceDialect().catalog().columnExtensions(m.source()).forEach((column, extension) -> columnsByExtension
                    .computeIfAbsent(extension, k -> new ArrayList<>())
                    .add("table " + m.source().id() + " column " + column + " (" + m.source().column(column)
                            .map(c -> c.type().toString()).orElse("?") + ")"));
        }
        if (columnsByExtension.isEmpty()) {
            return;
        }
        Map<String, String> missing = ends.destinationDialect().catalog().missingExtensions(dst, columnsByExtension.keySet());
        if (missing.isEmpty()) {
            items.add(CheckResult.pass("destination.extensions", "the destination has the extensions the column types need: "
                    + String.join(", ", columnsByExtension.keySet())));
            return;
        }
        List<String> lacks = new ArrayList<>();
        missing.forEach((extension, create) -> lacks.add("extension " + extension + ", needed by "
                + String.join(", ", columnsByExtension.get(extension))));
        items.add(CheckResult.fail("destination.extensions", "the destination database lacks " + String.join("; ", lacks),
                "run on the destination database: " + String.join("; ", missing.values())
                        + "; or exclude these tables (tables.exclude)"));
    }

    /**
     * With an incremental step, the full copy reads each table without a key at a known log place
     * (see FullStep), which may need more of the source user than SELECT (PostgreSQL: a brief lock);
     * the source's dialect checks it.
     */
    private static void checkKeylessReads(ProjectConfig cfg, Endpoints ends, Connection src, List<MappedTable> tables,
                                          List<CheckResult> items) throws SQLException {
        if (!cfg.has(io.tideway.core.project.Step.FULL) || !cfg.has(io.tideway.core.project.Step.INCREMENTAL)) {
            return;
        }
        List<io.tideway.core.model.TableId> keyless = tables.stream().filter(m -> m.destination().rowKey().isEmpty())
                .map(m -> m.source().id()).toList();
        if (!keyless.isEmpty()) {
            ends.sourceDialect().prechecks().keylessReadCheck(src, keyless).ifPresent(items::add);
        }
    }

    static final String ZERO_DATES = "source.zero_dates";

    /**
     * Counts the zero dates of every DATE/DATETIME/TIMESTAMP column (one scan per table that has
     * such a column; not run when the item is listed under precheck.skip) and says what the
     * project's {@code full.zero-dates} makes of them: FAIL where the copy would stop (fail, or
     * null in a NOT NULL column), WARN where they change, PASS where they are carried verbatim.
     */
    private static void checkZeroDates(ProjectConfig cfg, Endpoints ends, Connection src, List<MappedTable> tables,
                                       List<CheckResult> items) throws SQLException {
        if (!cfg.has(io.tideway.core.project.Step.FULL) && !cfg.has(io.tideway.core.project.Step.INCREMENTAL)) {
            return;
        }
        boolean anyDate = tables.stream().anyMatch(m -> m.source().columns().stream()
                .anyMatch(c -> io.tideway.core.model.ZeroDates.applies(c.type().kind())));
        if (!anyDate || !ends.sourceDialect().storesZeroDates()) {
            return;
        }
        if (cfg.precheckSkip().contains(ZERO_DATES)) {
            items.add(CheckResult.warn(ZERO_DATES, "zero dates not counted (the item is listed under precheck.skip)",
                    "remove " + ZERO_DATES + " from precheck.skip to have them counted before the copy"));
            return;
        }
        io.tideway.core.model.ZeroDates choice = ends.zeroDates(cfg.full());
        List<String> blocking = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (MappedTable m : tables) {
            Map<String, Long> counts = ends.sourceDialect().catalog().zeroDateCounts(src, m.source());
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                boolean nullable = m.source().column(e.getKey()).map(io.tideway.core.model.Column::nullable).orElse(true);
                String where = m.source().id() + "." + e.getKey() + ": " + e.getValue() + " zero date" + (e.getValue() == 1 ? "" : "s")
                        + (nullable ? "" : " (NOT NULL)");
                switch (choice.mode()) {
                    case KEEP, DEFAULT -> kept.add(where);
                    case FAIL -> blocking.add(where);
                    case NULL -> (nullable ? changed : blocking).add(where);
                    case REPLACE -> changed.add(where);
                }
            }
        }
        String fix = "choose with " + io.tideway.core.model.ZeroDates.CHOICES + ", or fix the rows on the source";
        if (!blocking.isEmpty()) {
            String why = choice.mode() == io.tideway.core.model.ZeroDates.Mode.FAIL ? "full.zero-dates is fail"
                    : "NULL cannot replace them in a NOT NULL column";
            items.add(CheckResult.fail(ZERO_DATES, "zero dates that " + ends.destination().type().id() + " cannot take as"
                    + " chosen (" + why + "): " + String.join("; ", blocking)
                    + (changed.isEmpty() ? "" : "; and, written as NULL: " + String.join("; ", changed)), fix));
        } else if (!changed.isEmpty()) {
            String as = choice.mode() == io.tideway.core.model.ZeroDates.Mode.NULL ? "NULL" : choice.replacement();
            items.add(CheckResult.warn(ZERO_DATES, "zero dates written as " + as + " (full.zero-dates: " + choice.text() + "): "
                    + String.join("; ", changed), fix));
        } else if (!kept.isEmpty()) {
            items.add(CheckResult.pass(ZERO_DATES, "zero dates carried verbatim: " + String.join("; ", kept)));
        } else {
            items.add(CheckResult.pass(ZERO_DATES, "no zero date in the source's DATE, DATETIME and TIMESTAMP columns"));
        }
    }

    private static void checkDestinationTables(Endpoints ends, Connection dst, List<MappedTable> tables,
                                               Set<String> resumed, List<CheckResult> items) throws SQLException {
        Map<String, List<MappedTable>> bySchema = new HashMap<>();
        for (MappedTable m : tables) {
            bySchema.computeIfAbsent(m.destination().id().schema(), k -> new ArrayList<>()).add(m);
        }
        List<String> nonEmpty = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        List<String> existing = ends.destinationDialect().catalog().listSchemas(dst);
        for (var e : bySchema.entrySet()) {
            if (!existing.contains(e.getKey())) {
                continue;
            }
            Set<io.tideway.core.model.TableId> wanted = e.getValue().stream().map(m -> m.destination().id()).collect(Collectors.toSet());
            Map<io.tideway.core.model.TableId, Table> found = new HashMap<>();
            for (Table t : ends.destinationDialect().catalog().readTables(dst, e.getKey(), wanted::contains)) {
                found.put(t.id(), t);
            }
            for (MappedTable m : e.getValue()) {
                Table have = found.get(m.destination().id());
                if (have == null) {
                    continue;
                }
                // a table this project already copies may trail its source by a DDL; the Connector follows it
                String diff = resumed.contains(m.source().id().toString()) ? null : columnDifference(m.destination(), have);
                if (diff != null) {
                    conflicts.add(diff);
                } else if (!resumed.contains(m.source().id().toString())
                        && ends.destinationDialect().catalog().hasRows(dst, have.id())) {
                    nonEmpty.add(have.id().toString());
                }
            }
        }
        if (conflicts.isEmpty()) {
            items.add(CheckResult.pass("destination.tables_compatible", "no destination table conflicts with a source table"));
        } else {
            items.add(CheckResult.fail("destination.tables_compatible", String.join("; ", conflicts),
                    "drop these destination tables, or rename the tables with tables.rename"));
        }
        if (nonEmpty.isEmpty()) {
            items.add(CheckResult.pass("destination.tables_empty", "destination tables are absent or empty"));
        } else {
            items.add(CheckResult.fail("destination.tables_empty", "destination tables already hold rows: " + String.join(", ", nonEmpty),
                    "empty or drop them; or skip this item (precheck.skip) if you know why they hold rows"));
        }
    }

    /** Null when the destination table has exactly the expected column names, else what differs. */
    public static String columnDifference(Table expected, Table have) {
        List<String> want = expected.columns().stream().map(c -> c.name()).toList();
        List<String> got = have.columns().stream().map(c -> c.name()).toList();
        if (Set.copyOf(want).equals(Set.copyOf(got))) {
            return null;
        }
        List<String> missing = want.stream().filter(n -> !got.contains(n)).toList();
        List<String> extra = got.stream().filter(n -> !want.contains(n)).toList();
        return "destination table " + have.id() + " exists with other columns (missing: " + missing + ", unexpected: " + extra + ")";
    }

    static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing is best effort
            }
        }
    }
}

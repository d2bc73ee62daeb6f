package io.tideway.engine;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.TablePatterns;
import io.tideway.core.project.TableSelection;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.Dialects;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Selects the source tables of a project (include/exclude patterns) and says where each lands
 * (schema, table and column renames).
 *
 * <p>Where tables land by default: MySQL-family destination: its configured database;
 * PostgreSQL destination: a schema named after the source schema (a MySQL source's database name,
 * a PostgreSQL source's schema).
 */
public final class TableMapper {
    private TableMapper() { }

    /**
     * {@link #map(ProjectConfig, Dialect, Connection)} on a connection of its own to the source; a
     * failure is classified by the source's dialect ("reading the source catalog").
     */
    public static List<MappedTable> map(ProjectConfig cfg, Endpoints ends) {
        try (Connection c = ends.connectSource()) {
            return map(cfg, ends.sourceDialect(), c);
        } catch (SQLException e) {
            throw ends.sourceDialect().errors().classify(e, "reading the source catalog");
        }
    }

    /**
     * A source table and its destination twin (renamed; column types still the neutral ones of the
     * source; a default that is a MySQL zero date made what {@code full.zero-dates} makes zero dates).
     */
    public record MappedTable(Table source, Table destination) {
        public String label() {
            return source.id().toString();
        }
    }

    public static List<MappedTable> map(ProjectConfig cfg, Dialect srcDialect, Connection src) throws SQLException {
        TablePatterns patterns = patterns(cfg, srcDialect);
        Set<String> schemas = new LinkedHashSet<>();
        for (String s : srcDialect.catalog().listSchemas(src)) {
            if (patterns.coversSchema(s)) {
                schemas.add(s);
            }
        }
        List<MappedTable> out = new ArrayList<>();
        for (String schema : schemas) {
            List<Table> tables = srcDialect.catalog().readTables(src, schema, patterns::selects);
            for (Table t : tables) {
                out.add(new MappedTable(t, destinationOf(cfg, t)));
            }
        }
        return out;
    }

    /** The project's include/exclude patterns, a pattern without a schema (or no include) meaning the source's default schema. */
    public static TablePatterns patterns(ProjectConfig cfg, Dialect srcDialect) {
        return TablePatterns.of(cfg.tables(), srcDialect.catalog().defaultSchema(cfg.source()));
    }

    /**
     * Where a source table lands, with the project's renames applied, and each zero-date default
     * made what the project's {@code full.zero-dates} makes a zero date (dropped for null, the date
     * for a replacement; see {@link io.tideway.core.model.ZeroDates#mapDefault}). Rename keys name source
     * schemas, "schema.table" and "schema.table.column", a part holding a dot written in double
     * quotes ({@link TablePatterns#parts}); a key written without quotes also matches the names
     * joined by dots as they are.
     */
    public static Table destinationOf(ProjectConfig cfg, Table t) {
        TableSelection sel = cfg.tables();
        TableId id = t.id();
        String schema = null;
        for (var e : sel.schemaRenames().entrySet()) {
            if (e.getKey().equals(id.schema()) || names(e.getKey()).equals(List.of(id.schema()))) {
                schema = e.getValue();
            }
        }
        if (schema == null) {
            DataSourceConfig dst = cfg.destination();
            schema = Dialects.forType(dst.type()).destinationSchema(dst, id);
        }
        String table = id.table();
        for (var e : sel.tableRenames().entrySet()) {
            if (e.getKey().equals(id.toString()) || names(e.getKey()).equals(List.of(id.schema(), id.table()))) {
                table = e.getValue();
            }
        }
        Map<String, String> cols = new HashMap<>();
        String prefix = id + ".";
        sel.columnRenames().forEach((k, v) -> {
            List<String> n = names(k);
            if (n.size() == 3 && n.get(0).equals(id.schema()) && n.get(1).equals(id.table())) {
                cols.put(n.get(2), v);
            } else if (k.startsWith(prefix)) {
                cols.put(k.substring(prefix.length()), v);
            }
        });
        Table out = t.renamed(new TableId(schema, table), cols);
        io.tideway.core.model.ZeroDates zeroDates = cfg.zeroDates();
        if (out.columns().stream().anyMatch(io.tideway.core.model.ZeroDates::hasZeroDefault)) {
            out = out.withColumns(out.columns().stream().map(zeroDates::mapDefault).toList());
        }
        return out;
    }

    /** What became of the zero-date defaults of a mapped table, one note per column, naming column and default. */
    public static List<String> zeroDateDefaultNotes(MappedTable m, io.tideway.core.model.ZeroDates zeroDates) {
        List<String> out = new ArrayList<>();
        for (io.tideway.core.model.Column c : m.source().columns()) {
            if (!io.tideway.core.model.ZeroDates.hasZeroDefault(c)) {
                continue;
            }
            io.tideway.core.model.Column d = zeroDates.mapDefault(c);
            if (d.defaultValue() == c.defaultValue()) {
                continue;
            }
            out.add("column " + c.name() + ": default '" + c.defaultValue().value() + "' is a zero date: "
                    + (d.defaultValue() == null ? "the default is dropped" : "the default becomes '" + d.defaultValue().value() + "'")
                    + " (full.zero-dates: " + zeroDates.text() + ")");
        }
        return out;
    }

    /** The names of a dotted key, unquoted; empty when it is not well formed. */
    private static List<String> names(String key) {
        try {
            return TablePatterns.parts(key).stream().map(TablePatterns::unquote).toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** "schema.table" globs; a pattern without a dot names tables of the default schema. */
    static Pattern[] compile(String pattern, String defaultSchema) {
        return TablePatterns.compile(TablePatterns.parts(pattern).size() < 2
                ? TablePatterns.quoteIfNeeded(defaultSchema) + "." + pattern : pattern);
    }
}

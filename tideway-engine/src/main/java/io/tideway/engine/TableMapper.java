package io.tideway.engine;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.TableSelection;
import io.tideway.core.spi.Dialect;
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

    /** A source table and its destination twin (renamed; column types still the neutral ones of the source). */
    public record MappedTable(Table source, Table destination) {
        public String label() {
            return source.id().toString();
        }
    }

    public static List<MappedTable> map(ProjectConfig cfg, Dialect srcDialect, Connection src) throws SQLException {
        TableSelection sel = cfg.tables();
        String defaultSchema = srcDialect.defaultSchema(cfg.source());
        List<Pattern[]> includes = new ArrayList<>();
        for (String p : sel.include().isEmpty() ? List.of(defaultSchema + ".*") : sel.include()) {
            includes.add(compile(p, defaultSchema));
        }
        List<Pattern[]> excludes = new ArrayList<>();
        for (String p : sel.exclude()) {
            excludes.add(compile(p, defaultSchema));
        }
        Set<String> schemas = new LinkedHashSet<>();
        for (String s : srcDialect.listSchemas(src)) {
            for (Pattern[] inc : includes) {
                if (inc[0].matcher(s).matches()) {
                    schemas.add(s);
                }
            }
        }
        List<MappedTable> out = new ArrayList<>();
        for (String schema : schemas) {
            List<Table> tables = srcDialect.readTables(src, schema,
                    id -> matchesAny(includes, id) && !matchesAny(excludes, id));
            for (Table t : tables) {
                out.add(new MappedTable(t, destinationOf(cfg, t)));
            }
        }
        return out;
    }

    /** Where a source table lands, with the project's renames applied. */
    public static Table destinationOf(ProjectConfig cfg, Table t) {
        TableSelection sel = cfg.tables();
        TableId id = t.id();
        String schema = sel.schemaRenames().get(id.schema());
        if (schema == null) {
            DataSourceConfig dst = cfg.destination();
            schema = dst.type().family() == DataSourceType.Family.MYSQL ? dst.database() : id.schema();
        }
        String table = sel.tableRenames().getOrDefault(id.toString(), id.table());
        Map<String, String> cols = new HashMap<>();
        String prefix = id + ".";
        sel.columnRenames().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                cols.put(k.substring(prefix.length()), v);
            }
        });
        return t.renamed(new TableId(schema, table), cols);
    }

    private static boolean matchesAny(List<Pattern[]> patterns, TableId id) {
        for (Pattern[] p : patterns) {
            if (p[0].matcher(id.schema()).matches() && p[1].matcher(id.table()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** "schema.table" globs; a pattern without a dot names tables of the default schema. */
    static Pattern[] compile(String pattern, String defaultSchema) {
        int dot = pattern.indexOf('.');
        String s = dot < 0 ? defaultSchema : pattern.substring(0, dot);
        String t = dot < 0 ? pattern : pattern.substring(dot + 1);
        return new Pattern[] {glob(s), glob(t)};
    }

    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char ch : g.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }
}

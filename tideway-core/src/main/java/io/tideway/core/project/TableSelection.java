package io.tideway.core.project;

import java.util.List;
import java.util.Map;

/**
 * Which source tables a project moves and under which names they land.
 *
 * @param include patterns "schema.table" with glob wildcards {@code *} and {@code ?}; empty = every
 *     table of the source's default schema (MySQL family: its database; PostgreSQL: public)
 * @param exclude patterns removed from what include selected
 * @param schemaRenames source schema -> destination schema
 * @param tableRenames "schema.table" -> new table name
 * @param columnRenames "schema.table.column" -> new column name
 */
public record TableSelection(
        List<String> include,
        List<String> exclude,
        Map<String, String> schemaRenames,
        Map<String, String> tableRenames,
        Map<String, String> columnRenames) {

    public static final TableSelection DEFAULT = new TableSelection(List.of(), List.of(), Map.of(), Map.of(), Map.of());

    public TableSelection {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        schemaRenames = schemaRenames == null ? Map.of() : Map.copyOf(schemaRenames);
        tableRenames = tableRenames == null ? Map.of() : Map.copyOf(tableRenames);
        columnRenames = columnRenames == null ? Map.of() : Map.copyOf(columnRenames);
    }
}

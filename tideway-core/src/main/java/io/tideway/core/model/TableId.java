package io.tideway.core.model;

import java.util.Objects;

/**
 * A table's name. {@code schema} is the MySQL-family database or the PostgreSQL schema. Names are
 * kept exactly as the database spells them (case and odd characters included); quoting is the
 * dialect's job.
 */
public record TableId(String schema, String table) implements Comparable<TableId> {
    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    @Override
    public int compareTo(TableId o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : table.compareTo(o.table);
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}

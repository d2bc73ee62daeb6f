package io.tideway.core.model;

import java.util.Objects;

/**
 * One column of a table.
 *
 * @param defaultValue null when the column has no default
 * @param autoIncrement MySQL AUTO_INCREMENT or PostgreSQL identity/serial
 * @param comment null when none
 */
public record Column(
        String name, ColumnType type, boolean nullable, ColumnDefault defaultValue, boolean autoIncrement, String comment) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public Column renamed(String newName) {
        return new Column(newName, type, nullable, defaultValue, autoIncrement, comment);
    }

    public Column withType(ColumnType t) {
        return new Column(name, t, nullable, defaultValue, autoIncrement, comment);
    }
}

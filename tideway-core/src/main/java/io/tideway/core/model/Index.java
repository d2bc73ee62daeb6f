package io.tideway.core.model;

import java.util.List;

/** A unique key or secondary index (the primary key is {@link Table#primaryKey()}). */
public record Index(String name, List<String> columns, boolean unique) {
    public Index {
        columns = List.copyOf(columns);
    }
}

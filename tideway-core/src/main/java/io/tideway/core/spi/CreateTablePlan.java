package io.tideway.core.spi;

import java.util.List;

/**
 * The statements that create a table (with its primary key) on the destination, and what could
 * not be converted. {@code problems} non-empty means the table must not be created.
 */
public record CreateTablePlan(List<String> statements, List<String> problems, List<String> warnings) {
    public CreateTablePlan {
        statements = List.copyOf(statements);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }
}

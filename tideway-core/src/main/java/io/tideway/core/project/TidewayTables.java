package io.tideway.core.project;

import io.tideway.core.change.ApplyMarker;
import io.tideway.core.change.HeldPositions;
import io.tideway.core.change.SinkPositions;
import io.tideway.core.model.TableId;
import java.util.Set;

/**
 * The tables Tideway itself creates in the databases it moves data between: the marker table of
 * loop prevention ({@link ApplyMarker}) and the positions of tables without a key ({@link HeldPositions}) and of each sink ({@link SinkPositions}). Whatever a project's table patterns say, none of
 * them is ever selected, captured as a user table, created, copied, compared or followed by DDL:
 * every table selection ({@link TablePatterns#selects}, and through it the schema, full, verify
 * steps and the Connectors' DDL following) and every capture's table filter asks here. A table
 * Tideway adds to user databases later is added to {@link #NAMES}, and nothing else changes.
 */
public final class TidewayTables {
    /** The names of Tideway's own tables, the same in every schema. */
    public static final Set<String> NAMES = Set.of(ApplyMarker.TABLE, HeldPositions.TABLE, SinkPositions.TABLE);

    private TidewayTables() { }

    /** Whether {@code table} is one of Tideway's own tables (in whatever schema). */
    public static boolean isOwn(TableId table) {
        return table != null && NAMES.contains(table.table());
    }
}

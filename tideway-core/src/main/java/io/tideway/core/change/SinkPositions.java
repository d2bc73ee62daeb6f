package io.tideway.core.change;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.List;

/**
 * Where a JDBC sink keeps, in the database it writes to, how far it has applied and which writer
 * may write: {@value #TABLE}, beside the marker table, one row per project direction ({@code sink},
 * as {@link HeldPositions#sink}) and lane. Each lane's transaction updates its own row with the
 * batch's position, guarded by the epoch; the position the destination holds is the lowest of the
 * lanes' (see the engine's {@code SinkTable}).
 *
 * <p>Columns: {@code sink}, {@code lane} (the key); {@code epoch}, the writer's; {@code resume_from},
 * where its Connector reads on ({@code SEGMENT:OFFSET} of the local spool; null before the first
 * batch); {@code source_position} and {@code source_millis} of the last change covered;
 * {@code changes}, the number of changes applied up to there, which orders the positions of one sink.
 */
public final class SinkPositions {
    /** The table's name, the same on every database; table patterns never select it. */
    public static final String TABLE = "tideway_sink_position";

    private SinkPositions() { }

    /** The table in a schema. */
    public static TableId in(String schema) {
        return new TableId(schema, TABLE);
    }

    /** Its definition. */
    public static Table model(TableId id) {
        ColumnType text = ColumnType.sized(ColumnType.Kind.VARCHAR, 200, "varchar(200)");
        ColumnType number = ColumnType.of(ColumnType.Kind.INT64, "bigint");
        return new Table(id, List.of(
                new Column("sink", text, false, null, false, null),
                new Column("lane", number, false, null, false, null),
                new Column("epoch", number, false, null, false, null),
                new Column("resume_from", text, true, null, false, null),
                new Column("source_position", text, true, null, false, null),
                new Column("source_millis", number, false, null, false, null),
                new Column("changes", number, false, null, false, null)),
                List.of("sink", "lane"), List.of(),
                "Tideway: how far each sink has applied, and its writer's epoch; dropped on release", 0, 0);
    }
}

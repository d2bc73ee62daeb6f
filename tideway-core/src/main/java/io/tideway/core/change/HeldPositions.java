package io.tideway.core.change;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.List;

/**
 * Where a table without a key stands in the source's log, kept in the database Tideway writes to,
 * in the same transactions as the rows it covers.
 *
 * <p>A table with a key converges when changes are applied again (upserts and deletes by key), so
 * its position may be checkpointed after the data. A table without a key does not: a change applied
 * twice is a row inserted twice. So for such a table the position lives in {@value #TABLE}, a small
 * table that Tideway creates beside its marker table, one row per project direction ({@code sink})
 * and source table, written in the destination transaction that writes the table's rows:
 * <ul>
 *   <li>the full copy reads the table inside a snapshot whose place in the log is known
 *       ({@link ChangeCapture#beginConsistentRead}) and records that place as {@code snapshot_point}
 *       in the transaction that writes the copied rows: changes the snapshot saw are not applied
 *       again ({@link ChangeCapture#seenBy});</li>
 *   <li>the Connector records the position of the last change of the table it applied as
 *       {@code applied_position} in the transaction that applies it: a replay after a crash between
 *       that commit and the MetaDB checkpoint skips what the destination already holds.</li>
 * </ul>
 * The row is the destination's own truth; nothing in the MetaDB or on a node's disk can contradict it.
 */
public final class HeldPositions {
    /** The table's name, the same on every database; table patterns never select it. */
    public static final String TABLE = "tideway_held_position";

    private HeldPositions() { }

    /** The table in a schema. */
    public static TableId in(String schema) {
        return new TableId(schema, TABLE);
    }

    /** The sink name of a project direction: {@code project/direction}. */
    public static String sink(String project, String direction) {
        return project + "/" + direction;
    }

    /** Its definition: key (sink, source_table); the snapshot point and the applied position, either may be null. */
    public static Table model(TableId id) {
        return new Table(id, List.of(
                new Column("sink", ColumnType.sized(ColumnType.Kind.VARCHAR, 200, "varchar(200)"), false, null, false, null),
                new Column("source_table", ColumnType.sized(ColumnType.Kind.VARCHAR, 500, "varchar(500)"), false, null, false, null),
                new Column("snapshot_point", ColumnType.sized(ColumnType.Kind.VARCHAR, 200, "varchar(200)"), true, null, false, null),
                new Column("applied_position", ColumnType.sized(ColumnType.Kind.VARCHAR, 200, "varchar(200)"), true, null, false,
                        null)),
                List.of("sink", "source_table"), List.of(),
                "Tideway: positions of tables without a key, written with their rows; dropped on release", 0, 0);
    }

    /**
     * What the destination holds of one table: the changes at or before these positions are in it.
     *
     * @param snapshotPoint the place in the log of the snapshot its full copy read, or null
     * @param appliedPosition the position of the last change the Connector applied to it, or null
     */
    public record Held(String snapshotPoint, String appliedPosition) {
        /** Whether the change at {@code position} is already in the destination table. */
        public boolean covers(String position, ChangeCapture capture) {
            if (appliedPosition != null) {
                return position.compareTo(appliedPosition) <= 0;
            }
            return snapshotPoint != null && capture.seenBy(snapshotPoint, position);
        }
    }
}

package io.tideway.core.change;

import io.tideway.core.model.TableId;
import java.util.List;
import java.util.Objects;

/**
 * One change read from a source's log, in canonical form (values as {@link
 * io.tideway.core.model.ColumnType.Kind} says, the same as the full copy reads them).
 *
 * @param op what happened
 * @param table the source table (null for HEARTBEAT)
 * @param columns the names of the values in {@code before}/{@code after}, in the table's column order
 *     at the time of the change (the same list instance may be shared by many events)
 * @param before the row before the change (UPDATE, DELETE); null for INSERT. With MySQL's row image
 *     FULL and PostgreSQL's REPLICA IDENTITY FULL every column is present, otherwise at least the key
 * @param after the row after the change (INSERT, UPDATE); null for DELETE
 * @param ddl the statement as the source logged it (DDL); on a row change, a note that the table's
 *            column types changed on the source just before it (from a source that logs no DDL), else null
 * @param sourceMillis the source's commit time of the transaction, epoch milliseconds
 * @param position where this event is in the source's log, as an opaque string that sorts in log
 *     order (so a re-read event can be recognised and skipped)
 */
public record ChangeEvent(Op op, TableId table, List<String> columns, Object[] before, Object[] after, String ddl,
                          long sourceMillis, String position) {

    /** Kinds of change. */
    public enum Op { INSERT, UPDATE, DELETE, TRUNCATE, DDL, HEARTBEAT }

    public ChangeEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(position, "position");
    }

    public static ChangeEvent heartbeat(long sourceMillis, String position) {
        return new ChangeEvent(Op.HEARTBEAT, null, List.of(), null, null, null, sourceMillis, position);
    }
}

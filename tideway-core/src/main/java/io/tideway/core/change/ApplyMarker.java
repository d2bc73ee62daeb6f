package io.tideway.core.change;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.List;
import java.util.Objects;

/**
 * Loop prevention between the two directions of a project (forward and reverse incremental).
 *
 * <p>Every transaction in which Tideway's Connector writes changes to a database first writes one
 * row of a small table, {@value #TABLE}, that Tideway creates in that database (in the schema of
 * the first table it writes to). A change capture reading that database passes the marker table's
 * changes to {@link Filter} and drops every change of a transaction that wrote a marker row: what
 * Tideway itself applied is never captured and sent back, so both directions can run at once.
 *
 * <p>The marker row is written first, and a database's log delivers a transaction's changes in the
 * order they were made, one transaction after another; so once the capture has seen a marker write,
 * the rest of that transaction is Tideway's. Transactions are told apart by what the capture's log
 * gives: MySQL family: the binlog position of the transaction's start; PostgreSQL: the transaction id.
 */
public final class ApplyMarker {
    /** The marker table's name, the same on every database; one of {@link io.tideway.core.project.TidewayTables}. */
    public static final String TABLE = "tideway_apply_marker";

    private ApplyMarker() { }

    public static boolean isMarker(TableId t) {
        return t != null && TABLE.equals(t.table());
    }

    /** The marker table of a schema. */
    public static TableId in(String schema) {
        return new TableId(schema, TABLE);
    }

    /** The marker table's definition: one row per writer ({@code writer}), a value that changes on every write ({@code n}). */
    public static Table model(TableId id) {
        return new Table(id, List.of(
                new Column("writer", ColumnType.sized(ColumnType.Kind.VARCHAR, 100, "varchar(100)"), false, null, false, null),
                new Column("n", ColumnType.of(ColumnType.Kind.INT64, "bigint"), false, null, false, null)),
                List.of("writer"), List.of(), "Tideway: marks its own apply transactions (loop prevention); dropped on release",
                0, 0);
    }

    /**
     * The filter of one capture session: fed every change in log order with the identity of its
     * transaction, it says which to drop. Not thread-safe (a session reads its log on one thread).
     */
    public static final class Filter {
        private Object marked;
        private long dropped;
        private boolean lastWasOwn;

        /** Takes {@code transaction} as Tideway's, as a session before this one found (a restart inside it). */
        public void restore(Object transaction) {
            marked = transaction;
        }

        /** The transaction of the last marker write, or null. */
        public Object marked() {
            return marked;
        }

        /** Whether the last change seen was dropped as Tideway's (its transaction may not be over). */
        public boolean lastWasOwn() {
            return lastWasOwn;
        }

        /**
         * True when the change must not be delivered: it is a marker write (its transaction is then
         * taken as Tideway's), or it belongs to the transaction of the last marker write.
         */
        public boolean drop(TableId table, Object transaction) {
            if (isMarker(table)) {
                marked = transaction;
                dropped++;
                lastWasOwn = true;
                return true;
            }
            lastWasOwn = marked != null && Objects.equals(marked, transaction);
            if (lastWasOwn) {
                dropped++;
            }
            return lastWasOwn;
        }

        /** Whether {@code transaction} is the one of the last marker write. */
        public boolean isOwn(Object transaction) {
            return marked != null && Objects.equals(marked, transaction);
        }

        /** Changes dropped so far (marker writes included). */
        public long dropped() {
            return dropped;
        }
    }
}

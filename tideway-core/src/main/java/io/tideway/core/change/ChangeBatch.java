package io.tideway.core.change;

import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.util.List;

/**
 * A batch of row changes as a Connector hands it to the destination: per table, in the order the
 * tables were first changed in the batch.
 *
 * <p>A table with a row key carries each key's last change only ({@link Keyed}, in the order of
 * those last changes); replaying such a batch converges. A table without one carries every change
 * in log order ({@link Keyless}), with the position of its last change, which the destination
 * records with its rows ({@link HeldPositions}).
 *
 * @param tables the tables changed, each once
 */
public record ChangeBatch(List<TableChanges> tables) {

    /**
     * The last change of one row key.
     *
     * @param delete whether the row is deleted (else upserted)
     * @param row the after image of an upsert, or the key-bearing before image of a delete, in the
     *     destination table's column order
     */
    public record Keyed(boolean delete, Object[] row) { }

    /**
     * One change of a table without a key, whose rows are found by all their columns.
     *
     * @param op INSERT, UPDATE or DELETE
     * @param before the row before (UPDATE, DELETE), else null
     * @param after the row after (INSERT, UPDATE), else null
     */
    public record Keyless(ChangeEvent.Op op, Object[] before, Object[] after) { }

    /**
     * The changes of one table.
     *
     * @param source the source table
     * @param destination the destination table as the Connector knows it now
     * @param keyed the last change of each key (a table with a row key), else empty
     * @param keyless the changes in log order (a table without a row key), else empty
     * @param lastPosition the log position of the table's last change in the batch (a table without a row key), or null
     */
    public record TableChanges(TableId source, Table destination, List<Keyed> keyed, List<Keyless> keyless,
                               String lastPosition) { }

    /** The number of rows the batch writes or deletes. */
    public int rows() {
        int n = 0;
        for (TableChanges t : tables) {
            n += t.keyed().size() + t.keyless().size();
        }
        return n;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }
}

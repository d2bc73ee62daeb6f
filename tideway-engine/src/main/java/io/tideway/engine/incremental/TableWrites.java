package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch.Keyless;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.spi.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a lane writes the rows of the tables that cannot simply be upserted in key order. */
final class TableWrites {
    private static final Logger LOG = LoggerFactory.getLogger(TableWrites.class);

    private TableWrites() { }

    /**
     * Writes a batch of a table that has unique keys besides its row key. Its rows' unique values
     * may have moved between rows within the batch (a value freed by one row and taken by another,
     * two rows swapping values), and a replay of changes the full copy already saw meets rows in a
     * later state than the batch's: upserts in any order could then collide on a unique value, and
     * MariaDB's ON DUPLICATE KEY UPDATE would update the other row. So every row the batch touches
     * is deleted first, then any other row that holds a unique value the batch writes, then the
     * batch's rows are written. Such a row is in a later state than the source's at the end of the
     * batch (or was written on the destination by someone else): its later change, further on in
     * the spool, writes it again whole.
     */
    static void replaceRows(Dialect dd, Connection c, Table dt, List<Object[]> deletes, List<Object[]> upserts,
                            Function<List<Object[]>, Iterator<Object[]>> counted) throws SQLException {
        List<Object[]> touched = new ArrayList<>(deletes);
        for (Object[] row : upserts) {
            touched.add(KeyOrder.keyValues(dt, row));
        }
        dd.writer().deleteKeys(c, dt, touched);
        if (upserts.isEmpty()) {
            return;
        }
        long displaced = 0;
        Set<String> key = new HashSet<>(dt.rowKey());
        for (Index ix : dt.indexes()) {
            if (!ix.unique() || new HashSet<>(ix.columns()).equals(key)
                    || !ix.columns().stream().allMatch(n -> dt.columnIndex(n) >= 0)) {
                continue;
            }
            int[] at = ix.columns().stream().mapToInt(dt::columnIndex).toArray();
            List<Object[]> values = new ArrayList<>();
            for (Object[] row : upserts) {
                Object[] v = new Object[at.length];
                boolean hasNull = false;
                for (int j = 0; j < at.length; j++) {
                    v[j] = row[at[j]];
                    hasNull |= v[j] == null;
                }
                if (!hasNull) {   // NULLs never collide in a unique key
                    values.add(v);
                }
            }
            if (!values.isEmpty()) {
                Table byIndex = new Table(dt.id(), dt.columns(), ix.columns(), List.of(), dt.comment(), dt.estimatedRows(),
                        dt.estimatedBytes());
                displaced += dd.writer().deleteKeys(c, byIndex, values);
            }
        }
        if (displaced > 0) {
            LOG.info("{}: {} row(s) holding unique values this batch writes were removed first; their later changes"
                    + " write them again", dt.id(), displaced);
        }
        dd.writer().upsert(c, dt, counted.apply(upserts));
    }

    /** Ordered changes of a table without a key: runs of inserts go in bulk, others one row at a time. */
    static void applyKeyless(Dialect dd, Connection c, Table dt, List<Keyless> ops) throws SQLException {
        List<Object[]> inserts = new ArrayList<>();
        for (Keyless op : ops) {
            if (op.op() == ChangeEvent.Op.INSERT) {
                inserts.add(op.after());
                continue;
            }
            if (!inserts.isEmpty()) {
                dd.writer().bulkInsert(c, dt, inserts.iterator());
                inserts.clear();
            }
            if (op.before() != null) {
                dd.writer().deleteOneMatching(c, dt, op.before());
            }
            if (op.op() == ChangeEvent.Op.UPDATE && op.after() != null) {
                inserts.add(op.after());
            }
        }
        if (!inserts.isEmpty()) {
            dd.writer().bulkInsert(c, dt, inserts.iterator());
        }
    }

}

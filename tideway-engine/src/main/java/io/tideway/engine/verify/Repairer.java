package io.tideway.engine.verify;

import io.tideway.core.spi.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the destination rows a verification found different equal to the source's: the source
 * rows of those keys are read again (whether or not they meet the table's row filter) and
 * upserted, rows present on both sides only updated in their compared columns (excluded columns
 * stay as they are), keys the source has no row of at all are deleted; rows of tables without a
 * key are inserted or deleted one by one. One destination transaction per table.
 */
final class Repairer {
    private final VerifyContext ctx;
    private final Dialect sd;
    private final Dialect dd;

    Repairer(VerifyContext ctx) {
        this.ctx = ctx;
        this.sd = ctx.sd;
        this.dd = ctx.dd;
    }

    /** Repairs the differences of {@code states}; each repaired table's keys become candidates to read again. */
    Verifier.Repair repair(List<TableState> states) {
        long written = 0;
        long deleted = 0;
        for (TableState s : states) {
            if (s.differences.isEmpty()) {
                continue;
            }
            TablePlan p = s.plan;
            try (Connection sc = ctx.ends.connectSource(); Connection dc = ctx.ends.connectDestination()) {
                dc.setAutoCommit(false);
                try {
                    if (p.keyed()) {
                        Verifier.Repair wd = repairKeyed(sc, dc, s);
                        written += wd.rowsWritten();
                        deleted += wd.rowsDeleted();
                    } else {
                        List<Object[]> inserts = new ArrayList<>();
                        for (Difference d : s.differences) {
                            if (d.kind() == Difference.Kind.EXTRA) {
                                deleted += dd.writer().deleteOneMatching(dc, p.destinationCompared(), d.destinationRow());
                            } else {
                                inserts.add(p.writtenOf(d.sourceRow()));
                            }
                        }
                        if (!inserts.isEmpty()) {
                            written += dd.writer().bulkInsert(dc, p.destinationWrite(), inserts.iterator()).rows();
                        }
                    }
                    dc.commit();
                } catch (SQLException | RuntimeException e) {
                    dc.rollback();
                    throw e;
                }
                dc.setAutoCommit(true);
            } catch (SQLException e) {
                throw dd.errors().classify(e, "repairing destination table " + p.destinationWrite().id());
            }
            ctx.listener.info("verify: " + p.label() + ": repaired");
            s.candidates = new LinkedHashMap<>();
            if (p.keyed()) {
                for (Difference d : s.differences) {
                    s.candidates.put(d.keyText(), d.key());
                }
            }
        }
        return new Verifier.Repair(written, deleted);
    }

    private Verifier.Repair repairKeyed(Connection sc, Connection dc, TableState s) throws SQLException {
        TablePlan p = s.plan;
        long written = 0;
        long deleted = 0;
        List<Difference> diffs = s.differences;
        for (int from = 0; from < diffs.size(); from += ctx.keyBatch) {
            List<Difference> batch = diffs.subList(from, Math.min(diffs.size(), from + ctx.keyBatch));
            // every source row of these keys, in the filter or not: a key is deleted only when the source has no row of it at all
            Map<String, Object[]> src = ctx.readByKeys(sd, sc, p.source(), p.sourceKey(),
                    batch.stream().map(Difference::key).toList(), "source", null);
            List<Object[]> whole = new ArrayList<>();
            List<Object[]> compared = new ArrayList<>();
            List<Object[]> gone = new ArrayList<>();
            for (Difference d : batch) {
                Object[] row = src.get(d.keyText());
                if (row == null) {
                    gone.add(d.key().toArray());
                } else if (d.kind() == Difference.Kind.DIFFERENT) {
                    compared.add(p.comparedOf(row));
                } else {
                    whole.add(p.writtenOf(row));
                }
            }
            if (!gone.isEmpty()) {
                deleted += dd.writer().deleteKeys(dc, p.destinationWrite(), gone);
            }
            if (!whole.isEmpty()) {
                written += dd.writer().upsert(dc, p.destinationWrite(), whole.iterator()).rows();
            }
            if (!compared.isEmpty()) {
                // on both sides: only the compared columns are set; excluded ones (maybe NOT NULL, maybe absent) stay as they are
                written += dd.writer().updateByKey(dc, p.destinationWriteCompared(), compared.iterator());
            }
        }
        return new Verifier.Repair(written, deleted);
    }
}

package io.tideway.engine.verify;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.engine.Endpoints;
import io.tideway.engine.Progress;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What the parts of one verification share: both ends, the options, how each table is compared
 * and read (its plan and row filter), the progress, the pace and the warnings.
 */
final class VerifyContext {
    final String project;
    final Endpoints ends;
    final Dialect sd;
    final Dialect dd;
    final FullOptions full;
    final VerifyOptions opt;
    /** Rows read again by key at once, when drilling into a differing chunk, rechecking or repairing. */
    final int keyBatch;
    final ProgressListener listener;
    final Verifier.Sync sync;
    final BooleanSupplier stop;
    final Progress progress = new Progress("verify");
    /** Source rows are read as the copy read them (zero dates as the project maps them), destination rows as stored. */
    final ReadOptions sourceReading;
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    /** How each table is compared, by source table name. */
    final Map<String, TablePlan> plans = new LinkedHashMap<>();
    /** The row filter of each table that has one, by source table name. */
    final Map<String, RowFilter> filters = new HashMap<>();
    private final Throttle throttle;

    VerifyContext(String project, Endpoints ends, FullOptions full, VerifyOptions opt, int keyBatch, ProgressListener listener,
                  Verifier.Sync sync, BooleanSupplier stop) {
        this.keyBatch = keyBatch;
        this.project = project;
        this.ends = ends;
        this.sd = ends.sourceDialect();
        this.dd = ends.destinationDialect();
        this.full = full;
        this.opt = opt;
        this.listener = listener;
        this.sync = sync;
        this.stop = stop;
        this.throttle = new Throttle(opt.throttleRowsPerSecond(), 0);
        this.sourceReading = new ReadOptions(ends.zeroDates(full), w -> { });
    }

    /** How rows of {@code p} are read on one side: with the table's row filter of that side, if any. */
    ReadOptions reading(TablePlan p, boolean source) {
        return (source ? sourceReading : ReadOptions.DEFAULT).withFilter(filter(p, source));
    }

    String filter(TablePlan p, boolean source) {
        RowFilter f = filters.get(p.label());
        return f == null ? null : source ? f.source() : f.destination();
    }

    /** Rows by the canonical text of their key. */
    Map<String, Object[]> readByKeys(Dialect d, Connection c, Table t, int[] key, List<List<Object>> keys, String side,
                                     String filter) {
        Map<String, Object[]> out = new HashMap<>();
        ReadOptions how = "source".equals(side) ? sourceReading : ReadOptions.DEFAULT;
        try (RowCursor cur = d.rows().openRowsByKeys(c, t, keys, how.withFilter(filter))) {
            while (cur.next()) {
                Object[] row = cur.row().clone();
                out.put(TablePlan.keyText(t, key, row), row);
            }
        } catch (SQLException e) {
            throw d.errors().classify(e, "reading rows of " + side + " table " + t.id() + " by key");
        }
        return out;
    }

    /** One side's rows of a chunk; with {@code o}, counted into it. */
    SideRows open(Dialect d, Connection c, TablePlan p, Table t, KeyRange range, ChunkOutcome o, boolean source) {
        try {
            return new SideRows(d.rows().openRows(c, t, range, reading(p, source)), d, t, o, source, this::pace);
        } catch (SQLException e) {
            throw d.errors().classify(e, "reading " + (source ? "source" : "destination") + " table " + t.id() + " " + range);
        }
    }

    void pace(long rows) {
        try {
            throttle.acquire(rows, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Verifier.Stopped();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Verifier.Stopped();
        }
    }
}

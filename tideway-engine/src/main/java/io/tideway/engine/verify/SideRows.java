package io.tideway.engine.verify;

import io.tideway.core.model.Table;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.RowCursor;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One side's row stream of a chunk; counts rows, reports progress and paces the source. */
final class SideRows implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SideRows.class);
    private static final int TICK_ROWS = 1000;
    private final RowCursor cursor;
    private final Dialect dialect;
    private final Table table;
    private final ChunkOutcome outcome;
    private final boolean source;
    private final LongConsumer pace;
    private long tick;

    SideRows(RowCursor cursor, Dialect dialect, Table table, ChunkOutcome outcome, boolean source, LongConsumer pace) {
        this.cursor = cursor;
        this.dialect = dialect;
        this.table = table;
        this.outcome = outcome;
        this.source = source;
        this.pace = pace;
    }

    /** The next row (an array the cursor reuses), or null at the end. */
    Object[] next() {
        try {
            if (!cursor.next()) {
                flush();
                return null;
            }
        } catch (SQLException e) {
            throw dialect.errors().classify(e, "reading " + (source ? "source" : "destination") + " table " + table.id());
        }
        if (outcome != null) {
            if (source) {
                outcome.sourceRows++;
                if (++tick == TICK_ROWS) {
                    flush();
                }
            } else {
                outcome.destinationRows++;
            }
        }
        return cursor.row();
    }

    private void flush() {
        if (outcome != null && source && tick > 0) {
            outcome.table.tp.add(tick, 0);
            outcome.progressRows += tick;
            pace.accept(tick);
            tick = 0;
        }
    }

    RowSig nextSig(TablePlan p) {
        Object[] r = next();
        return r == null ? null : RowSig.of(p, table, r);
    }

    List<RowSig> all(TablePlan p) {
        List<RowSig> out = new ArrayList<>();
        for (RowSig s = nextSig(p); s != null; s = nextSig(p)) {
            out.add(s);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            cursor.close();
        } catch (SQLException e) {
            LOG.debug("closing a cursor: {}", e.toString());
        }
    }
}

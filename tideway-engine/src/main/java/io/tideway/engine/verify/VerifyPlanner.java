package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.RowFilter;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.full.ChunkPlanner;
import io.tideway.engine.schema.SchemaStep;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;

/**
 * Plans a verification: how each table is compared ({@link TablePlan}, the columns excluded), its
 * row filter checked on both sides, and the chunks to compare (all, or a sample).
 */
final class VerifyPlanner {
    /** One chunk of one table to compare; a null range compares a table without a key whole. */
    record Work(TableState table, KeyRange range) { }

    private final VerifyContext ctx;
    private final List<MappedTable> tables;
    private final Dialect sd;
    private final Dialect dd;
    private final io.tideway.core.project.VerifyOptions opt;

    VerifyPlanner(VerifyContext ctx, List<MappedTable> tables) {
        this.ctx = ctx;
        this.tables = List.copyOf(tables);
        this.sd = ctx.sd;
        this.dd = ctx.dd;
        this.opt = ctx.opt;
    }

    /** Fills {@code ctx.plans} and {@code ctx.filters}, queues the work and returns each table's state. */
    List<TableState> prepare(BlockingQueue<Work> queue) {
        ColumnExclusions exclusions = ColumnExclusions.parse(opt.excludeColumns(), sd.catalog().defaultSchema(ctx.ends.source()));
        List<TableState> out = new ArrayList<>();
        try (Connection sc = ctx.ends.connectSource(); Connection dc = ctx.ends.connectDestination()) {
            for (MappedTable m : tables) {
                Table dst;
                try {
                    dst = SchemaStep.find(dd, dc, m.destination().id()).orElseThrow(() -> new TidewayException(
                            ErrorCode.TABLE_VANISHED, "destination table " + m.destination().id() + " (of source table "
                            + m.label() + ") does not exist; run the schema and full steps first"));
                } catch (SQLException e) {
                    throw dd.errors().classify(e, "reading destination table " + m.destination().id());
                }
                ctx.plans.put(m.label(), TablePlan.of(m, dst, exclusions, ctx.ends.sameFamily()));
            }
            List<String> unused = exclusions.unused();
            if (!unused.isEmpty()) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.exclude-columns: " + String.join(", ", unused)
                        + " matches no column of the project's tables (names are the source's: table.column or"
                        + " schema.table.column)");
            }
            checkFilters(sc, dc);
            for (TablePlan p : ctx.plans.values()) {
                List<KeyRange> ranges;
                int planned = 1;
                if (p.keyed()) {
                    try {
                        ranges = ChunkPlanner.plan(sd, sc, p.source(), ctx.full.chunkSize());
                    } catch (SQLException e) {
                        throw sd.errors().classify(e, "planning the chunks of " + p.label());
                    }
                    planned = ranges.size();
                    ranges = sample(ranges);
                } else {
                    ranges = List.of(KeyRange.ALL);
                    ctx.warnings.add(p.label() + " has no primary or unique key: compared whole, as a multiset of rows");
                    ctx.listener.warn("verify: " + p.label() + " has no primary or unique key: compared whole, as a multiset of rows");
                }
                long estimate = Math.round(p.source().estimatedRows() * (double) ranges.size() / planned);
                TableState s = new TableState(p, ctx.progress.table(p.label(), estimate), planned, ranges.size());
                out.add(s);
                for (KeyRange r : ranges) {
                    queue.add(new Work(s, p.keyed() ? r : null));
                }
            }
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "preparing the verification: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Matches verify.where to the tables and runs each condition once on its side without reading a
     * row, so that a condition the database rejects fails before anything is compared; every
     * problem is reported at once, naming the table, the side and the condition.
     */
    private void checkFilters(Connection sc, Connection dc) {
        if (opt.where().isEmpty()) {
            return;
        }
        Map<TableId, TablePlan> byId = new LinkedHashMap<>();
        ctx.plans.values().forEach(p -> byId.put(p.source().id(), p));
        Map<TableId, RowFilter> matched = RowFilters.match(opt.where(), sd.catalog().defaultSchema(ctx.ends.source()),
                new ArrayList<>(byId.keySet()));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<TableId, RowFilter> e : matched.entrySet()) {
            TablePlan p = byId.get(e.getKey());
            RowFilter f = e.getValue();
            check(sd, sc, p.source(), f.source(), "source", p, problems);
            check(dd, dc, p.destinationCompared(), f.destination(), "destination", p, problems);
            ctx.filters.put(p.label(), f);
            String text = f.source().equals(f.destination()) ? "where " + f.source()
                    : "where " + f.source() + " (source), " + f.destination() + " (destination)";
            ctx.listener.info("verify: " + p.label() + ": only rows " + text);
        }
        if (!problems.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.where: " + String.join("; ", problems));
        }
    }

    private static void check(Dialect d, Connection c, Table t, String condition, String side, TablePlan p, List<String> problems) {
        String bad = RowFilter.problem(condition);
        if (bad != null) {
            problems.add(p.label() + ": the " + side + " condition '" + condition + "' cannot be used: " + bad);
            return;
        }
        try {
            d.verify().checkRowFilter(c, t, condition);
        } catch (SQLException e) {
            problems.add(p.label() + ": the " + side + " table " + t.id() + " rejects the condition '" + condition + "': "
                    + e.getMessage() + " (write it in the " + side + "'s SQL, with its column names)");
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            } catch (SQLException ignored) {
                // the next statement will tell
            }
        }
    }

    /** The chunks a sampled verification compares: each with probability {@code sample} (others each time), at least one. */
    private List<KeyRange> sample(List<KeyRange> ranges) {
        if (opt.sample() >= 1.0) {
            return ranges;
        }
        Random rnd = new Random();
        List<KeyRange> out = new ArrayList<>();
        for (KeyRange r : ranges) {
            if (rnd.nextDouble() < opt.sample()) {
                out.add(r);
            }
        }
        if (out.isEmpty()) {
            out.add(ranges.get(rnd.nextInt(ranges.size())));
        }
        return out;
    }

}

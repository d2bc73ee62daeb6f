package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the rows found different again, on both sides, before they are reported. */
final class Rechecker {
    private final VerifyContext ctx;
    private final ChunkComparer comparer;
    private final Dialect sd;
    private final Dialect dd;

    Rechecker(VerifyContext ctx, ChunkComparer comparer) {
        this.ctx = ctx;
        this.comparer = comparer;
        this.sd = ctx.sd;
        this.dd = ctx.dd;
    }

    /**
     * Reads the rows found different again on both sides: once, or while an incremental step runs,
     * up to {@code recheck-rounds} times, each after {@code recheck-interval} and once the lag is
     * under its threshold. Rows equal again are dropped.
     *
     * @param keylessToo compare tables without a key again even with no incremental step running (after a repair)
     * @return how far behind the sync was when rows still differed after the last round (they are then not
     *         confirmed); null when the rows left are confirmed
     */
    VerifyReport.InFlight recheck(List<TableState> states, boolean keylessToo) {
        boolean live = ctx.sync.active();
        int rounds = live ? Math.max(1, ctx.opt.recheckRounds()) : 1;
        VerifyReport.InFlight behind = null;
        for (int round = 1; round <= rounds + 1; round++) {
            List<TableState> open = new ArrayList<>();
            for (TableState s : states) {
                if (s.plan.keyed() ? !s.candidates.isEmpty() : !s.differences.isEmpty() && (live || keylessToo)) {
                    open.add(s);
                }
            }
            if (open.isEmpty()) {
                return null;
            }
            if (round > rounds) {
                // what still differs after the last round, read while the sync was behind, may be changes in flight
                if (behind != null) {
                    ctx.listener.warn("verify: rows still differ after " + rounds + " rounds, but " + behind.describe()
                            + ": they are reported as not confirmed, without correction SQL");
                }
                return behind;
            }
            if (live) {
                long rows = open.stream().mapToLong(s -> s.plan.keyed() ? s.candidates.size() : s.differences.size()).sum();
                ctx.listener.info(String.format("verify: %,d %s in %d %s; reading them again (round %d of %d) in %.0f s,"
                        + " as the incremental step applies changes", rows, rows == 1 ? "row differs" : "rows differ", open.size(),
                        open.size() == 1 ? "table" : "tables", round, rounds, ctx.opt.recheckIntervalMillis() / 1000.0));
                VerifyContext.sleep(ctx.opt.recheckIntervalMillis());
                behind = null;
                if (!ctx.sync.awaitSynced(Duration.ofSeconds(120))) {
                    behind = ctx.sync.inFlight();
                    ctx.listener.warn("verify: " + behind.describe() + "; reading the rows again anyway");
                }
            }
            try (Connection sc = ctx.ends.connectSource(); Connection dc = ctx.ends.connectDestination()) {
                for (TableState s : open) {
                    if (ctx.stop.getAsBoolean()) {
                        throw new Verifier.Stopped();
                    }
                    if (s.plan.keyed()) {
                        recheckKeyed(sc, dc, s);
                    } else {
                        ChunkOutcome o = new ChunkOutcome(s);
                        comparer.compareKeyless(sc, dc, o);
                        s.tp.add(-o.progressRows, 0);
                        s.differences = o.keyless;
                        s.unlisted = o.keylessUnlisted;
                    }
                }
            } catch (SQLException e) {
                throw new TidewayException(ErrorCode.TRANSIENT, "closing connections: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("the round after the last returns above");
    }

    private void recheckKeyed(Connection sc, Connection dc, TableState s) {
        TablePlan p = s.plan;
        List<Map.Entry<String, List<Object>>> keys = new ArrayList<>(s.candidates.entrySet());
        Map<String, List<Object>> still = new LinkedHashMap<>();
        List<Difference> found = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += ctx.keyBatch) {
            List<Map.Entry<String, List<Object>>> batch = keys.subList(from, Math.min(keys.size(), from + ctx.keyBatch));
            List<List<Object>> values = batch.stream().map(Map.Entry::getValue).toList();
            Map<String, Object[]> src = ctx.readByKeys(sd, sc, p.source(), p.sourceKey(), values, "source", ctx.filter(p, true));
            Map<String, Object[]> dst = ctx.readByKeys(dd, dc, p.destinationCompared(), p.key(), values, "destination", ctx.filter(p, false));
            Map<String, Object[]> outside = Map.of();
            if (ctx.filter(p, true) != null) {
                // keys the destination has in the filter and the source not: the source's row outside it, if any, corrects them
                List<List<Object>> extra = batch.stream().filter(k -> !src.containsKey(k.getKey()) && dst.containsKey(k.getKey()))
                        .map(Map.Entry::getValue).toList();
                if (!extra.isEmpty()) {
                    outside = ctx.readByKeys(sd, sc, p.source(), p.sourceKey(), extra, "source", null);
                }
            }
            for (Map.Entry<String, List<Object>> k : batch) {
                Object[] a = src.get(k.getKey());
                Object[] b = dst.get(k.getKey());
                Difference d = null;
                if (a != null && b == null) {
                    d = new Difference(Difference.Kind.MISSING, k.getValue(), k.getKey(), List.of(), a, null);
                } else if (a == null && b != null) {
                    d = new Difference(Difference.Kind.EXTRA, k.getValue(), k.getKey(), List.of(), outside.get(k.getKey()), b);
                } else if (a != null) {
                    List<String> cols = p.differingColumns(p.comparedOf(a), b);
                    if (!cols.isEmpty()) {
                        d = new Difference(Difference.Kind.DIFFERENT, k.getValue(), k.getKey(), cols, a, b);
                    }
                }
                if (d != null) {
                    still.put(k.getKey(), k.getValue());
                    found.add(d);
                }
            }
        }
        s.candidates = still;
        s.differences = found;
    }
}

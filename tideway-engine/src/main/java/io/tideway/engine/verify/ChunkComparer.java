package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.core.spi.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Compares one chunk of a keyed table (checksums first between databases of the same family, else
 * both sides' rows merged in key order), or a table without a key whole, as a multiset of row digests.
 */
final class ChunkComparer {
    private final VerifyContext ctx;
    private final Dialect sd;
    private final Dialect dd;
    /** Same family: runs each chunk's destination checksum while the worker computes the source's; else null. */
    private final ExecutorService destinationSide;

    ChunkComparer(VerifyContext ctx, ExecutorService destinationSide) {
        this.ctx = ctx;
        this.sd = ctx.sd;
        this.dd = ctx.dd;
        this.destinationSide = destinationSide;
    }

    void compareChunk(Connection sc, Connection dc, KeyRange range, ChunkOutcome o) {
        TablePlan p = o.table.plan;
        if (ctx.ends.sameFamily()) {
            // both databases work at once: a chunk checksum mostly waits for page reads, and each side has its own
            Future<Optional<ChunkChecksum>> theirs = destinationSide.submit(
                    () -> checksum(dd, dc, p.destinationCompared(), range, ctx.filter(p, false), "destination"));
            Optional<ChunkChecksum> a;
            try {
                a = checksum(sd, sc, p.sourceCompared(), range, ctx.filter(p, true), "source");
            } catch (RuntimeException | Error e) {
                awaitQuietly(theirs);
                throw e;
            }
            Optional<ChunkChecksum> b = await(theirs);
            if (a.isPresent() && b.isPresent() && a.get().equals(b.get())) {
                o.sourceRows = a.get().rows();
                o.destinationRows = b.get().rows();
                o.equalByChecksum = true;
                o.table.tp.add(o.sourceRows, 0);
                o.progressRows = o.sourceRows;
                ctx.pace(o.sourceRows);
                return;
            }
        }
        try (SideRows a = ctx.open(sd, sc, p, p.sourceCompared(), range, o, true);
             SideRows b = ctx.open(dd, dc, p, p.destinationCompared(), range, o, false)) {
            if (p.portableOrder()) {
                RowSig s = a.nextSig(p);
                RowSig d = b.nextSig(p);
                while (s != null || d != null) {
                    int c = s == null ? 1 : d == null ? -1 : order(s, d);
                    if (c < 0) {
                        o.sourceOnly.add(s);
                        s = a.nextSig(p);
                    } else if (c > 0) {
                        o.destinationOnly.add(d);
                        d = b.nextSig(p);
                    } else {
                        if (!s.sameValues(d)) {
                            o.different.add(s);
                        }
                        s = a.nextSig(p);
                        d = b.nextSig(p);
                    }
                }
            } else {
                List<RowSig> left = a.all(p);
                List<RowSig> right = b.all(p);
                Comparator<RowSig> byKey = Comparator.comparing(RowSig::keyText);
                left.sort(byKey);
                right.sort(byKey);
                int i = 0;
                int j = 0;
                while (i < left.size() || j < right.size()) {
                    int c = i == left.size() ? 1 : j == right.size() ? -1 : left.get(i).keyText().compareTo(right.get(j).keyText());
                    if (c < 0) {
                        o.sourceOnly.add(left.get(i++));
                    } else if (c > 0) {
                        o.destinationOnly.add(right.get(j++));
                    } else {
                        if (!left.get(i).sameValues(right.get(j))) {
                            o.different.add(left.get(i));
                        }
                        i++;
                        j++;
                    }
                }
            }
        }
    }

    private static int order(RowSig s, RowSig d) {
        if (s.keyText().equals(d.keyText())) {
            return 0;
        }
        int c = KeyOrder.compare(s.key().toArray(), d.key().toArray());
        return c != 0 ? c : s.keyText().compareTo(d.keyText());
    }

    /** The destination checksum run beside the source's; the connection is free again when this returns. */
    private static Optional<ChunkChecksum> await(Future<Optional<ChunkChecksum>> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new Verifier.Stopped();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw new TidewayException(ErrorCode.INTERNAL, "destination checksum failed: " + e.getCause(), e.getCause());
        }
    }

    private static void awaitQuietly(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // the source side's failure is the one reported
        }
    }

    private Optional<ChunkChecksum> checksum(Dialect d, Connection c, Table t, KeyRange range, String filter, String side) {
        try {
            return d.verify().chunkChecksum(c, t, range, filter);
        } catch (SQLException e) {
            throw d.errors().classify(e, "checksum of " + side + " table " + t.id() + " " + range);
        }
    }

    /**
     * A table without a key: the digests of all rows of each side, sorted and merged as multisets;
     * when they differ, a second read of both sides picks the rows behind the unmatched digests.
     */
    void compareKeyless(Connection sc, Connection dc, ChunkOutcome o) {
        TablePlan p = o.table.plan;
        LongList a = new LongList();
        LongList b = new LongList();
        try (SideRows s = ctx.open(sd, sc, p, p.sourceCompared(), KeyRange.ALL, o, true)) {
            for (Object[] r = s.next(); r != null; r = s.next()) {
                a.add(RowSig.digest(p.sourceCompared(), r)[0]);
            }
        }
        try (SideRows d = ctx.open(dd, dc, p, p.destinationCompared(), KeyRange.ALL, o, false)) {
            for (Object[] r = d.next(); r != null; r = d.next()) {
                b.add(RowSig.digest(p.destinationCompared(), r)[0]);
            }
        }
        a.sort();
        b.sort();
        Map<Long, Integer> missing = new HashMap<>();
        Map<Long, Integer> extra = new HashMap<>();
        int i = 0;
        int j = 0;
        while (i < a.size || j < b.size) {
            int c = i == a.size ? 1 : j == b.size ? -1 : Long.compare(a.values[i], b.values[j]);
            if (c < 0) {
                missing.merge(a.values[i++], 1, Integer::sum);
            } else if (c > 0) {
                extra.merge(b.values[j++], 1, Integer::sum);
            } else {
                i++;
                j++;
            }
        }
        List<Difference> found = new ArrayList<>();
        long unlisted = 0;
        if (!missing.isEmpty()) {
            try (SideRows s = ctx.open(sd, sc, p, p.source(), KeyRange.ALL, null, true)) {
                for (Object[] r = s.next(); r != null; r = s.next()) {
                    if (take(missing, RowSig.digest(p.sourceCompared(), p.comparedOf(r))[0])) {
                        if (found.size() < Verifier.MAX_LISTED) {
                            found.add(new Difference(Difference.Kind.MISSING, null, null, List.of(), r.clone(), null));
                        } else {
                            unlisted++;
                        }
                    }
                }
            }
        }
        if (!extra.isEmpty()) {
            try (SideRows d = ctx.open(dd, dc, p, p.destinationCompared(), KeyRange.ALL, null, false)) {
                for (Object[] r = d.next(); r != null; r = d.next()) {
                    if (take(extra, RowSig.digest(p.destinationCompared(), r)[0])) {
                        if (found.size() < Verifier.MAX_LISTED) {
                            found.add(new Difference(Difference.Kind.EXTRA, null, null, List.of(), null, r.clone()));
                        } else {
                            unlisted++;
                        }
                    }
                }
            }
        }
        o.keyless = found;
        o.keylessUnlisted = unlisted;
    }

    /** Takes one of {@code digest} from a multiset of digests; false when there is none left. */
    private static boolean take(Map<Long, Integer> multiset, long digest) {
        Integer n = multiset.get(digest);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            multiset.remove(digest);
        } else {
            multiset.put(digest, n - 1);
        }
        return true;
    }

    /** A growable array of longs. */
    private static final class LongList {
        long[] values = new long[1024];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void sort() {
            Arrays.sort(values, 0, size);
        }
    }
}

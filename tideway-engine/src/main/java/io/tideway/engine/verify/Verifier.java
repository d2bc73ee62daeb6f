package io.tideway.engine.verify;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.engine.Endpoints;
import io.tideway.engine.Progress;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.Throttle;
import io.tideway.engine.Workers;
import io.tideway.engine.full.ChunkPlanner;
import io.tideway.engine.schema.SchemaStep;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Compares every row of a project's tables between source and destination.
 *
 * <ol>
 *   <li>Each keyed table is cut into key-range chunks as the full copy cuts it; chunks of all tables
 *       are compared by {@code full.parallelism} workers, each with its own pair of connections.</li>
 *   <li>Between databases of the same family, each side first computes a checksum of the chunk
 *       (count and hash of its rows) itself; equal checksums end the chunk without a row read.</li>
 *   <li>Otherwise both sides stream the chunk's rows in key order, reduce each row to its key and a
 *       digest of its canonical values, and merge the two streams. Where the key does not sort the
 *       same way on both sides (text, whose collations differ), each side's rows are sorted by
 *       canonical key in memory first, and a row that one side puts in another chunk is matched
 *       across chunks.</li>
 *   <li>A table without a key is compared whole, as a multiset of row digests.</li>
 *   <li>A table with a row filter ({@code verify.where}) has it added, on each side in that side's
 *       SQL, to every read and checksum; each filter is run once on each side before anything is
 *       compared.</li>
 *   <li>Rows found different are read again on both sides by key before being reported: once, or,
 *       while an incremental step applies changes, several rounds a few seconds apart (after the lag
 *       is back under its threshold), so that changes in flight are not reported.</li>
 * </ol>
 */
public final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    /** Rows followed (read again, listed, corrected) per table; more are only counted. */
    static final int MAX_LISTED = 100_000;
    /** Rows of keys in text order awaiting their twin from another chunk, per table. */
    static final int MAX_PENDING = 1_000_000;
    static final int KEY_BATCH = 500;
    private static final int MAX_ATTEMPTS = 4;
    private static final int TICK_ROWS = 1000;

    /** The incremental step that may be applying changes to the destination meanwhile. */
    public interface Sync {
        /** Whether changes are being applied to the destination now. */
        boolean active();

        /** Waits at most {@code max} until the lag is under its threshold; false when it did not get there. */
        boolean awaitSynced(Duration max);

        /** How far behind the sync is now (after {@link #awaitSynced} said it is not under its threshold). */
        default VerifyReport.InFlight inFlight() {
            return new VerifyReport.InFlight(-1, "RUNNING");
        }

        Sync NONE = new Sync() {
            @Override
            public boolean active() {
                return false;
            }

            @Override
            public boolean awaitSynced(Duration max) {
                return true;
            }
        };
    }

    /** Thrown when the run is asked to stop before the verification ends. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("verification stopped before it finished");
        }
    }

    private final String project;
    private final Endpoints ends;
    private final Dialect sd;
    private final Dialect dd;
    private final List<MappedTable> tables;
    private final FullOptions full;
    private final VerifyOptions opt;
    private final ProgressListener listener;
    private final Sync sync;
    private final BooleanSupplier stop;
    private final Progress progress = new Progress("verify");
    private final Throttle throttle;
    /** Source rows are read as the copy read them (zero dates as the project maps them), destination rows as stored. */
    private final ReadOptions sourceReading;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, TablePlan> plans = new LinkedHashMap<>();
    /** The row filter of each table that has one, by source table name. */
    private final Map<String, RowFilter> filters = new HashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private List<TableState> states = List.of();
    /** Set when the rounds of reading differing rows again ended with the sync behind: those rows are not confirmed. */
    private VerifyReport.InFlight inFlight;
    /** Same family: runs each chunk's destination checksum while the worker computes the source's. */
    private ExecutorService destinationSide;

    private record Work(TableState table, KeyRange range) { }

    public Verifier(String project, Endpoints ends, List<MappedTable> tables, FullOptions full, VerifyOptions opt,
                    ProgressListener listener, Sync sync, BooleanSupplier stop) {
        this.project = project;
        this.ends = ends;
        this.sd = ends.sourceDialect();
        this.dd = ends.destinationDialect();
        this.tables = List.copyOf(tables);
        this.full = full;
        this.opt = opt;
        this.listener = listener;
        this.sync = sync;
        this.stop = stop;
        this.throttle = new Throttle(opt.throttleRowsPerSecond(), 0);
        this.sourceReading = new ReadOptions(ends.zeroDates(full), w -> { });
    }

    /** How each table is compared, by source table name; filled by {@link #run()}. */
    Map<String, TablePlan> plans() {
        return plans;
    }

    /** The row filter of a table (by source name), or null when all its rows are compared. */
    RowFilter rowFilter(String label) {
        return filters.get(label);
    }

    Endpoints ends() {
        return ends;
    }

    // ------------------------------------------------------------------ the run

    public VerifyReport run() {
        Instant started = Instant.now();
        LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
        states = prepare(queue);
        long checksummed = ends.sameFamily() ? states.stream().filter(s -> s.plan.keyed()).count() : 0;
        listener.info(String.format("verify: %d chunks in %d tables, parallelism %d%s", queue.size(), states.size(),
                full.parallelism(), checksummed > 0 ? ", chunk checksums computed by each database first" : ""));
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(Workers.daemon("tideway-verify-progress"));
        reporter.scheduleAtFixedRate(this::tellProgress, 500, 500, TimeUnit.MILLISECONDS);
        try {
            int workers = Math.max(1, Math.min(full.parallelism(), queue.size()));
            ExecutorService pool = Executors.newFixedThreadPool(workers, Workers.daemon("tideway-verify-worker"));
            if (ends.sameFamily()) {
                destinationSide = Executors.newFixedThreadPool(workers, Workers.daemon("tideway-verify-destination"));
            }
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(pool.submit(() -> workLoop(queue)));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            } finally {
                pool.shutdownNow();
                if (destinationSide != null) {
                    destinationSide.shutdownNow();
                }
            }
            rethrowFailure();
            for (TableState s : states) {
                s.finishPending();
            }
            recheck(false);
        } finally {
            // not shutdownNow: the listener may be writing to the MetaDB, whose embedded H2 closes on an interrupt
            reporter.shutdown();
            try {
                reporter.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tellProgress();
        }
        return report(started);
    }

    private List<TableState> prepare(LinkedBlockingQueue<Work> queue) {
        ColumnExclusions exclusions = ColumnExclusions.parse(opt.excludeColumns(), sd.defaultSchema(ends.source()));
        List<TableState> out = new ArrayList<>();
        try (Connection sc = ends.connectSource(); Connection dc = ends.connectDestination()) {
            for (MappedTable m : tables) {
                Table dst;
                try {
                    dst = SchemaStep.find(dd, dc, m.destination().id()).orElseThrow(() -> new TidewayException(
                            ErrorCode.TABLE_VANISHED, "destination table " + m.destination().id() + " (of source table "
                            + m.label() + ") does not exist; run the schema and full steps first"));
                } catch (SQLException e) {
                    throw dd.classify(e, "reading destination table " + m.destination().id());
                }
                plans.put(m.label(), TablePlan.of(m, dst, exclusions, ends.sameFamily()));
            }
            List<String> unused = exclusions.unused();
            if (!unused.isEmpty()) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "verify.exclude-columns: " + String.join(", ", unused)
                        + " matches no column of the project's tables (names are the source's: table.column or"
                        + " schema.table.column)");
            }
            checkFilters(sc, dc);
            for (TablePlan p : plans.values()) {
                List<KeyRange> ranges;
                int planned = 1;
                if (p.keyed()) {
                    try {
                        ranges = ChunkPlanner.plan(sd, sc, p.source(), full.chunkSize());
                    } catch (SQLException e) {
                        throw sd.classify(e, "planning the chunks of " + p.label());
                    }
                    planned = ranges.size();
                    ranges = sample(ranges);
                } else {
                    ranges = List.of(KeyRange.ALL);
                    warnings.add(p.label() + " has no primary or unique key: compared whole, as a multiset of rows");
                    listener.warn("verify: " + p.label() + " has no primary or unique key: compared whole, as a multiset of rows");
                }
                long estimate = Math.round(p.source().estimatedRows() * (double) ranges.size() / planned);
                TableState s = new TableState(p, progress.table(p.label(), estimate), planned, ranges.size());
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
        Map<io.tideway.core.model.TableId, TablePlan> byId = new LinkedHashMap<>();
        plans.values().forEach(p -> byId.put(p.source().id(), p));
        Map<io.tideway.core.model.TableId, RowFilter> matched = RowFilters.match(opt.where(), sd.defaultSchema(ends.source()),
                new ArrayList<>(byId.keySet()));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<io.tideway.core.model.TableId, RowFilter> e : matched.entrySet()) {
            TablePlan p = byId.get(e.getKey());
            RowFilter f = e.getValue();
            check(sd, sc, p.source(), f.source(), "source", p, problems);
            check(dd, dc, p.destinationCompared(), f.destination(), "destination", p, problems);
            filters.put(p.label(), f);
            String text = f.source().equals(f.destination()) ? "where " + f.source()
                    : "where " + f.source() + " (source), " + f.destination() + " (destination)";
            listener.info("verify: " + p.label() + ": only rows " + text);
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
            d.checkRowFilter(c, t, condition);
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

    /** How rows of {@code p} are read on one side: with the table's row filter of that side, if any. */
    private ReadOptions reading(TablePlan p, boolean source) {
        return (source ? sourceReading : ReadOptions.DEFAULT).withFilter(filter(p, source));
    }

    private String filter(TablePlan p, boolean source) {
        RowFilter f = filters.get(p.label());
        return f == null ? null : source ? f.source() : f.destination();
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

    private void workLoop(LinkedBlockingQueue<Work> queue) {
        Connection sc = null;
        Connection dc = null;
        try {
            Work w;
            while (failure.get() == null && (w = queue.poll()) != null) {
                if (stop.getAsBoolean()) {
                    throw new Stopped();
                }
                MDC.put("table", w.table().plan.label());
                w.table().tp.state("VERIFYING");
                for (int attempt = 1; ; attempt++) {
                    Outcome o = new Outcome(w.table());
                    try {
                        if (sc == null) {
                            sc = ends.connectSource();
                        }
                        if (dc == null) {
                            dc = ends.connectDestination();
                        }
                        if (w.range() == null) {
                            compareKeyless(sc, dc, o);
                        } else {
                            compareChunk(sc, dc, w.range(), o);
                        }
                        w.table().apply(o);
                        break;
                    } catch (TidewayException e) {
                        w.table().tp.add(-o.progressRows, 0);
                        if (!e.code().retriable() || attempt >= MAX_ATTEMPTS) {
                            throw e;
                        }
                        LOG.warn("{} {} attempt {} failed, retrying: {}", w.table().plan.label(), w.range(), attempt, e.getMessage());
                        sc = Workers.closeQuietly(sc);
                        dc = Workers.closeQuietly(dc);
                        Thread.sleep(1000L << (attempt - 1));
                    }
                }
                if (w.table().remaining.decrementAndGet() == 0) {
                    w.table().tp.state("DONE");
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            Workers.closeQuietly(sc);
            Workers.closeQuietly(dc);
            MDC.remove("table");
        }
    }

    private void rethrowFailure() {
        Throwable f = failure.get();
        if (f == null) {
            return;
        }
        if (f instanceof TidewayException te) {
            throw te;
        }
        if (f instanceof Stopped s) {
            throw s;
        }
        throw new TidewayException(ErrorCode.INTERNAL, "verification failed: " + f, f);
    }

    // ------------------------------------------------------------------ comparing a chunk

    private void compareChunk(Connection sc, Connection dc, KeyRange range, Outcome o) {
        TablePlan p = o.table.plan;
        if (ends.sameFamily()) {
            // both databases work at once: a chunk checksum mostly waits for page reads, and each side has its own
            Future<Optional<ChunkChecksum>> theirs = destinationSide.submit(
                    () -> checksum(dd, dc, p.destinationCompared(), range, filter(p, false), "destination"));
            Optional<ChunkChecksum> a;
            try {
                a = checksum(sd, sc, p.sourceCompared(), range, filter(p, true), "source");
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
                pace(o.sourceRows);
                return;
            }
        }
        try (Side a = open(sd, sc, p, p.sourceCompared(), range, o, true);
             Side b = open(dd, dc, p, p.destinationCompared(), range, o, false)) {
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
            throw new Stopped();
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
            return d.chunkChecksum(c, t, range, filter);
        } catch (SQLException e) {
            throw d.classify(e, "checksum of " + side + " table " + t.id() + " " + range);
        }
    }

    /**
     * A table without a key: the digests of all rows of each side, sorted and merged as multisets;
     * when they differ, a second read of both sides picks the rows behind the unmatched digests.
     */
    private void compareKeyless(Connection sc, Connection dc, Outcome o) {
        TablePlan p = o.table.plan;
        LongList a = new LongList();
        LongList b = new LongList();
        try (Side s = open(sd, sc, p, p.sourceCompared(), KeyRange.ALL, o, true)) {
            for (Object[] r = s.next(); r != null; r = s.next()) {
                a.add(RowSig.digest(p.sourceCompared(), r)[0]);
            }
        }
        try (Side d = open(dd, dc, p, p.destinationCompared(), KeyRange.ALL, o, false)) {
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
            try (Side s = open(sd, sc, p, p.source(), KeyRange.ALL, null, true)) {
                for (Object[] r = s.next(); r != null; r = s.next()) {
                    if (take(missing, RowSig.digest(p.sourceCompared(), p.comparedOf(r))[0])) {
                        if (found.size() < MAX_LISTED) {
                            found.add(new Difference(Difference.Kind.MISSING, null, null, List.of(), r.clone(), null));
                        } else {
                            unlisted++;
                        }
                    }
                }
            }
        }
        if (!extra.isEmpty()) {
            try (Side d = open(dd, dc, p, p.destinationCompared(), KeyRange.ALL, null, false)) {
                for (Object[] r = d.next(); r != null; r = d.next()) {
                    if (take(extra, RowSig.digest(p.destinationCompared(), r)[0])) {
                        if (found.size() < MAX_LISTED) {
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

    // ------------------------------------------------------------------ reading again

    /**
     * Reads the rows found different again on both sides: once, or while an incremental step runs,
     * up to {@code recheck-rounds} times, each after {@code recheck-interval} and once the lag is
     * under its threshold. Rows equal again are dropped.
     *
     * @param keylessToo compare tables without a key again even with no incremental step running (after a repair)
     */
    private void recheck(boolean keylessToo) {
        boolean live = sync.active();
        int rounds = live ? Math.max(1, opt.recheckRounds()) : 1;
        inFlight = null;
        VerifyReport.InFlight behind = null;
        for (int round = 1; round <= rounds + 1; round++) {
            List<TableState> open = new ArrayList<>();
            for (TableState s : states) {
                if (s.plan.keyed() ? !s.candidates.isEmpty() : !s.differences.isEmpty() && (live || keylessToo)) {
                    open.add(s);
                }
            }
            if (open.isEmpty()) {
                return;
            }
            if (round > rounds) {
                // what still differs after the last round, read while the sync was behind, may be changes in flight
                inFlight = behind;
                if (behind != null) {
                    listener.warn("verify: rows still differ after " + rounds + " rounds, but " + behind.describe()
                            + ": they are reported as not confirmed, without correction SQL");
                }
                return;
            }
            if (live) {
                long rows = open.stream().mapToLong(s -> s.plan.keyed() ? s.candidates.size() : s.differences.size()).sum();
                listener.info(String.format("verify: %,d %s in %d %s; reading them again (round %d of %d) in %.0f s,"
                        + " as the incremental step applies changes", rows, rows == 1 ? "row differs" : "rows differ", open.size(),
                        open.size() == 1 ? "table" : "tables", round, rounds, opt.recheckIntervalMillis() / 1000.0));
                sleep(opt.recheckIntervalMillis());
                behind = null;
                if (!sync.awaitSynced(Duration.ofSeconds(120))) {
                    behind = sync.inFlight();
                    listener.warn("verify: " + behind.describe() + "; reading the rows again anyway");
                }
            }
            try (Connection sc = ends.connectSource(); Connection dc = ends.connectDestination()) {
                for (TableState s : open) {
                    if (stop.getAsBoolean()) {
                        throw new Stopped();
                    }
                    if (s.plan.keyed()) {
                        recheckKeyed(sc, dc, s);
                    } else {
                        Outcome o = new Outcome(s);
                        compareKeyless(sc, dc, o);
                        s.tp.add(-o.progressRows, 0);
                        s.differences = o.keyless;
                        s.unlisted = o.keylessUnlisted;
                    }
                }
            } catch (SQLException e) {
                throw new TidewayException(ErrorCode.TRANSIENT, "closing connections: " + e.getMessage(), e);
            }
        }
    }

    private void recheckKeyed(Connection sc, Connection dc, TableState s) {
        TablePlan p = s.plan;
        List<Map.Entry<String, List<Object>>> keys = new ArrayList<>(s.candidates.entrySet());
        Map<String, List<Object>> still = new LinkedHashMap<>();
        List<Difference> found = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += KEY_BATCH) {
            List<Map.Entry<String, List<Object>>> batch = keys.subList(from, Math.min(keys.size(), from + KEY_BATCH));
            List<List<Object>> values = batch.stream().map(Map.Entry::getValue).toList();
            Map<String, Object[]> src = readByKeys(sd, sc, p.source(), p.sourceKey(), values, "source", filter(p, true));
            Map<String, Object[]> dst = readByKeys(dd, dc, p.destinationCompared(), p.key(), values, "destination", filter(p, false));
            Map<String, Object[]> outside = Map.of();
            if (filter(p, true) != null) {
                // keys the destination has in the filter and the source not: the source's row outside it, if any, corrects them
                List<List<Object>> extra = batch.stream().filter(k -> !src.containsKey(k.getKey()) && dst.containsKey(k.getKey()))
                        .map(Map.Entry::getValue).toList();
                if (!extra.isEmpty()) {
                    outside = readByKeys(sd, sc, p.source(), p.sourceKey(), extra, "source", null);
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

    /** Rows by the canonical text of their key. */
    private Map<String, Object[]> readByKeys(Dialect d, Connection c, Table t, int[] key, List<List<Object>> keys, String side,
                                             String filter) {
        Map<String, Object[]> out = new HashMap<>();
        ReadOptions how = "source".equals(side) ? sourceReading : ReadOptions.DEFAULT;
        try (RowCursor cur = d.openRowsByKeys(c, t, keys, how.withFilter(filter))) {
            while (cur.next()) {
                Object[] row = cur.row().clone();
                out.put(TablePlan.keyText(t, key, row), row);
            }
        } catch (SQLException e) {
            throw d.classify(e, "reading rows of " + side + " table " + t.id() + " by key");
        }
        return out;
    }

    // ------------------------------------------------------------------ repair

    /** What a repair wrote. */
    public record Repair(long rowsWritten, long rowsDeleted) { }

    /**
     * Makes the destination rows that {@code report} lists equal to the source: the source rows of
     * those keys are read again (whether or not they meet the table's row filter) and upserted,
     * rows present on both sides only updated in their compared columns (excluded columns stay as
     * they are), keys the source has no row of at all are deleted; rows of tables without a key are
     * inserted or deleted one by one. One destination transaction per table. Then reads the rows again and
     * returns what still differs.
     */
    public VerifyReport repair(VerifyReport report, AtomicReference<Repair> done) {
        Instant started = Instant.now();
        long written = 0;
        long deleted = 0;
        for (TableState s : states) {
            if (s.differences.isEmpty()) {
                continue;
            }
            TablePlan p = s.plan;
            try (Connection sc = ends.connectSource(); Connection dc = ends.connectDestination()) {
                dc.setAutoCommit(false);
                try {
                    if (p.keyed()) {
                        long[] wd = repairKeyed(sc, dc, s);
                        written += wd[0];
                        deleted += wd[1];
                    } else {
                        List<Object[]> inserts = new ArrayList<>();
                        for (Difference d : s.differences) {
                            if (d.kind() == Difference.Kind.EXTRA) {
                                deleted += dd.deleteOneMatching(dc, p.destinationCompared(), d.destinationRow());
                            } else {
                                inserts.add(p.writtenOf(d.sourceRow()));
                            }
                        }
                        if (!inserts.isEmpty()) {
                            written += dd.bulkInsert(dc, p.destinationWrite(), inserts.iterator()).rows();
                        }
                    }
                    dc.commit();
                } catch (SQLException | RuntimeException e) {
                    dc.rollback();
                    throw e;
                }
                dc.setAutoCommit(true);
            } catch (SQLException e) {
                throw dd.classify(e, "repairing destination table " + p.destinationWrite().id());
            }
            listener.info("verify: " + p.label() + ": repaired");
            s.candidates = new LinkedHashMap<>();
            if (p.keyed()) {
                for (Difference d : s.differences) {
                    s.candidates.put(d.keyText(), d.key());
                }
            }
        }
        done.set(new Repair(written, deleted));
        recheck(true);
        return report(started);
    }

    private long[] repairKeyed(Connection sc, Connection dc, TableState s) throws SQLException {
        TablePlan p = s.plan;
        long written = 0;
        long deleted = 0;
        List<Difference> diffs = s.differences;
        for (int from = 0; from < diffs.size(); from += KEY_BATCH) {
            List<Difference> batch = diffs.subList(from, Math.min(diffs.size(), from + KEY_BATCH));
            // every source row of these keys, in the filter or not: a key is deleted only when the source has no row of it at all
            Map<String, Object[]> src = readByKeys(sd, sc, p.source(), p.sourceKey(), batch.stream().map(Difference::key).toList(),
                    "source", null);
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
                deleted += dd.deleteKeys(dc, p.destinationWrite(), gone);
            }
            if (!whole.isEmpty()) {
                written += dd.upsert(dc, p.destinationWrite(), whole.iterator()).rows();
            }
            if (!compared.isEmpty()) {
                // on both sides: only the compared columns are set; excluded ones (maybe NOT NULL, maybe absent) stay as they are
                written += dd.updateByKey(dc, p.destinationWriteCompared(), compared.iterator());
            }
        }
        return new long[] {written, deleted};
    }

    // ------------------------------------------------------------------ results

    private VerifyReport report(Instant started) {
        List<TableReport> out = new ArrayList<>();
        for (TableState s : states) {
            TablePlan p = s.plan;
            out.add(new TableReport(p.label(), p.destinationCompared().id().toString(), p.keyed(), s.sourceRows.get(),
                    s.destinationRows.get(), s.chunks, s.chunksCompared, s.chunksEqualByChecksum.get(), s.matchedAcrossChunks, p.excluded(),
                    s.differences, s.unlisted, inFlight != null && !(s.differences.isEmpty() && s.unlisted == 0)));
        }
        return new VerifyReport(project, started, Instant.now(), out, new ArrayList<>(warnings), inFlight);
    }

    private void tellProgress() {
        try {
            listener.progress(progress.snapshot());
        } catch (RuntimeException e) {
            LOG.debug("progress report failed: {}", e.toString());
        }
    }

    private void pace(long rows) {
        try {
            throttle.acquire(rows, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }



    // ------------------------------------------------------------------ state

    /** What one chunk (or one whole keyless table) showed, merged into its table once complete. */
    private static final class Outcome {
        final TableState table;
        long sourceRows;
        long destinationRows;
        long progressRows;
        boolean equalByChecksum;
        final List<RowSig> sourceOnly = new ArrayList<>();
        final List<RowSig> destinationOnly = new ArrayList<>();
        final List<RowSig> different = new ArrayList<>();
        List<Difference> keyless;
        long keylessUnlisted;

        Outcome(TableState table) {
            this.table = table;
        }
    }

    /** One table's figures and the rows it still has to look at. */
    private static final class TableState {
        final TablePlan plan;
        final Progress.TableProgress tp;
        final int chunks;
        final int chunksCompared;
        final AtomicInteger remaining;
        final AtomicLong sourceRows = new AtomicLong();
        final AtomicLong destinationRows = new AtomicLong();
        final AtomicInteger chunksEqualByChecksum = new AtomicInteger();
        private final Map<String, RowSig> pendingSource = new HashMap<>();
        private final Map<String, RowSig> pendingDestination = new HashMap<>();
        /** Keys found different, by canonical key text; read again before they are reported. */
        Map<String, List<Object>> candidates = new LinkedHashMap<>();
        List<Difference> differences = List.of();
        long unlisted;
        long matchedAcrossChunks;

        TableState(TablePlan plan, Progress.TableProgress tp, int chunks, int chunksCompared) {
            this.plan = plan;
            this.tp = tp;
            this.chunks = chunks;
            this.chunksCompared = chunksCompared;
            this.remaining = new AtomicInteger(chunksCompared);
        }

        synchronized void apply(Outcome o) {
            sourceRows.addAndGet(o.sourceRows);
            destinationRows.addAndGet(o.destinationRows);
            if (o.equalByChecksum) {
                chunksEqualByChecksum.incrementAndGet();
            }
            if (o.keyless != null) {
                differences = o.keyless;
                unlisted += o.keylessUnlisted;
            }
            for (RowSig s : o.different) {
                candidate(s);
            }
            for (RowSig s : o.sourceOnly) {
                unmatched(s, pendingSource, pendingDestination);
            }
            for (RowSig d : o.destinationOnly) {
                unmatched(d, pendingDestination, pendingSource);
            }
        }

        /**
         * A row seen on one side only. When the key sorts alike on both sides it is a candidate at
         * once; otherwise its twin may come with another chunk, so it waits for it.
         */
        private void unmatched(RowSig r, Map<String, RowSig> mine, Map<String, RowSig> theirs) {
            if (plan.portableOrder()) {
                candidate(r);
                return;
            }
            RowSig twin = theirs.remove(r.keyText());
            if (twin != null) {
                matchedAcrossChunks++;
                if (!twin.sameValues(r)) {
                    candidate(r);
                }
            } else if (mine.size() + theirs.size() >= MAX_PENDING) {
                candidate(r);
            } else {
                mine.put(r.keyText(), r);
            }
        }

        private void candidate(RowSig r) {
            if (candidates.containsKey(r.keyText())) {
                return;
            }
            if (candidates.size() < MAX_LISTED) {
                candidates.put(r.keyText(), r.key());
            } else {
                unlisted++;
            }
        }

        synchronized void finishPending() {
            pendingSource.values().forEach(this::candidate);
            pendingDestination.values().forEach(this::candidate);
            pendingSource.clear();
            pendingDestination.clear();
        }
    }

    private Side open(Dialect d, Connection c, TablePlan p, Table t, KeyRange range, Outcome o, boolean source) {
        try {
            return new Side(d.openRows(c, t, range, reading(p, source)), d, t, o, source);
        } catch (SQLException e) {
            throw d.classify(e, "reading " + (source ? "source" : "destination") + " table " + t.id() + " " + range);
        }
    }

    /** One side's row stream; counts rows, reports progress and paces the source. */
    private final class Side implements AutoCloseable {
        private final RowCursor cursor;
        private final Dialect dialect;
        private final Table table;
        private final Outcome outcome;
        private final boolean source;
        private long tick;

        Side(RowCursor cursor, Dialect dialect, Table table, Outcome outcome, boolean source) {
            this.cursor = cursor;
            this.dialect = dialect;
            this.table = table;
            this.outcome = outcome;
            this.source = source;
        }

        /** The next row (an array the cursor reuses), or null at the end. */
        Object[] next() {
            try {
                if (!cursor.next()) {
                    flush();
                    return null;
                }
            } catch (SQLException e) {
                throw dialect.classify(e, "reading " + (source ? "source" : "destination") + " table " + table.id());
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
                pace(tick);
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

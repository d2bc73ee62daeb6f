package io.tideway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.Store;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.Switchovers.SubStep;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward switchover of a project ({@code tideway switchover}): eight numbered sub-steps, each
 * recorded in the MetaDB (table switchover_step: state, times, what it found or recorded), each
 * retryable; a rerun resumes at the first one not COMPLETED or SKIPPED. This class runs them in
 * order and does 6 and 8 itself; {@link SwitchoverPrecheck} does 1, {@link SwitchoverReverse} 2 and
 * 7, {@link SwitchoverWaits} 3 to 5.
 *
 * <ol>
 *   <li>precheck: the forward sync runs in a live {@code tideway run} with its lag under the
 *       threshold; verification passed (the last report.json says equal) or is waived with a reason;
 *       the destination is writable and can be captured (wal_level=logical / binlog ROW, privileges);
 *       the marker tables (loop prevention) are created on both ends.</li>
 *   <li>reverse capture start: waits until the running forward Connector writes its marker, then starts
 *       the capture of the destination and stops it once its start position is saved (PostgreSQL: the
 *       slot keeps the WAL from there); a rerun keeps the position saved first.</li>
 *   <li>application stopped: the user confirms (prompt or --yes) that the application no longer
 *       writes to the source; then no new change of the source may arrive for the quiet period.</li>
 *   <li>final position: waits until the forward Connector has applied the spool up to its end as of
 *       sub-step 3, and records the last source position applied.</li>
 *   <li>stop forward apply: the running {@code tideway run} stops its forward Store and Connector (it
 *       obeys within a second or two) and waits to run the reverse sync.</li>
 *   <li>finish the destination: auto-increment counters / identity sequences past the largest key
 *       (indexes are created after the full copy already; Tideway disables no constraint or trigger).</li>
 *   <li>start reverse incremental: the running {@code tideway run} (or the next one) starts the reverse
 *       Store and Connector from the position of sub-step 2.</li>
 *   <li>report: final positions, rows verified, how long writes were frozen.</li>
 * </ol>
 */
public final class Switchover {
    private static final Logger LOG = LoggerFactory.getLogger(Switchover.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** The sub-steps, by number (index + 1). */
    public static final List<String> STEPS = List.of("precheck", "reverse-capture-start", "source-writes-stopped",
            "final-position-applied", "forward-apply-stopped", "destination-finished", "reverse-started", "report");
    /** Sub-steps that may be skipped (with a reason): nothing is lost by passing over them. */
    public static final Set<Integer> SKIPPABLE = Set.of(1, 6, 8);
    /** The command left for the running {@code tideway run} at sub-step 5. */
    static final String COMMAND = "SWITCHOVER";

    /**
     * How the switchover goes.
     *
     * @param maxLag sub-step 1 refuses a forward lag at or above this
     * @param quiet sub-step 3: how long no new source change may arrive
     * @param waitLimit how long sub-steps 3, 4, 5 and 7 wait for what they wait for
     * @param waiveVerify a reason to go on without a passed verification, or null
     * @param skip sub-steps to skip (only {@link #SKIPPABLE} ones), with {@code skipReason}
     */
    public record Options(Duration maxLag, Duration quiet, Duration waitLimit, String waiveVerify, Set<Integer> skip,
                          String skipReason) {
        public static final Duration DEFAULT_QUIET = Duration.ofSeconds(10);
        public static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);

        public Options {
            skip = skip == null ? Set.of() : Set.copyOf(skip);
        }
    }

    /** Asks the user; the CLI prompts on a terminal or answers yes for all with --yes. */
    public interface Confirmer {
        boolean confirm(String question);
    }

    /** The report of sub-step 8 (also when it was done before). */
    public record Report(List<String> lines, String json) { }

    // what the parts (SwitchoverPrecheck, SwitchoverWaits, SwitchoverReverse) share
    final MetaDb metaDb;
    final Path dataDir;
    final ProjectConfig cfg;
    final Endpoints ends;
    final long pid;
    final Options options;
    final Confirmer confirmer;
    final ProgressListener listener;
    final BooleanSupplier liveRun;
    final SwitchoverReverse reverse = new SwitchoverReverse(this);
    private final SwitchoverWaits waits = new SwitchoverWaits(this);
    private List<MappedTable> tables;

    Switchover(MetaDb metaDb, Path dataDir, ProjectConfig cfg, long pid, Options options, Confirmer confirmer,
               ProgressListener listener, BooleanSupplier liveRun) {
        this.metaDb = metaDb;
        this.dataDir = dataDir;
        this.cfg = cfg;
        this.ends = Endpoints.of(cfg);
        this.pid = pid;
        this.options = options;
        this.confirmer = confirmer;
        this.listener = listener;
        this.liveRun = liveRun;
    }

    /** Whether the forward sync of the project is halted by a switchover (sub-step 5 begun): runs do the reverse sync then. */
    public static boolean forwardHalted(MetaDb metaDb, long pid) {
        return metaDb.switchovers().step(pid, 5).map(s -> State.of(s.state()) != State.NOT_STARTED).orElse(false);
    }

    /** Whether sub-step 7 has begun: the reverse sync may run. */
    public static boolean reverseStarted(MetaDb metaDb, long pid) {
        return metaDb.switchovers().step(pid, 7).map(s -> {
            State st = State.of(s.state());
            return st == State.RUNNING || st == State.COMPLETED || st == State.SKIPPED;
        }).orElse(false);
    }

    /** Runs the sub-steps not done yet, in order; throws naming the one that failed (recorded FAILED, a rerun retries it). */
    Report run() {
        for (int n : options.skip()) {
            if (!SKIPPABLE.contains(n)) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "switchover sub-step " + n + " cannot be skipped; only "
                        + SKIPPABLE + " can (" + SKIPPABLE.stream().map(i -> i + " " + STEPS.get(i - 1)).toList() + ")");
            }
            if (options.skipReason() == null || options.skipReason().isBlank()) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "skipping a switchover sub-step needs a reason (--reason \"...\")");
            }
        }
        Report report = null;
        for (int n = 1; n <= STEPS.size(); n++) {
            String name = STEPS.get(n - 1);
            SubStep rec = metaDb.switchovers().step(pid, n).orElse(null);
            State st = rec == null ? State.NOT_STARTED : State.of(rec.state());
            if (st == State.COMPLETED || st == State.SKIPPED) {
                listener.info("switchover " + n + "/8 " + name + ": " + (st == State.SKIPPED ? "skipped" : "done") + " before");
                if (n == 8 && st == State.COMPLETED && rec.detailJson() != null) {
                    report = reportOf(rec.detailJson());
                }
                continue;
            }
            if (options.skip().contains(n)) {
                metaDb.switchovers().set(pid, n, name, State.SKIPPED.name(), null, null);
                event("WARN", "switchover sub-step " + n + " " + name + " " + Engine.SKIP_EVENT_PREFIX + options.skipReason().strip());
                listener.warn("switchover " + n + "/8 " + name + ": skipped (" + options.skipReason().strip() + ")");
                continue;
            }
            listener.info("switchover " + n + "/8 " + name + " ...");
            metaDb.switchovers().set(pid, n, name, State.RUNNING.name(), null, null);
            event("INFO", "switchover sub-step " + n + " " + name + " started");
            FaultPoints.hit("switchover." + n);
            try {
                ObjectNode detail = switch (n) {
                    case 1 -> new SwitchoverPrecheck(this).precheck();
                    case 2 -> reverse.startReverseCapture();
                    case 3 -> waits.awaitSourceQuiet(rec);
                    case 4 -> waits.awaitFinalApplied();
                    case 5 -> waits.stopForward();
                    case 6 -> finishDestination();
                    case 7 -> reverse.startReverse();
                    case 8 -> report();
                    default -> throw new IllegalStateException("sub-step " + n);
                };
                metaDb.switchovers().set(pid, n, name, State.COMPLETED.name(), detail.toString(), null);
                String summary = detail.has("summary") ? detail.get("summary").asText() : detail.toString();
                event("INFO", "switchover sub-step " + n + " " + name + " completed: " + summary);
                listener.info("switchover " + n + "/8 " + name + ": " + summary);
                if (n == 8) {
                    report = reportOf(detail.toString());
                }
            } catch (RuntimeException e) {
                String msg = e instanceof TidewayException ? e.getMessage() : e.toString();
                metaDb.switchovers().set(pid, n, name, State.FAILED.name(), null, msg);
                event("ERROR", "switchover sub-step " + n + " " + name + " failed (run `tideway switchover` again to retry it): " + msg);
                LOG.error("switchover sub-step {} {} failed", n, name, e);
                if (e instanceof TidewayException te) {
                    throw new TidewayException(te.code(), "switchover sub-step " + n + " (" + name + ") failed: " + msg, e);
                }
                throw e;
            }
        }
        return report == null ? new Report(List.of("switchover done; its report was skipped"), "{}") : report;
    }

    // ------------------------------------------------------------------ 6 finish the destination

    private ObjectNode finishDestination() {
        ObjectNode d = JSON.createObjectNode();
        int n = 0;
        Dialect dd = ends.destinationDialect();
        try (Connection c = ends.connectDestination(); Statement st = c.createStatement()) {
            for (MappedTable m : tables()) {
                Table dst = io.tideway.engine.schema.SchemaStep.find(dd, c, m.destination().id()).orElse(m.destination());
                for (String q : dd.schema().advanceAutoIncrementSql(dst)) {
                    st.execute(q);
                    n++;
                }
            }
        } catch (SQLException e) {
            throw dd.errors().classify(e, "moving the destination's auto-increment counters past the largest keys");
        }
        d.put("counters", n);
        d.put("summary", n + " auto-increment counter(s) moved past the largest key; indexes were created after the full"
                + " copy, and no constraint or trigger was disabled");
        return d;
    }

    // ------------------------------------------------------------------ 8 report

    private ObjectNode report() {
        ObjectNode d = JSON.createObjectNode();
        JsonNode one = detail(1);
        JsonNode two = detail(2);
        JsonNode three = detail(3);
        JsonNode four = detail(4);
        Instant confirmed = three != null && three.has("confirmedAt") ? Instant.parse(three.get("confirmedAt").asText()) : null;
        Instant ready = metaDb.switchovers().step(pid, 7).map(SubStep::finishedAt).orElse(Instant.now());
        d.put("project", cfg.name());
        d.put("forwardFinalSourcePosition", four == null ? "" : four.path("appliedPosition").asText());
        d.put("forwardChangesApplied", four == null ? 0 : four.path("eventsApplied").asLong());
        d.put("reverseStartPosition", two == null ? "" : two.path("reversePosition").asText());
        if (one != null && one.has("rowsVerified")) {
            d.put("rowsVerified", one.get("rowsVerified").asLong());
        } else {
            d.put("verificationWaived", one == null ? "precheck skipped" : one.path("verificationWaived").asText("precheck skipped"));
        }
        if (confirmed != null) {
            d.put("writeFreezeMillis", Math.max(0, ready.toEpochMilli() - confirmed.toEpochMilli()));
        }
        d.put("summary", "switchover of " + cfg.name() + " done");
        return d;
    }

    private Report reportOf(String json) {
        JsonNode d = readJson(json);
        List<String> lines = new ArrayList<>();
        lines.add("switchover report of project " + cfg.name());
        lines.add("  forward sync stopped at source position " + d.path("forwardFinalSourcePosition").asText() + " ("
                + d.path("forwardChangesApplied").asLong() + " changes applied)");
        lines.add("  reverse sync (destination -> source) captures from " + d.path("reverseStartPosition").asText());
        lines.add(d.has("rowsVerified") ? "  rows verified equal before the switch: " + d.get("rowsVerified").asLong()
                : "  verification: waived (" + d.path("verificationWaived").asText() + ")");
        lines.add(d.has("writeFreezeMillis") ? String.format("  writes frozen for %.1f s (from the confirmation that the"
                + " application stopped writing to the source until the reverse sync was started)",
                d.get("writeFreezeMillis").asLong() / 1000.0) : "  write freeze: unknown");
        return new Report(lines, json);
    }

    // ------------------------------------------------------------------ helpers

    List<MappedTable> tables() {
        if (tables == null) {
      tables = TableMapper.map(cfg, ends);
            if (tables.isEmpty()) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "no source table matches the project's tables.include patterns");
            }
        }
        return tables;
    }

    RunContext context(List<MappedTable> t) {
        return new RunContext(cfg, ends, metaDb, pid, t, listener);
    }

    JsonNode detail(int n) {
        return readJson(metaDb.switchovers().step(pid, n).map(SubStep::detailJson).orElse(null));
    }

    JsonNode progress(String step) {
        return readJson(metaDb.projects().step(pid, step).progressJson());
    }

    static JsonNode readJson(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    void requireLiveRun(String what) {
        if (!liveRun.getAsBoolean()) {
            throw new TidewayException(ErrorCode.TRANSIENT, "the forward sync is not running, so nothing can " + what + ": start"
                    + " `tideway run` with the project file again and rerun the switchover (it resumes at this sub-step)");
        }
    }

    void event(String level, String message) {
        metaDb.events().add(pid, level, "switchover", message);
    }

    static void awaitTrue(BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.currentTimeMillis() + limit.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new TidewayException(ErrorCode.TRANSIENT, "waited " + limit.toSeconds() + " s for " + what + " in vain;"
                        + " run the switchover again to retry");
            }
            sleep(250);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TidewayException(ErrorCode.INTERNAL, "interrupted", e);
        }
    }
}

package io.tideway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.change.ApplyMarker;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.Role;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.Store;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.Switchovers.SubStep;
import java.nio.file.Files;
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
 * retryable; a rerun resumes at the first one not COMPLETED or SKIPPED.
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
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private final MetaDb metaDb;
    private final Path dataDir;
    private final ProjectConfig cfg;
    private final Endpoints ends;
    private final long pid;
    private final Options options;
    private final Confirmer confirmer;
    private final ProgressListener listener;
    private final BooleanSupplier liveRun;
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
                    case 1 -> precheck();
                    case 2 -> startReverseCapture();
                    case 3 -> awaitSourceQuiet(rec);
                    case 4 -> awaitFinalApplied();
                    case 5 -> stopForward();
                    case 6 -> finishDestination();
                    case 7 -> startReverse();
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

    // ------------------------------------------------------------------ 1 precheck

    private ObjectNode precheck() {
        ObjectNode d = JSON.createObjectNode();
        if (!cfg.has(Step.INCREMENTAL)) {
            throw new TidewayException(ErrorCode.PRECHECK_FAILED, "project " + cfg.name() + " has no incremental step: there is"
                    + " no sync to switch over; add incremental to its steps and run it until synced first");
        }
        List<String> problems = new ArrayList<>();
        State inc = State.of(metaDb.projects().step(pid, Step.INCREMENTAL.id()).state());
        JsonNode progress = progress(Step.INCREMENTAL.id());
        if (!liveRun.getAsBoolean() || !inc.active()) {
            problems.add("the forward sync is not running (incremental is " + inc + "): keep `tideway run " + cfg.name()
                    + ".yaml` running (it applies the last changes during the switchover), then run the switchover again");
        } else {
            long lag = progress == null ? -1 : progress.path("lagMillis").asLong(-1);
            d.put("lagMillis", lag);
            if (lag < 0 || lag >= options.maxLag().toMillis()) {
                problems.add("the incremental lag is " + (lag < 0 ? "unknown" : lag + " ms") + ", not under the threshold of "
                        + options.maxLag().toMillis() + " ms: wait until the destination has caught up (see `tideway status`),"
                        + " or raise --max-lag");
            }
        }
        JsonNode verified = lastVerification();
        io.tideway.metadb.StepRecord full = metaDb.projects().step(pid, Step.FULL.id());
        java.time.Instant copied = full == null ? null : full.finishedAt();
        boolean stale = verified != null && copied != null && java.time.Instant.parse(verified.path("at").asText()).isBefore(copied);
        if (stale && (options.waiveVerify() == null || options.waiveVerify().isBlank())) {
            problems.add("the last verification (" + verified.path("at").asText() + ") is older than the full copy (finished "
                    + copied + "), so it compared other data: run `tideway verify` again, or waive it with --waive-verify \"reason\"");
        } else if (!stale && verified != null && verified.path("equal").asBoolean(false)) {
            d.put("rowsVerified", verified.path("rowsCompared").asLong());
            d.put("verifiedAt", verified.path("at").asText(""));
        } else if (options.waiveVerify() != null && !options.waiveVerify().isBlank()) {
            d.put("verificationWaived", options.waiveVerify().strip());
            event("WARN", "switchover without a passed verification, waived by the user: " + options.waiveVerify().strip());
        } else if (!stale) {
            problems.add(verified == null ? "no verification of the project has passed: run `tideway verify` (exit 0) first,"
                    + " or waive it with --waive-verify \"reason\""
                    : verified.path("unconfirmed").asBoolean(false)
                    ? "the last verification could not confirm the rows it found different (changes in flight, the sync"
                    + " lagging): run `tideway verify` again when the lag is low, or waive it with --waive-verify \"reason\""
                    : "the last verification found differences: fix them (tideway verify --repair) and verify again, or waive it"
                    + " with --waive-verify \"reason\"");
        }
        List<CheckResult> checks = new ArrayList<>();
        try (Connection c = ends.connectDestination()) {
            // the destination becomes the source of the reverse sync
            for (CheckResult r : ends.destinationDialect().prechecks().run(c, cfg.destination(), Role.SOURCE, Set.of(Step.INCREMENTAL.id()))) {
                if (r.status() == CheckResult.Status.FAIL) {
                    checks.add(r);
                }
            }
        } catch (SQLException e) {
            problems.add("cannot check the destination for the reverse capture: " + e.getMessage());
        } catch (TidewayException e) {
            problems.add("cannot reach the destination: " + e.getMessage());
        }
        for (CheckResult r : checks) {
            problems.add("reverse capture on the destination: " + r.item().replaceFirst("^source\\.", "") + ": " + r.detail()
                    + (r.fix() == null ? "" : " -> " + r.fix()));
        }
        if (problems.isEmpty()) {
            List<MappedTable> t = tables();
            TableId dstMarker = Direction.markerOf(t);
            TableId srcMarker = Direction.markerOf(Direction.REVERSE.context(context(t)).tables());
            try {
                createMarker(ends.destinationDialect(), true, dstMarker);
            } catch (TidewayException e) {
                problems.add("the destination is not writable for Tideway: cannot create its marker table " + dstMarker + ": "
                        + e.getMessage());
            }
            try {
                createMarker(ends.sourceDialect(), false, srcMarker);
            } catch (TidewayException e) {
                problems.add("the source is not writable for Tideway's reverse sync: cannot create its marker table " + srcMarker
                        + ": " + e.getMessage());
            }
            d.put("destinationMarker", String.valueOf(dstMarker));
            d.put("sourceMarker", String.valueOf(srcMarker));
        }
        if (!problems.isEmpty()) {
            throw new TidewayException(ErrorCode.PRECHECK_FAILED, problems.size() + " problem(s): " + String.join("; ", problems));
        }
        d.put("summary", "forward lag " + d.path("lagMillis").asLong() + " ms, "
                + (d.has("rowsVerified") ? d.get("rowsVerified").asLong() + " rows verified equal at " + d.get("verifiedAt").asText()
                        : "verification waived")
                + ", destination writable and capturable, marker tables " + d.get("destinationMarker").asText() + " and "
                + d.get("sourceMarker").asText() + " ready");
        return d;
    }

    /** The last report.json of a verification of the project, with its time as "at"; null when none. */
    private JsonNode lastVerification() {
        Path report = dataDir.resolve("verify").resolve(cfg.name()).resolve("report.json");
        if (!Files.exists(report)) {
            return null;
        }
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(report.toFile());
            n.put("at", Files.getLastModifiedTime(report).toInstant().toString());
            return n;
        } catch (java.io.IOException | ClassCastException e) {
            LOG.warn("cannot read {}: {}", report, e.toString());
            return null;
        }
    }

    /** Creates the marker table (and its schema) where it is missing. */
    private void createMarker(Dialect d, boolean destination, TableId marker) {
        if (marker == null) {
            return;
        }
        try (Connection c = destination ? ends.connectDestination() : ends.connectSource()) {
            if (io.tideway.engine.schema.SchemaStep.find(d, c, marker).isPresent()) {
                return;
            }
            List<String> sql = new ArrayList<>();
            if (!d.catalog().listSchemas(c).contains(marker.schema())) {
                sql.addAll(d.schema().createSchemaSql(marker.schema()));
            }
            var plan = d.schema().createTable(ApplyMarker.model(marker), (destination ? cfg.destination() : cfg.source()).type().family());
            if (!plan.problems().isEmpty()) {
                throw new TidewayException(ErrorCode.INTERNAL, String.join("; ", plan.problems()));
            }
            sql.addAll(plan.statements());
            try (Statement st = c.createStatement()) {
                for (String q : sql) {
                    st.execute(q);
                }
            }
            event("INFO", "marker table " + marker + " created on the " + (destination ? "destination" : "source")
                    + " (loop prevention; dropped on release)");
        } catch (SQLException e) {
            throw d.errors().classify(e, "creating " + marker);
        }
    }

    // ------------------------------------------------------------------ 2 reverse capture start

    private ObjectNode startReverseCapture() {
        ObjectNode d = JSON.createObjectNode();
        // made by sub-step 1 already, unless it was skipped
        createMarker(ends.destinationDialect(), true, Direction.markerOf(tables()));
        if (liveRun.getAsBoolean()) {
            // what the forward Connector writes from now on must be recognisable by the reverse capture
            awaitTrue(() -> metaDb.switchovers().markerInUseSince(pid, Store.FORWARD).isPresent(), Duration.ofSeconds(60),
                    "the running `tideway run` to write the marker table in its apply transactions (it looks every "
                            + "2 s; an older Tideway version does not: restart `tideway run` with this version)");
        }
        var capture = Store.captureFor(cfg.destination().type());
        boolean had = capture.resumesFrom(metaDb.incremental().captureState(pid, Store.REVERSE).loadOffsets());
        RunContext rctx = Direction.REVERSE.context(context(tables()));
        Store s = Store.start(rctx, dataDir, Duration.ofMinutes(3), Direction.REVERSE);
        try {
            awaitTrue(() -> {
                s.check();
                return capture.resumesFrom(metaDb.incremental().captureState(pid, Store.REVERSE).loadOffsets());
            }, Duration.ofSeconds(60), "the reverse capture to save a start position it resumes from");
            d.put("reversePosition", s.session().startPosition());
        } finally {
            s.close();
        }
        d.put("kept", had);
        d.put("summary", "reverse capture of the destination " + (had ? "keeps its start position " : "starts at ")
                + d.get("reversePosition").asText() + " (" + Direction.REVERSE.captureSpecName(cfg.name()) + ")");
        return d;
    }

    // ------------------------------------------------------------------ 3 source quiet

    private ObjectNode awaitSourceQuiet(SubStep before) {
        ObjectNode d = JSON.createObjectNode();
        JsonNode prior = before == null || before.detailJson() == null ? null : readJson(before.detailJson());
        Instant confirmedAt;
        if (prior != null && prior.has("confirmedAt")) {
            confirmedAt = Instant.parse(prior.get("confirmedAt").asText());
        } else {
            if (!confirmer.confirm("Has the application stopped writing to the source " + cfg.source().address() + "?")) {
                throw new TidewayException(ErrorCode.PRECHECK_FAILED, "not confirmed that the application stopped writing to the"
                        + " source; run the switchover again when it has");
            }
            confirmedAt = Instant.now();
            ObjectNode c = JSON.createObjectNode();
            c.put("confirmedAt", confirmedAt.toString());
            metaDb.switchovers().set(pid, 3, STEPS.get(2), State.RUNNING.name(), c.toString(), null);
        }
        d.put("confirmedAt", confirmedAt.toString());
        requireLiveRun("wait for the source to go quiet");
        listener.info("waiting until no new change of the source arrives for " + options.quiet().toSeconds() + " s ...");
        long deadline = System.currentTimeMillis() + options.waitLimit().toMillis();
        long lastCount = -1;
        long quietSince = System.currentTimeMillis();
        JsonNode p = null;
        while (true) {
            requireLiveRun("wait for the source to go quiet");
            p = progress(Step.INCREMENTAL.id());
            long count = p == null ? -1 : p.path("changesSpooled").asLong(-1);
            long now = System.currentTimeMillis();
            if (count != lastCount) {
                lastCount = count;
                quietSince = now;
            }
            // read to the log's end: as the capture can tell (MySQL family), or by fresh heartbeats while streaming
            boolean caughtUp = p != null && (p.path("captureCaughtUp").asBoolean(false)
                    || ("STREAMING".equals(p.path("capture").asText()) && p.path("lagMillis").asLong(-1) >= 0
                    && p.path("lagMillis").asLong(-1) < 2_000));
            if (count >= 0 && caughtUp && now - quietSince >= options.quiet().toMillis()) {
                break;
            }
            if (now > deadline) {
                throw new TidewayException(ErrorCode.TRANSIENT, "changes still arrive from the source (or its capture is not caught"
                        + " up) after " + options.waitLimit().toSeconds() + " s: make sure the application no longer writes to "
                        + cfg.source().address() + ", then run the switchover again");
            }
            sleep(500);
        }
        d.put("spoolEnd", p.path("spoolEnd").asText());
        d.put("finalSourcePosition", p.path("capturePosition").asText());
        d.put("summary", "no new source change for " + options.quiet().toSeconds() + " s; final source position "
                + p.path("capturePosition").asText());
        return d;
    }

    // ------------------------------------------------------------------ 4 final position applied

    private ObjectNode awaitFinalApplied() {
        JsonNode three = readJson(metaDb.switchovers().step(pid, 3).map(SubStep::detailJson).orElse(null));
        if (three == null || !three.has("spoolEnd")) {
            throw new TidewayException(ErrorCode.INTERNAL, "sub-step 3 recorded no final spool position");
        }
        String[] end = three.get("spoolEnd").asText().split(":");
        var target = new io.tideway.engine.store.Spool.Address(Long.parseLong(end[0]), Long.parseLong(end[1]));
        listener.info("waiting until the forward Connector has applied everything up to spool " + target + " ...");
        awaitTrue(() -> {
            requireLiveRun("apply the last changes");
            return metaDb.incremental().applyCheckpoint(pid, Store.FORWARD)
                    .map(cp -> new io.tideway.engine.store.Spool.Address(cp.segment(), cp.offset()).compareTo(target) >= 0)
                    .orElse(false);
        }, options.waitLimit(), "the forward Connector to apply the changes up to spool " + target);
        ApplyCheckpoint cp = metaDb.incremental().applyCheckpoint(pid, Store.FORWARD).orElseThrow();
        ObjectNode d = JSON.createObjectNode();
        d.put("appliedPosition", cp.position());
        d.put("appliedSourceMillis", cp.sourceMillis());
        d.put("eventsApplied", cp.eventsApplied());
        d.put("summary", "the destination has every change up to source position " + cp.position() + " ("
                + cp.eventsApplied() + " changes applied in all)");
        return d;
    }

    // ------------------------------------------------------------------ 5 stop forward apply

    private ObjectNode stopForward() {
        ObjectNode d = JSON.createObjectNode();
        if (liveRun.getAsBoolean()) {
            long asked = System.currentTimeMillis();
            metaDb.incremental().sendCommand(pid, COMMAND);
            awaitTrue(() -> {
                State st = State.of(metaDb.projects().step(pid, Step.INCREMENTAL.id()).state());
                if (st == State.COMPLETED) {
                    return true;
                }
                if (liveRun.getAsBoolean()) {
                    // a command may be taken by a run that ended right then: leave it again
                    metaDb.incremental().run(pid).filter(r -> r.command() == null)
                            .ifPresent(r -> metaDb.incremental().sendCommand(pid, COMMAND));
                    return false;
                }
                return true;
            }, options.waitLimit(), "the running `tideway run` to stop its forward apply");
            d.put("stoppedInMillis", System.currentTimeMillis() - asked);
            d.put("summary", "forward apply stopped in " + (System.currentTimeMillis() - asked) + " ms; the running"
                    + " `tideway run` waits to run the reverse sync");
        } else {
            d.put("summary", "no `tideway run` is running: forward apply is stopped; a run of the project now runs the"
                    + " reverse sync only");
        }
        return d;
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

    // ------------------------------------------------------------------ 7 start reverse incremental

    private ObjectNode startReverse() {
        ObjectNode d = JSON.createObjectNode();
        List<MappedTable> t = tables();
        createMarker(ends.sourceDialect(), false, Direction.markerOf(Direction.REVERSE.context(context(t)).tables()));
        // sub-step 7 is RUNNING now: a run of the project starts the reverse Store and Connector
        if (liveRun.getAsBoolean()) {
            awaitTrue(() -> State.of(metaDb.projects().step(pid, Direction.REVERSE.stepId()).state()).active()
                    || !liveRun.getAsBoolean(), options.waitLimit(), "the running `tideway run` to start the reverse sync");
        }
        boolean running = liveRun.getAsBoolean()
                && State.of(metaDb.projects().step(pid, Direction.REVERSE.stepId()).state()).active();
        d.put("reverseRunning", running);
        d.put("summary", running ? "reverse sync (destination -> source) runs in the running `tideway run`"
                : "reverse sync is ready: run `tideway run " + cfg.name() + ".yaml` to keep it running");
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

    private List<MappedTable> tables() {
        if (tables == null) {
            try (Connection c = ends.connectSource()) {
                tables = TableMapper.map(cfg, ends.sourceDialect(), c);
            } catch (SQLException e) {
                throw ends.sourceDialect().errors().classify(e, "reading the source catalog");
            }
            if (tables.isEmpty()) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "no source table matches the project's tables.include patterns");
            }
        }
        return tables;
    }

    private RunContext context(List<MappedTable> t) {
        return new RunContext(cfg, ends, metaDb, pid, t, listener);
    }

    private JsonNode detail(int n) {
        return readJson(metaDb.switchovers().step(pid, n).map(SubStep::detailJson).orElse(null));
    }

    private JsonNode progress(String step) {
        return readJson(metaDb.projects().step(pid, step).progressJson());
    }

    private static JsonNode readJson(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private void requireLiveRun(String what) {
        if (!liveRun.getAsBoolean()) {
            throw new TidewayException(ErrorCode.TRANSIENT, "the forward sync is not running, so nothing can " + what + ": start"
                    + " `tideway run` with the project file again and rerun the switchover (it resumes at this sub-step)");
        }
    }

    private void event(String level, String message) {
        metaDb.events().add(pid, level, "switchover", message);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.currentTimeMillis() + limit.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new TidewayException(ErrorCode.TRANSIENT, "waited " + limit.toSeconds() + " s for " + what + " in vain;"
                        + " run the switchover again to retry");
            }
            sleep(250);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TidewayException(ErrorCode.INTERNAL, "interrupted", e);
        }
    }
}

package io.tideway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.Step;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.Role;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sub-step 1 of a {@link Switchover}, its precheck: the forward sync runs in a live {@code tideway
 * run} with its lag under the threshold; a verification passed (or is waived with a reason); the
 * destination can be captured; the marker tables are created on both ends. Every problem is
 * reported at once.
 */
final class SwitchoverPrecheck {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchoverPrecheck.class);
    private final Switchover so;

    SwitchoverPrecheck(Switchover so) {
        this.so = so;
    }

    ObjectNode precheck() {
        ObjectNode d = Switchover.JSON.createObjectNode();
        if (!so.cfg.has(Step.INCREMENTAL)) {
            throw new TidewayException(ErrorCode.PRECHECK_FAILED, "project " + so.cfg.name() + " has no incremental step: there is"
                    + " no sync to switch over; add incremental to its steps and run it until synced first");
        }
        List<String> problems = new ArrayList<>();
        State inc = State.of(so.metaDb.projects().step(so.pid, Step.INCREMENTAL.id()).state());
        JsonNode progress = so.progress(Step.INCREMENTAL.id());
        if (!so.liveRun.getAsBoolean() || !inc.active()) {
            problems.add("the forward sync is not running (incremental is " + inc + "): keep `tideway run " + so.cfg.name()
                    + ".yaml` running (it applies the last changes during the switchover), then run the switchover again");
        } else {
            long lag = progress == null ? -1 : progress.path("lagMillis").asLong(-1);
            d.put("lagMillis", lag);
            if (lag < 0 || lag >= so.options.maxLag().toMillis()) {
                problems.add("the incremental lag is " + (lag < 0 ? "unknown" : lag + " ms") + ", not under the threshold of "
                        + so.options.maxLag().toMillis() + " ms: wait until the destination has caught up (see `tideway status`),"
                        + " or raise --max-lag");
            }
        }
        JsonNode verified = lastVerification();
        io.tideway.metadb.StepRecord full = so.metaDb.projects().step(so.pid, Step.FULL.id());
        java.time.Instant copied = full == null ? null : full.finishedAt();
        boolean stale = verified != null && copied != null && java.time.Instant.parse(verified.path("at").asText()).isBefore(copied);
        if (stale && (so.options.waiveVerify() == null || so.options.waiveVerify().isBlank())) {
            problems.add("the last verification (" + verified.path("at").asText() + ") is older than the full copy (finished "
                    + copied + "), so it compared other data: run `tideway verify` again, or waive it with --waive-verify \"reason\"");
        } else if (!stale && verified != null && verified.path("equal").asBoolean(false)) {
            d.put("rowsVerified", verified.path("rowsCompared").asLong());
            d.put("verifiedAt", verified.path("at").asText(""));
        } else if (so.options.waiveVerify() != null && !so.options.waiveVerify().isBlank()) {
            d.put("verificationWaived", so.options.waiveVerify().strip());
            so.event("WARN", "switchover without a passed verification, waived by the user: " + so.options.waiveVerify().strip());
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
        try (Connection c = so.ends.connectDestination()) {
            // the destination becomes the source of the reverse sync
            for (CheckResult r : so.ends.destinationDialect().prechecks().run(c, so.cfg.destination(), Role.SOURCE, Set.of(Step.INCREMENTAL.id()))) {
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
            List<MappedTable> t = so.tables();
            TableId dstMarker = Direction.markerOf(t);
            TableId srcMarker = Direction.markerOf(Direction.REVERSE.context(so.context(t)).tables());
            try {
                so.reverse.createMarker(so.ends.destinationDialect(), true, dstMarker);
            } catch (TidewayException e) {
                problems.add("the destination is not writable for Tideway: cannot create its marker table " + dstMarker + ": "
                        + e.getMessage());
            }
            try {
                so.reverse.createMarker(so.ends.sourceDialect(), false, srcMarker);
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
        Path report = so.dataDir.resolve("verify").resolve(so.cfg.name()).resolve("report.json");
        if (!Files.exists(report)) {
            return null;
        }
        try {
            ObjectNode n = (ObjectNode) Switchover.JSON.readTree(report.toFile());
            n.put("at", Files.getLastModifiedTime(report).toInstant().toString());
            return n;
        } catch (java.io.IOException | ClassCastException e) {
            LOG.warn("cannot read {}: {}", report, e.toString());
            return null;
        }
    }
}

package io.tideway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.Step;
import io.tideway.engine.incremental.Store;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.Switchovers.SubStep;
import java.time.Instant;

/**
 * The sub-steps of a {@link Switchover} that wait on the running {@code tideway run}: 3 (the source
 * goes quiet once the user confirms the application stopped writing), 4 (the forward Connector
 * applies the spool up to its end as of 3) and 5 (the run stops its forward apply).
 */
final class SwitchoverWaits {
    private final Switchover so;

    SwitchoverWaits(Switchover so) {
        this.so = so;
    }

    ObjectNode awaitSourceQuiet(SubStep before) {
        ObjectNode d = Switchover.JSON.createObjectNode();
        JsonNode prior = before == null || before.detailJson() == null ? null : Switchover.readJson(before.detailJson());
        Instant confirmedAt;
        if (prior != null && prior.has("confirmedAt")) {
            confirmedAt = Instant.parse(prior.get("confirmedAt").asText());
        } else {
            if (!so.confirmer.confirm("Has the application stopped writing to the source " + so.cfg.source().address() + "?")) {
                throw new TidewayException(ErrorCode.PRECHECK_FAILED, "not confirmed that the application stopped writing to the"
                        + " source; run the switchover again when it has");
            }
            confirmedAt = Instant.now();
            ObjectNode c = Switchover.JSON.createObjectNode();
            c.put("confirmedAt", confirmedAt.toString());
            so.metaDb.switchovers().set(so.pid, 3, Switchover.STEPS.get(2), State.RUNNING.name(), c.toString(), null);
        }
        d.put("confirmedAt", confirmedAt.toString());
        so.requireLiveRun("wait for the source to go quiet");
        so.listener.info("waiting until no new change of the source arrives for " + so.options.quiet().toSeconds() + " s ...");
        long deadline = System.currentTimeMillis() + so.options.waitLimit().toMillis();
        long lastCount = -1;
        long quietSince = System.currentTimeMillis();
        JsonNode p = null;
        while (true) {
            so.requireLiveRun("wait for the source to go quiet");
            p = so.progress(Step.INCREMENTAL.id());
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
            if (count >= 0 && caughtUp && now - quietSince >= so.options.quiet().toMillis()) {
                break;
            }
            if (now > deadline) {
                throw new TidewayException(ErrorCode.TRANSIENT, "changes still arrive from the source (or its capture is not caught"
                        + " up) after " + so.options.waitLimit().toSeconds() + " s: make sure the application no longer writes to "
                        + so.cfg.source().address() + ", then run the switchover again");
            }
            Switchover.sleep(500);
        }
        d.put("spoolEnd", p.path("spoolEnd").asText());
        d.put("finalSourcePosition", p.path("capturePosition").asText());
        d.put("summary", "no new source change for " + so.options.quiet().toSeconds() + " s; final source position "
                + p.path("capturePosition").asText());
        return d;
    }

    ObjectNode awaitFinalApplied() {
        JsonNode three = Switchover.readJson(so.metaDb.switchovers().step(so.pid, 3).map(SubStep::detailJson).orElse(null));
        if (three == null || !three.has("spoolEnd")) {
            throw new TidewayException(ErrorCode.INTERNAL, "sub-step 3 recorded no final spool position");
        }
        String[] end = three.get("spoolEnd").asText().split(":");
        var target = new io.tideway.engine.store.Spool.Address(Long.parseLong(end[0]), Long.parseLong(end[1]));
        so.listener.info("waiting until the forward Connector has applied everything up to spool " + target + " ...");
        Switchover.awaitTrue(() -> {
            so.requireLiveRun("apply the last changes");
            return so.metaDb.incremental().applyCheckpoint(so.pid, Store.FORWARD)
                    .map(cp -> new io.tideway.engine.store.Spool.Address(cp.segment(), cp.offset()).compareTo(target) >= 0)
                    .orElse(false);
        }, so.options.waitLimit(), "the forward Connector to apply the changes up to spool " + target);
        ApplyCheckpoint cp = so.metaDb.incremental().applyCheckpoint(so.pid, Store.FORWARD).orElseThrow();
        ObjectNode d = Switchover.JSON.createObjectNode();
        d.put("appliedPosition", cp.position());
        d.put("appliedSourceMillis", cp.sourceMillis());
        d.put("eventsApplied", cp.eventsApplied());
        d.put("summary", "the destination has every change up to source position " + cp.position() + " ("
                + cp.eventsApplied() + " changes applied in all)");
        return d;
    }

    ObjectNode stopForward() {
        ObjectNode d = Switchover.JSON.createObjectNode();
        if (so.liveRun.getAsBoolean()) {
            long asked = System.currentTimeMillis();
            so.metaDb.incremental().sendCommand(so.pid, Switchover.COMMAND);
            Switchover.awaitTrue(() -> {
                State st = State.of(so.metaDb.projects().step(so.pid, Step.INCREMENTAL.id()).state());
                if (st == State.COMPLETED) {
                    return true;
                }
                if (so.liveRun.getAsBoolean()) {
                    // a command may be taken by a run that ended right then: leave it again
                    so.metaDb.incremental().run(so.pid).filter(r -> r.command() == null)
                            .ifPresent(r -> so.metaDb.incremental().sendCommand(so.pid, Switchover.COMMAND));
                    return false;
                }
                return true;
            }, so.options.waitLimit(), "the running `tideway run` to stop its forward apply");
            d.put("stoppedInMillis", System.currentTimeMillis() - asked);
            d.put("summary", "forward apply stopped in " + (System.currentTimeMillis() - asked) + " ms; the running"
                    + " `tideway run` waits to run the reverse sync");
        } else {
            d.put("summary", "no `tideway run` is running: forward apply is stopped; a run of the project now runs the"
                    + " reverse sync only");
        }
        return d;
    }
}

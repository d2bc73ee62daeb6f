package io.tideway.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.change.ApplyMarker;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reverse start of a {@link Switchover}: sub-step 2 (the capture of the destination saves its
 * start position while the forward sync still runs), sub-step 7 (the reverse Store and Connector
 * start), and the marker tables (loop prevention) both need.
 */
final class SwitchoverReverse {
    private final Switchover so;

    SwitchoverReverse(Switchover so) {
        this.so = so;
    }

    ObjectNode startReverseCapture() {
        ObjectNode d = Switchover.JSON.createObjectNode();
        // made by sub-step 1 already, unless it was skipped
        createMarker(so.ends.destinationDialect(), true, Direction.markerOf(so.tables()));
        if (so.liveRun.getAsBoolean()) {
            // what the forward Connector writes from now on must be recognisable by the reverse capture
            Switchover.awaitTrue(() -> so.metaDb.switchovers().markerInUseSince(so.pid, Store.FORWARD).isPresent(), Duration.ofSeconds(60),
                    "the running `tideway run` to write the marker table in its apply transactions (it looks every "
                            + "2 s; an older Tideway version does not: restart `tideway run` with this version)");
        }
        var capture = Store.captureFor(so.cfg.destination().type());
        boolean had = capture.resumesFrom(so.metaDb.incremental().captureState(so.pid, Store.REVERSE).loadOffsets());
        RunContext rctx = Direction.REVERSE.context(so.context(so.tables()));
        Store s = Store.start(rctx, so.dataDir, Duration.ofMinutes(3), Direction.REVERSE);
        try {
            Switchover.awaitTrue(() -> {
                s.check();
                return capture.resumesFrom(so.metaDb.incremental().captureState(so.pid, Store.REVERSE).loadOffsets());
            }, Duration.ofSeconds(60), "the reverse capture to save a start position it resumes from");
            d.put("reversePosition", s.session().startPosition());
        } finally {
            s.close();
        }
        d.put("kept", had);
        d.put("summary", "reverse capture of the destination " + (had ? "keeps its start position " : "starts at ")
                + d.get("reversePosition").asText() + " (" + Direction.REVERSE.captureSpecName(so.cfg.name()) + ")");
        return d;
    }

    ObjectNode startReverse() {
        ObjectNode d = Switchover.JSON.createObjectNode();
        List<MappedTable> t = so.tables();
        createMarker(so.ends.sourceDialect(), false, Direction.markerOf(Direction.REVERSE.context(so.context(t)).tables()));
        // sub-step 7 is RUNNING now: a run of the project starts the reverse Store and Connector
        if (so.liveRun.getAsBoolean()) {
            Switchover.awaitTrue(() -> State.of(so.metaDb.projects().step(so.pid, Direction.REVERSE.stepId()).state()).active()
                    || !so.liveRun.getAsBoolean(), so.options.waitLimit(), "the running `tideway run` to start the reverse sync");
        }
        boolean running = so.liveRun.getAsBoolean()
                && State.of(so.metaDb.projects().step(so.pid, Direction.REVERSE.stepId()).state()).active();
        d.put("reverseRunning", running);
        d.put("summary", running ? "reverse sync (destination -> source) runs in the running `tideway run`"
                : "reverse sync is ready: run `tideway run " + so.cfg.name() + ".yaml` to keep it running");
        return d;
    }

    /** Creates the marker table (and its schema) where it is missing. */
    void createMarker(Dialect d, boolean destination, TableId marker) {
        if (marker == null) {
            return;
        }
        try (Connection c = destination ? so.ends.connectDestination() : so.ends.connectSource()) {
            if (io.tideway.engine.schema.SchemaStep.find(d, c, marker).isPresent()) {
                return;
            }
            List<String> sql = new ArrayList<>();
            if (!d.catalog().listSchemas(c).contains(marker.schema())) {
                sql.addAll(d.schema().createSchemaSql(marker.schema()));
            }
            var plan = d.schema().createTable(ApplyMarker.model(marker), (destination ? so.cfg.destination() : so.cfg.source()).type().family());
            if (!plan.problems().isEmpty()) {
                throw new TidewayException(ErrorCode.INTERNAL, String.join("; ", plan.problems()));
            }
            sql.addAll(plan.statements());
            try (Statement st = c.createStatement()) {
                for (String q : sql) {
                    st.execute(q);
                }
            }
            so.event("INFO", "marker table " + marker + " created on the " + (destination ? "destination" : "source")
                    + " (loop prevention; dropped on release)");
        } catch (SQLException e) {
            throw d.errors().classify(e, "creating " + marker);
        }
    }
}

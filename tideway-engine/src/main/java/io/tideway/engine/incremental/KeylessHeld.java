package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeCapture;
import io.tideway.core.change.HeldPositions.Held;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.Endpoints;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the destination holds of each table without a key ({@link HeldTable}): read once per start,
 * written by lane 0 in the transaction that writes the table's rows, and asked before a change of
 * such a table is applied (a change at or before what the destination holds is skipped).
 */
final class KeylessHeld {
    private static final Logger LOG = LoggerFactory.getLogger(KeylessHeld.class);

    /** Where this direction's positions live on the destination (null: it writes no table). */
    private final HeldTable held;
    private final Endpoints ends;
    private final String captureName;
    /** What the destination holds of each table without a key, as last read or written. */
    private final Map<TableId, Held> positions = new HashMap<>();
    /** Whether {@link #held} is known to exist on the destination. */
    private boolean ready;
    private ChangeCapture capture;

    KeylessHeld(HeldTable held, Endpoints ends, String captureName) {
        this.held = held;
        this.ends = ends;
        this.captureName = captureName;
    }

    /** Whether positions are kept at all (the direction writes some table). */
    boolean active() {
        return held != null;
    }

    HeldTable table() {
        return held;
    }

    /** Once per start: reads what the destination holds of {@code keyless} (the log place of each copy, the last change applied). */
    void load(Connection c, Collection<TableId> keyless) throws SQLException {
        if (held == null || keyless.isEmpty()) {
            return;
        }
        positions.putAll(held.load(ends.destinationDialect(), c, keyless));
        for (var e : positions.entrySet()) {
            LOG.info("{} apply: {} (no key) holds the changes up to {}", captureName, e.getKey(),
                    e.getValue().appliedPosition() != null ? "position " + e.getValue().appliedPosition()
                            : "the log place of its copy, " + e.getValue().snapshotPoint());
        }
    }

    /** Makes sure the table exists; between batches only (it may run DDL). */
    void ensure(Connection c) {
        if (!ready && held != null) {
            held.ensure(ends.destinationDialect(), c, ends.sourceFamily());
            ready = true;
        }
    }

    /** Whether the destination already holds the change at {@code position} of a table without a key. */
    boolean holds(TableId source, String position) {
        Held h = positions.get(source);
        return h != null && h.covers(position, capture());
    }

    /** What the destination holds of {@code source} once the change at {@code position} is applied. */
    Held after(TableId source, String position) {
        Held h = positions.get(source);
        return new Held(h == null ? null : h.snapshotPoint(), position);
    }

    /** Writes what the destination holds of {@code source}, in the caller's transaction. */
    void write(Dialect d, Connection c, TableId source, Held h) throws SQLException {
        held.write(d, c, source, h);
    }

    /** Notes positions the destination has committed. */
    void committed(Map<TableId, Held> committed) {
        positions.putAll(committed);
    }

    private ChangeCapture capture() {
        if (capture == null) {
            capture = Store.captureFor(ends.source().type());
        }
        return capture;
    }
}

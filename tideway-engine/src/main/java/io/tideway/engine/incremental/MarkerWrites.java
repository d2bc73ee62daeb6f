package io.tideway.engine.incremental;

import io.tideway.core.change.ApplyMarker;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Dialect;
import io.tideway.metadb.MetaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop prevention on the Connector's side: once the marker table exists on the destination (a
 * switchover's reverse capture may read it), every apply transaction with rows writes a row of it
 * first, and a capture of that database drops the whole transaction.
 */
final class MarkerWrites {
    private static final Logger LOG = LoggerFactory.getLogger(MarkerWrites.class);
    /** How often the Connector looks for its marker table while it does not exist. */
    static final long MARKER_CHECK_MILLIS = 2_000;

    private final MetaDb metaDb;
    private final long projectId;
    private final String captureName;
    /** The marker table this Connector writes in each of its transactions once it exists, or null. */
    private final TableId marker;
    private volatile Table model;
    private long checkedAt;
    private final AtomicLong seq = new AtomicLong(System.currentTimeMillis() * 1000);

    MarkerWrites(MetaDb metaDb, long projectId, String captureName, TableId marker) {
        this.metaDb = metaDb;
        this.projectId = projectId;
        this.captureName = captureName;
        this.marker = marker;
    }

    /** Whether to look for the marker table now (at most every {@value #MARKER_CHECK_MILLIS} ms until found). */
    boolean due() {
        long now = System.currentTimeMillis();
        if (marker == null || model != null || now - checkedAt < MARKER_CHECK_MILLIS) {
            return false;
        }
        checkedAt = now;
        return true;
    }

    TableId table() {
        return marker;
    }

    /** The marker table was found: from now on every transaction writes it first, and the MetaDB records so. */
    void found() {
        model = ApplyMarker.model(marker);
        metaDb.switchovers().markerInUse(projectId, captureName, marker.toString());
        LOG.info("{} apply: marker table {} found; every apply transaction writes it first", captureName, marker);
    }

    boolean active() {
        return model != null;
    }

    /** The lane's row of the marker table, written first in a transaction (nothing while the table does not exist). */
    void write(Dialect dd, Connection c, int lane) throws SQLException {
        Table mark = model;
        if (mark != null) {
            dd.writer().upsert(c, mark, List.<Object[]>of(new Object[] {captureName + "-" + lane, seq.incrementAndGet()}).iterator());
        }
    }
}

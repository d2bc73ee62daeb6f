package io.tideway.engine.incremental;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.engine.RunContext;
import io.tideway.engine.store.Spool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Store: a change capture of the source feeding the spool. Started before the full copy, so
 * its start position T0 comes before every row the copy reads; runs until the project stops.
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);
    /** The MetaDB name of the forward capture's state. */
    public static final String FORWARD = "forward";

    private final Spool spool;
    private final ChangeCapture.Session session;
    private final ChangeCapture capture;
    private final CaptureSpec spec;
    private final long startedAt = System.currentTimeMillis();

    private Store(Spool spool, ChangeCapture capture, CaptureSpec spec, ChangeCapture.Session session) {
        this.spool = spool;
        this.capture = capture;
        this.spec = spec;
        this.session = session;
    }

    public static Path spoolDir(Path dataDir, String project) {
        return dataDir.resolve("spool").resolve(project).resolve(FORWARD);
    }

    /** The spec of a project's forward capture: slot/publication and client names derive from the project name. */
    public static CaptureSpec spec(RunContext ctx, Path dataDir) {
        String name = ("tideway_" + ctx.config().name()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        long serverId = 1_000_000L + Math.floorMod(ctx.config().name().hashCode(), 1_000_000);
        return new CaptureSpec(name, serverId, ctx.config().source(),
                ctx.tables().stream().map(m -> m.source().id()).toList(),
                ctx.metaDb().incremental().captureState(ctx.projectId(), FORWARD), dataDir.resolve("tmp"),
                io.tideway.engine.TableMapper.patterns(ctx.config(), ctx.ends().sourceDialect()));
    }

    public static ChangeCapture captureFor(io.tideway.core.model.DataSourceType type) {
        for (ChangeCapture c : ServiceLoader.load(ChangeCapture.class, Store.class.getClassLoader())) {
            if (c.types().contains(type)) {
                return c;
            }
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "no change capture for data source type '" + type
                + "' is on the class path");
    }

    /** Opens the spool and starts the capture; returns once capture streams from T0 (or its resume point). */
    public static Store start(RunContext ctx, Path dataDir, Duration timeout) {
        Spool spool = Spool.open(spoolDir(dataDir, ctx.config().name()));
        CaptureSpec spec = spec(ctx, dataDir);
        ChangeCapture capture = captureFor(ctx.config().source().type());
        try {
            ChangeCapture.Session s = capture.start(spec, spool::append, timeout);
            LOG.info("capture {} streaming from {}", spec.name(), s.startPosition());
            return new Store(spool, capture, spec, s);
        } catch (RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    /**
     * Whether the capture has had time, in this run, to deliver what the source logged before it
     * started: it has streamed for a few heartbeat intervals and spooled something since (a
     * heartbeat will do), or it has streamed for a while.
     */
    public boolean caughtUpOnce() {
        long up = System.currentTimeMillis() - startedAt;
        return up >= 3_000 && (spool.appended() > 0 || up >= 10_000);
    }

    public Spool spool() {
        return spool;
    }

    public ChangeCapture.Session session() {
        return session;
    }

    /** Fails with the capture's own error if it stopped. */
    public void check() {
        if (!session.running() && session.failure() != null) {
            Throwable f = session.failure();
            if (f instanceof TidewayException te) {
                throw te;
            }
            throw new TidewayException(ErrorCode.TRANSIENT, "the change capture stopped: " + f.getMessage(), f);
        }
    }

    /** Drops what the capture made on the source (PostgreSQL slot and publication). */
    public void release() {
        capture.release(spec);
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            spool.close();
        }
    }
}

package io.tideway.engine.incremental;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.DatabasePlugins;
import io.tideway.engine.RunContext;
import io.tideway.engine.component.ComponentConfig;
import io.tideway.engine.component.ComponentKind;
import io.tideway.engine.component.ComponentRun;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.engine.store.Spool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Store: a change capture of the source feeding the spool. Started before the full copy, so
 * its start position T0 comes before every row the copy reads; runs until the project stops.
 *
 * <p>Reconnect: a watcher thread looks at the capture session twice a second. When the session
 * stops with a failure its capture deems worth retrying ({@link ChangeCapture#worthRetrying}: the
 * connection refused, reset or timed out, the server shutting down or starting up), the Store
 * starts a new session from the saved offsets, which cover only changes already in the spool (the
 * capture saves them only after the spool has forced them to disk; changes read again are skipped
 * by the spool). It waits 1 s before the first attempt, then twice as long before each next one,
 * at most 30 s, for 10 min in all (the Store component's settings coordinator.reconnectMaxWait and
 * coordinator.reconnectFor); each attempt is logged and recorded as a WARN
 * event, the reconnect as an INFO event. Other failures (configuration, privileges, a log position
 * the source no longer has), and giving up, fail the step at its next {@link #check()}. The
 * sessions themselves never reconnect: this is the only reconnect path.
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);
    /** The MetaDB name of the forward capture's state. */
    public static final String FORWARD = "forward";
    /** The MetaDB name of the reverse capture's state (destination -> source, after a switchover). */
    public static final String REVERSE = "reverse";

    /** Backoff of the reconnect: the first wait, the longest wait, and the time to try for in all. */
    record Backoff(Duration first, Duration max, Duration total) {
        static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), ComponentSettings.RECONNECT_MAX_WAIT.defaultValue(),
                ComponentSettings.RECONNECT_FOR.defaultValue());

        static Backoff of(ComponentConfig c) {
            return new Backoff(Duration.ofSeconds(1), c.get(ComponentSettings.RECONNECT_MAX_WAIT), c.get(ComponentSettings.RECONNECT_FOR));
        }
    }

    private final Spool spool;
    private final ChangeCapture capture;
    private final CaptureSpec spec;
    private final Backoff backoff;
    /** How long one reconnect attempt may take to start streaming. */
    private final Duration attemptTimeout;
    /** A session that is not streaming, without a failure, for this long is taken as stopped. */
    private final long idleStopMillis;
    /** The Store component this runs as; null in tests that make a Store without a project. */
    private final ComponentRun component;
    private final BiConsumer<String, String> events;
    private final Thread watcher;
    private volatile ChangeCapture.Session session;
    private volatile long streamingSince = System.currentTimeMillis();
    private volatile long offeredAtStart;
    /** While reconnecting: what happened and how far the reconnect is; null while streaming. */
    private volatile String reconnecting;
    private volatile TidewayException fatal;
    private volatile boolean closed;
    /** The session closed last (a stopped one while reconnecting), so that it is closed once. */
    private volatile ChangeCapture.Session closedSession;

    Store(Spool spool, ChangeCapture capture, CaptureSpec spec, ChangeCapture.Session session, Backoff backoff,
          BiConsumer<String, String> events) {
        this(spool, capture, spec, session, backoff, ComponentSettings.ATTEMPT_TIMEOUT.defaultValue(),
                ComponentSettings.IDLE_STOP.defaultValue(), null, events);
    }

    private Store(Spool spool, ChangeCapture capture, CaptureSpec spec, ChangeCapture.Session session, Backoff backoff,
                  Duration attemptTimeout, Duration idleStop, ComponentRun component, BiConsumer<String, String> events) {
        this.attemptTimeout = attemptTimeout;
        this.idleStopMillis = idleStop.toMillis();
        this.component = component;
        this.spool = spool;
        this.capture = capture;
        this.spec = spec;
        this.session = session;
        this.backoff = backoff;
        this.events = events;
        this.offeredAtStart = spool.offered();
        this.watcher = new Thread(this::watch, "tideway-store-" + spec.name());
        this.watcher.setDaemon(true);
        this.watcher.start();
    }

    public static Path spoolDir(Path dataDir, String project) {
        return spoolDir(dataDir, project, Direction.FORWARD);
    }

    /** The spool directory of one direction of a project. */
    public static Path spoolDir(Path dataDir, String project, Direction direction) {
        return dataDir.resolve("spool").resolve(project).resolve(direction.captureName());
    }

    /** The spec of a project's forward capture: slot/publication and client names derive from the project name. */
    public static CaptureSpec spec(RunContext ctx, Path dataDir) {
        return spec(ctx, dataDir, Direction.FORWARD);
    }

    /**
     * The spec of one direction's capture; {@code ctx} is that direction's context ({@link Direction#context}):
     * its ends' source is the database read. The reverse capture reads the listed tables only.
     */
    public static CaptureSpec spec(RunContext ctx, Path dataDir, Direction direction) {
        return spec(ctx, dataDir, direction, CaptureSpec.Watch.DEFAULT);
    }

    private static CaptureSpec spec(RunContext ctx, Path dataDir, Direction direction, CaptureSpec.Watch watch) {
        String project = ctx.config().name();
        return new CaptureSpec(direction.captureSpecName(project), direction.serverId(project), ctx.ends().source(),
                ctx.tables().stream().map(m -> m.source().id()).toList(),
                ctx.metaDb().incremental().captureState(ctx.projectId(), direction.captureName()), dataDir.resolve("tmp"),
                direction == Direction.FORWARD
                        ? io.tideway.engine.TableMapper.patterns(ctx.config(), ctx.ends().sourceDialect()) : null,
                ctx.ends().destination().type().family(), ctx.zeroDates().mode() == io.tideway.core.model.ZeroDates.Mode.NULL,
                watch);
    }

    public static ChangeCapture captureFor(io.tideway.core.model.DataSourceType type) {
        return DatabasePlugins.forType(type).capture();
    }

    /** Opens the spool and starts the capture; returns once capture streams from T0 (or its resume point). */
    public static Store start(RunContext ctx, Path dataDir, Duration timeout) {
        return start(ctx, dataDir, timeout, Direction.FORWARD);
    }

    /**
     * Like {@link #start(RunContext, Path, Duration)} for one direction; {@code ctx} is that direction's
     * context. Runs as that direction's Store component, configured from its stored configuration.
     */
    public static Store start(RunContext ctx, Path dataDir, Duration timeout, Direction direction) {
        ComponentRun component = ComponentRun.configure(ctx, ComponentKind.STORE, direction);
        ComponentConfig c = component.config();
        Path dir = spoolDir(dataDir, ctx.config().name(), direction);
        CaptureSpec spec = spec(ctx, dataDir, direction,
                new CaptureSpec.Watch(c.get(ComponentSettings.SILENCE_TIMEOUT), c.get(ComponentSettings.PROBE_TIMEOUT)));
        requireSpoolHolds(ctx, direction, dir, spec);
        Spool spool = Spool.open(dir);
        ChangeCapture capture = captureFor(ctx.ends().source().type());
        try {
            component.start();
            ChangeCapture.Session s = capture.start(spec, spool::append, timeout);
            LOG.info("capture {}: streaming from {}", spec.name(), s.startPosition());
            return new Store(spool, capture, spec, s, Backoff.of(c), c.get(ComponentSettings.ATTEMPT_TIMEOUT),
                    c.get(ComponentSettings.IDLE_STOP), component, (level, message) -> ctx.event(level, direction.stepId(), message));
        } catch (RuntimeException e) {
            component.fail();
            spool.close();
            throw e;
        }
    }

    /**
     * Refuses to go on when the spool has lost changes the Connector has not applied yet (a disk
     * replaced, a data directory moved, another node): the capture resumes after them, so they would
     * be skipped silently. The Connector's checkpoint names a spool address it has read up to, which
     * the spool must still hold; and a capture that has read from the source before needs its spool
     * directory. Rewinding the capture is not offered: PostgreSQL's slot has released what it
     * confirmed, and a binlog reader's schema history is ahead of an older position.
     */
    private static void requireSpoolHolds(RunContext ctx, Direction direction, Path dir, CaptureSpec spec) {
        var cp = ctx.metaDb().incremental().applyCheckpoint(ctx.projectId(), direction.captureName()).orElse(null);
        String lacks = cp == null ? null : Spool.lacks(dir, new Spool.Address(cp.segment(), cp.offset()));
        if (lacks == null && !Files.isDirectory(dir) && !spec.state().loadOffsets().isEmpty()) {
            lacks = "the directory was missing, although the capture had read from the source and spooled before";
        }
        if (lacks == null) {
            return;
        }
        String applied = cp == null ? "the Connector has applied nothing yet"
                : "the Connector's checkpoint is at spool address " + cp.segment() + ":" + cp.offset() + " (source position "
                + cp.position() + ", " + cp.eventsApplied() + " changes applied)";
        String msg = "the spool " + dir + " lacks the changes the " + direction.stepId() + " step has yet to apply: "
                + applied + ", but " + lacks + ". The changes captured after that position are lost with the spool, and the"
                + " capture would resume after them, so Tideway stops rather than skip them. To recover: put the spool"
                + " directory back (from the previous data directory, disk or node, or a backup) and run again; if it is gone"
                + " for good, start the sync over: `tideway release " + ctx.config().name() + ".yaml`, then run the project"
                + " under a new name (its full copy reads the rows as they are now)";
        LOG.error("{}", msg);
        ctx.event("ERROR", direction.stepId(), msg);
        throw new TidewayException(ErrorCode.SPOOL_LOST, msg);
    }

    /**
     * Whether the capture has had time, since it last (re)started streaming, to deliver what the
     * source logged before: it has streamed for a few heartbeat intervals and delivered something
     * since (a heartbeat will do, spooled or not), or it has streamed for a while.
     */
    public boolean caughtUpOnce() {
        if (!streaming()) {
            return false;
        }
        long up = System.currentTimeMillis() - streamingSince;
        return up >= 3_000 && (spool.offered() > offeredAtStart || up >= 10_000);
    }

    /** True while the capture is connected and streaming (not reconnecting, not failed). */
    public boolean streaming() {
        return reconnecting == null && fatal == null && session.running();
    }

    /** True when the capture streams and has read the source's log to its end (see {@link ChangeCapture.Session#caughtUp()}). */
    public boolean caughtUp() {
        return streaming() && session.caughtUp();
    }

    /** While the capture reconnects: since when, which attempt, and why; null while it streams. */
    public String reconnecting() {
        return reconnecting;
    }

    public Spool spool() {
        return spool;
    }

    /** The current capture session (a new one after each reconnect). */
    public ChangeCapture.Session session() {
        return session;
    }

    /** Fails with the capture's own error if it stopped for good (a failure not worth retrying, or reconnecting gave up). */
    public void check() {
        TidewayException f = fatal;
        if (f != null) {
            throw f;
        }
    }

    /** Drops what the capture made on the source (PostgreSQL slot and publication). */
    public void release() {
        capture.release(spec);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        watcher.interrupt();
        try {
            watcher.join(attemptTimeout.toMillis() + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closeSession(session);
        } finally {
            spool.close();
            if (component != null) {
                try {
                    component.position(spool.lastPosition());
                } catch (RuntimeException e) {
                    LOG.warn("capture {}: recording the Store's position: {}", spec.name(), e.toString());
                }
                component.stop();
            }
        }
    }

    private void closeSession(ChangeCapture.Session s) {
        if (s == closedSession) {
            return;
        }
        closedSession = s;
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.warn("capture {}: closing a session: {}", spec.name(), e.toString());
        }
    }

    // ------------------------------------------------------------------ reconnect

    private void watch() {
        long quietSince = 0;
        while (!closed && fatal == null) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            ChangeCapture.Session s = session;
            if (closed) {
                return;
            }
            Throwable f;
            try {
                if (s.running()) {
                    quietSince = 0;
                    continue;
                }
                f = s.failure();
            } catch (RuntimeException e) {
                f = e;
            }
            if (f == null) {
                long now = System.currentTimeMillis();
                if (quietSince == 0) {
                    quietSince = now;
                }
                if (now - quietSince < idleStopMillis) {
                    continue;
                }
                f = new TidewayException(ErrorCode.TRANSIENT, "capture " + spec.name() + " stopped streaming without an error");
            }
            quietSince = 0;
            if (!capture.worthRetrying(f)) {
                fail(f);
                return;
            }
            reconnect(s, f);
        }
    }

    /** Closes the stopped session and starts new ones from the saved offsets until one streams, or gives up. */
    private void reconnect(ChangeCapture.Session stopped, Throwable cause) {
        long began = System.currentTimeMillis();
        String where = spec.source().type().id() + " at " + spec.source().address();
        String why = reason(cause);
        reconnecting = "connection lost: " + why;
        LOG.warn("capture {}: the change capture of {} stopped ({}); reconnecting from the saved position for up to {} s",
                spec.name(), where, why, backoff.total().toSeconds());
        event("WARN", "the change capture of " + where + " lost its connection (" + why + "); reconnecting from"
                + " the saved position with backoff, for up to " + describe(backoff.total()));
        closeSession(stopped);
        long wait = backoff.first().toMillis();
        int attempt = 0;
        Throwable last = cause;
        while (!closed) {
            long elapsed = System.currentTimeMillis() - began;
            long left = backoff.total().toMillis() - elapsed;
            if (left <= 0) {
                fail(new TidewayException(ErrorCode.UNREACHABLE, "the change capture of " + where + " could not reconnect within "
                        + describe(backoff.total()) + " (" + attempt + " attempts; last: " + reason(last) + "); nothing is lost:"
                        + " the saved position is kept, run the project again once the source is reachable", last));
                return;
            }
            long sleep = Math.min(wait, left);
            reconnecting = "reconnecting for " + elapsed / 1000 + " s, attempt " + (attempt + 1) + " in " + sleep / 1000.0
                    + " s: " + reason(last);
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            attempt++;
            reconnecting = "reconnecting for " + (System.currentTimeMillis() - began) / 1000 + " s, attempt " + attempt
                    + ": " + reason(last);
            LOG.warn("capture {}: reconnect attempt {} to {} ({} s since the connection was lost)", spec.name(), attempt, where,
                    (System.currentTimeMillis() - began) / 1000);
            long timeout = Math.max(10_000, Math.min(attemptTimeout.toMillis(), left - sleep));
            try {
                ChangeCapture.Session s = capture.start(spec, spool::append, Duration.ofMillis(timeout));
                synchronized (this) {
                    if (closed) {
                        s.close();
                        return;
                    }
                    session = s;
                    streamingSince = System.currentTimeMillis();
                    offeredAtStart = spool.offered();
                    reconnecting = null;
                }
                long took = (System.currentTimeMillis() - began) / 1000;
                LOG.info("capture {}: reconnected to {} at attempt {} after {} s, streaming from {}", spec.name(), where, attempt,
                        took, s.startPosition());
                event("INFO", "the change capture of " + where + " reconnected after " + took + " s (attempt " + attempt
                        + "), streaming from " + s.startPosition());
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                last = e;
                if (!capture.worthRetrying(e)) {
                    fail(e);
                    return;
                }
                wait = Math.min(wait * 2, backoff.max().toMillis());
                LOG.warn("capture {}: reconnect attempt {} failed: {}; next attempt in {} s", spec.name(), attempt, reason(e),
                        wait / 1000.0);
                event("WARN", "change capture reconnect attempt " + attempt + " to " + where + " failed: " + reason(e)
                        + "; next attempt in " + describe(Duration.ofMillis(wait)));
            }
        }
    }

    private void event(String level, String message) {
        try {
            events.accept(level, message);
        } catch (RuntimeException e) {
            LOG.warn("capture {}: cannot record the event '{}': {}", spec.name(), message, e.toString());
        }
    }

    private void fail(Throwable f) {
        TidewayException e = f instanceof TidewayException te ? te
                : new TidewayException(ErrorCode.INTERNAL, "the change capture of " + spec.source().address() + " stopped: "
                        + reason(f), f);
        LOG.error("capture {}: stopped for good: {}", spec.name(), e.getMessage(), f);
        reconnecting = null;
        fatal = e;
        if (component != null) {
            component.fail();
        }
    }

    /** A failure in one line: its first message, and its root cause's when that says more (e.g. "Connection reset"). */
    static String reason(Throwable f) {
        String first = null;
        String root = null;
        java.util.Map<Throwable, Boolean> seen = new java.util.IdentityHashMap<>();
        for (Throwable t = f; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                if (first == null) {
                    first = t.getMessage();
                }
                root = t.getMessage();
            } else if (t.getCause() == null) {
                root = t.getClass().getSimpleName();
            }
        }
        String text = first == null ? (root == null ? f.getClass().getSimpleName() : root)
                : root == null || first.contains(root) ? first : first + ": " + root;
        text = text.replaceAll("\\s+", " ").trim();
        return text.length() > 400 ? text.substring(0, 397) + "..." : text;
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + " min";
        }
        return d.toMillis() % 1000 == 0 ? s + " s" : d.toMillis() / 1000.0 + " s";
    }
}

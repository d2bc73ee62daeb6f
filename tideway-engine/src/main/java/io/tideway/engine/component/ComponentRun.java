package io.tideway.engine.component;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.settings.Setting;
import io.tideway.engine.RunContext;
import io.tideway.engine.RunLease;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.settings.ComponentSettings;
import io.tideway.metadb.ComponentRecord;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component while a step runs it: configured from its stored configuration (created and seeded
 * from the project file the first time), then started and stopped. Its state changes only through
 * {@link ComponentState#next}. The configuration read at {@link #configure} holds for the whole run,
 * except for the settings declared live, which {@link #get} reads again (at most once a second).
 */
public final class ComponentRun {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentRun.class);
    private static final long LIVE_READ_MILLIS = 1000;

    private final Components components;
    private final RunContext ctx;
    private final ComponentId id;
    private final ComponentConfig config;
    private volatile ComponentConfig latest;
    private volatile long latestReadAt;
    private volatile ComponentState state;

    private ComponentRun(Components components, RunContext ctx, ComponentId id, ComponentConfig config, ComponentState state) {
        this.components = components;
        this.ctx = ctx;
        this.id = id;
        this.config = config;
        this.latest = config;
        this.latestReadAt = System.currentTimeMillis();
        this.state = state;
    }

    /**
     * Configures a component of the project {@code ctx} runs ({@code ctx} is the direction's context
     * for a Store or Connector): creates it seeded from the project file, or takes the project
     * file's changed keys; reads and validates its configuration. One that is still RUNNING after
     * its process died is recorded FAILED first.
     */
    public static ComponentRun configure(RunContext ctx, ComponentKind kind, Direction direction) {
        Components components = new Components(ctx.metaDb());
        ComponentId id = new ComponentId(ctx.config().name(), kind, kind.directed() ? direction : null);
        components.seed(id, ctx.projectId(), seeds(ctx, kind));
        ComponentRecord stored = ctx.metaDb().components().find(id.toString()).orElseThrow();
        ComponentState now = ComponentState.valueOf(stored.state());
        if (now == ComponentState.RUNNING) {
            refuseWhileRunningElsewhere(ctx, id, stored);
            now = move(ctx, id, now, ComponentState.Transition.FAIL, null);
            ctx.event("WARN", kind.id(), "component " + id + " was still RUNNING from a process that ended without stopping it");
        }
        ComponentConfig cfg = components.config(id);
        now = move(ctx, id, now, ComponentState.Transition.CONFIGURE, null);
        LOG.info("component {} configured (version {}): {}", id, cfg.version(), cfg.values());
        return new ComponentRun(components, ctx, id, cfg, now);
    }

    /**
     * A Checker RUNNING in another live process is refused, naming that process: a project has one
     * Checker (one state, node and set of figures), and two verifications at once would compare the
     * same rows twice and write the same report. The process counts as live unless it is of this
     * host and gone, or, on another host, neither holds the project's run nor recorded anything for
     * {@link RunLease#STALE_MILLIS}. The other kinds run only under the project's run lease, which
     * already keeps a second process out.
     */
    private static void refuseWhileRunningElsewhere(RunContext ctx, ComponentId id, ComponentRecord stored) {
        if (id.kind() != ComponentKind.CHECKER) {
            return;
        }
        String owner = ctx.metaDb().components().owner(id.toString()).orElse(null);
        String me = RunLease.owner();
        if (owner == null || owner.equals(me)) {
            return;
        }
        boolean holdsRun = ctx.metaDb().incremental().run(ctx.projectId()).map(r -> r.owner().equals(owner)).orElse(false)
                && RunLease.live(ctx.metaDb(), ctx.projectId());
        boolean thisHost = owner.lastIndexOf(':') > 0 && me.startsWith(owner.substring(0, owner.lastIndexOf(':') + 1));
        if (thisHost) {
            if (RunLease.isDead(owner)) {
                return;
            }
        } else {
            long quietMillis = stored.updatedAt() == null ? Long.MAX_VALUE
                    : System.currentTimeMillis() - stored.updatedAt().toEpochMilli();
            if (!holdsRun && quietMillis > RunLease.STALE_MILLIS) {
                return;
            }
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "component " + id + " is RUNNING in process " + owner
                + (stored.nodeHost() == null ? "" : " on " + stored.nodeHost() + " (" + stored.nodeIp() + ")")
                + (holdsRun ? ", the verify step of the project's run" : ", a `tideway verify`")
                + ": a project verifies one at a time; wait until it ends (`tideway components show " + id + "`)");
    }

    /** The values a component of {@code kind} takes from the project file (key -> text). */
    static Map<String, String> seeds(RunContext ctx, ComponentKind kind) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        switch (kind) {
            case CONNECTOR -> {
                var o = ctx.config().incremental();
                s.put(ComponentSettings.DB_TYPE.key(), ctx.ends().source().type().id());
                s.put(ComponentSettings.LANES.key(), String.valueOf(o.parallelism()));
                s.put(ComponentSettings.THROTTLE_ROWS.key(), String.valueOf(o.throttleRowsPerSecond()));
            }
            case FULL_IMPORT -> {
                var o = ctx.config().full();
                s.put(ComponentSettings.CHUNK_SIZE.key(), String.valueOf(o.chunkSize()));
                s.put(ComponentSettings.PARALLELISM.key(), String.valueOf(o.parallelism()));
                s.put(ComponentSettings.THROTTLE_ROWS.key(), String.valueOf(o.throttleRowsPerSecond()));
                s.put(ComponentSettings.THROTTLE_MB.key(), ComponentSettings.THROTTLE_MB.type().format(o.throttleMegabytesPerSecond()));
            }
            default -> { }
        }
        return s;
    }

    private static ComponentState move(RunContext ctx, ComponentId id, ComponentState from, ComponentState.Transition t, Node node) {
        ComponentState to = from.next(t);
        if (!ctx.metaDb().components().setState(id.toString(), from.name(), to.name(), node == null ? null : node.hostName(),
                node == null ? null : node.ip(), node == null ? null : RunLease.owner())) {
            throw new TidewayException(ErrorCode.INTERNAL, "component " + id + " changed state meanwhile (expected " + from
                    + "); is another process running it?");
        }
        return to;
    }

    /**
     * Starts it on this node. A Connector whose configuration lacks {@code source.dbType} is
     * refused with the command that adds it.
     */
    public ComponentRun start() {
        if (id.kind() == ComponentKind.CONNECTOR && !config.explicit().containsKey(ComponentSettings.DB_TYPE.key())) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "component " + id + " cannot start: its configuration has no "
                    + ComponentSettings.DB_TYPE.key() + " (the source database's type, " + ComponentSettings.DB_TYPE.type().name()
                    + "); add it with `tideway components set " + id + " " + ComponentSettings.DB_TYPE.key() + "="
                    + ctx.ends().source().type().id() + "`");
        }
        state = move(ctx, id, state, ComponentState.Transition.START, Node.local());
        return this;
    }

    /** Stops it (a no-op unless it runs); a MetaDB failure is logged, not thrown (it runs while a step ends). */
    public void stop() {
        end(ComponentState.Transition.STOP);
    }

    /** Records that it ended by an error. */
    public void fail() {
        end(ComponentState.Transition.FAIL);
    }

    private synchronized void end(ComponentState.Transition t) {
        if (!state.allows(t)) {
            return;
        }
        try {
            state = move(ctx, id, state, t, null);
        } catch (RuntimeException e) {
            LOG.warn("component {}: recording {} failed: {}", id, t, e.toString());
        }
    }

    /** Records its position or checkpoint. */
    public void position(String position) {
        ctx.metaDb().components().setPosition(id.toString(), position);
    }

    /** Records its position and live figures (JSON, as {@link Components} reads them for its kind). */
    public void figures(String position, String figuresJson) {
        ctx.metaDb().components().setFigures(id.toString(), position, figuresJson);
    }

    public ComponentId id() {
        return id;
    }

    public ComponentState state() {
        return state;
    }

    /** The configuration it was configured with. */
    public ComponentConfig config() {
        return config;
    }

    /**
     * A setting's value: the one configured, or for a setting declared live the newest stored one
     * (read again at most once a second; a failed read keeps the last one).
     */
    public <T> T get(Setting<T> s) {
        if (!s.live()) {
            return config.get(s);
        }
        long now = System.currentTimeMillis();
        if (now - latestReadAt >= LIVE_READ_MILLIS) {
            latestReadAt = now;
            try {
                ComponentConfig c = components.config(id);
                if (c.version() != latest.version()) {
                    LOG.info("component {}: configuration version {} taken while running (its live settings)", id, c.version());
                }
                latest = c;
            } catch (RuntimeException e) {
                LOG.warn("component {}: reading its configuration failed, keeping version {}: {}", id, latest.version(), e.toString());
            }
        }
        return latest.get(s);
    }
}

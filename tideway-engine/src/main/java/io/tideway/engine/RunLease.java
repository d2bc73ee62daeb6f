package io.tideway.engine;

import io.tideway.metadb.MetaDb;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease of a project's run in the MetaDB: one process at a time runs a project. Taken from a
 * process that died or whose heartbeat is older than {@link #STALE_MILLIS}; while a run holds it a
 * heartbeat renews it every second and hands the commands left for the run to a consumer.
 */
public final class RunLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);
    /** A run whose heartbeat is older than this is taken as stopped. */
    public static final long STALE_MILLIS = 30_000;

    private final MetaDb metaDb;
    private final long pid;
    private final String owner;
    private final ScheduledExecutorService beat;

    private RunLease(MetaDb metaDb, long pid, String owner, ScheduledExecutorService beat) {
        this.metaDb = metaDb;
        this.pid = pid;
        this.owner = owner;
        this.beat = beat;
    }

    /**
     * Takes the run of project {@code pid} for this process (refused while a live process holds it).
     *
     * @param commands receives each command read at a heartbeat; null for a lease without a heartbeat
     */
    static RunLease take(MetaDb metaDb, long pid, Consumer<String> commands) {
        String owner = owner();
        metaDb.incremental().acquireRun(pid, owner, STALE_MILLIS, RunLease::isDead);
        if (commands == null) {
            return new RunLease(metaDb, pid, owner, null);
        }
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideway-run-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat.scheduleWithFixedDelay(() -> {
            try {
                commands.accept(metaDb.incremental().heartbeat(pid, owner));
            } catch (RuntimeException e) {
                LOG.warn("run heartbeat failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        return new RunLease(metaDb, pid, owner, beat);
    }

    /** Stops the heartbeat and gives the run up. */
    @Override
    public void close() {
        if (beat != null) {
            // not shutdownNow: the heartbeat may be writing to the MetaDB, whose embedded H2 closes on an interrupt
            beat.shutdown();
            try {
                beat.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            metaDb.incremental().releaseRun(pid, owner);
        } catch (RuntimeException e) {
            LOG.warn("releasing the run lock: {}", e.toString());
        }
    }

    /** Whether a live process runs the project (its heartbeat fresh, its process alive). */
    public static boolean live(MetaDb metaDb, long pid) {
        var run = metaDb.incremental().run(pid);
        return run.isPresent() && !isDead(run.get().owner())
                && System.currentTimeMillis() - run.get().heartbeatAt().toEpochMilli() <= STALE_MILLIS;
    }

    /** This process, as "host:pid". */
    public static String owner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /** A run owned by a process of this host that no longer exists. */
    public static boolean isDead(String owner) {
        int colon = owner.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        String host = owner.substring(0, colon);
        if (!owner().startsWith(host + ":")) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(owner.substring(colon + 1))).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

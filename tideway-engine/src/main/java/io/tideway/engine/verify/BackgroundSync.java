package io.tideway.engine.verify;

import io.tideway.core.project.Step;
import io.tideway.engine.RunContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.MDC;

/**
 * The incremental step run in a thread of its own, so that the Connector keeps applying changes
 * while the verify step compares: a project that lists both verifies once the lag is under its
 * threshold, and its sync goes on meanwhile and after.
 */
public final class BackgroundSync implements Verifier.Sync {
    /** The incremental step, run until {@code until} says stop. */
    public interface IncrementalRun {
        String run(BooleanSupplier until);
    }

    private final RunContext ctx;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile String summary;
    private volatile RuntimeException failure;

    private BackgroundSync(RunContext ctx, IncrementalRun step) {
        this.ctx = ctx;
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        this.thread = new Thread(() -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            MDC.put("step", Step.INCREMENTAL.id());
            try {
                summary = step.run(stop::get);
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                failure = new IllegalStateException("the incremental step failed: " + e, e);
            } finally {
                MDC.clear();
            }
        }, "tideway-incremental");
        thread.setDaemon(true);
    }

    public static BackgroundSync start(RunContext ctx, IncrementalRun step) {
        BackgroundSync s = new BackgroundSync(ctx, step);
        s.thread.start();
        return s;
    }

    /** Whether the step still runs (it applies changes). */
    @Override
    public boolean active() {
        return thread.isAlive();
    }

    /** Whether the step is paused: it applies nothing until resumed. */
    private boolean paused() {
        return io.tideway.core.project.Lifecycle.State.PAUSED.name().equals(ctx.metaDb().projects().step(ctx.projectId(),
                Step.INCREMENTAL.id()).state());
    }

    /** Whether the step reports the lag under its threshold now (state MONITORING). */
    public boolean synced() {
        return io.tideway.core.project.Lifecycle.State.MONITORING.name().equals(ctx.metaDb().projects().step(ctx.projectId(), Step.INCREMENTAL.id()).state());
    }

    @Override
    public boolean awaitSynced(Duration max) {
        long deadline = System.currentTimeMillis() + max.toMillis();
        while (true) {
            check();
            if (!active()) {
                return true;   // nothing is applied any more: the destination will not move
            }
            if (synced()) {
                return true;
            }
            if (System.currentTimeMillis() > deadline || paused()) {
                return false;
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public VerifyReport.InFlight inFlight() {
        return VerifyStep.inFlightOf(ctx.metaDb(), ctx.projectId(), Step.INCREMENTAL.id());
    }

    /** Throws the step's failure, if it failed. */
    public void check() {
        if (failure != null) {
            throw failure;
        }
    }

    public RuntimeException failure() {
        return failure;
    }

    /** Stops the step and waits for it; returns its summary or throws its failure. */
    public String stop() {
        stop.set(true);
        return await();
    }

    /** Waits until the step ends (it ends when the run is asked to stop); returns its summary or throws its failure. */
    public String await() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        }
        check();
        return summary;
    }
}

package io.tideway.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Built-in fault injection for crash tests: with the system property
 * {@code tideway.fault=NAME:N}, the N-th time the engine passes the point NAME the process halts
 * at once, as if killed with SIGKILL (exit status 137). Points: {@code full.after-commit}
 * (a chunk's rows are committed in the destination, its checkpoint not yet written) and
 * {@code apply.after-commit} (a batch of changes is committed, its checkpoint not yet written),
 * {@code switchover.N} for N = 1..8 (switchover sub-step N is recorded RUNNING, nothing of it done yet).
 */
public final class FaultPoints {
    private static final String SPEC = System.getProperty("tideway.fault", "");
    private static final AtomicInteger HITS = new AtomicInteger();

    private FaultPoints() { }

    public static void hit(String name) {
        if (SPEC.isEmpty()) {
            return;
        }
        int colon = SPEC.lastIndexOf(':');
        String point = colon < 0 ? SPEC : SPEC.substring(0, colon);
        int n = colon < 0 ? 1 : Integer.parseInt(SPEC.substring(colon + 1));
        if (point.equals(name) && HITS.incrementAndGet() == n) {
            System.err.println("tideway: fault point " + name + " reached " + n + " time(s): halting");
            Runtime.getRuntime().halt(137);
        }
    }
}

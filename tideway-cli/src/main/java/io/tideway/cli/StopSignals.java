package io.tideway.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a request to stop cleanly, taken before the JVM begins to shut
 * down: during a shutdown the embedded MetaDB closes itself from its own hook, concurrently with
 * ours, and a final checkpoint could no longer be written. The command's work ends, its main
 * thread returns and the process exits normally. A second signal exits at once (status 130 or
 * 143, as the shell reports a signal); nothing is lost by that either, since every checkpoint
 * follows the commit of the data it covers.
 */
final class StopSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile boolean requested;

    private StopSignals() { }

    /** Calls {@code stop} on the first SIGTERM or SIGINT until closed; the platform's handlers are restored then. */
    static StopSignals install(Runnable stop) {
        StopSignals s = new StopSignals();
        for (String name : List.of("TERM", "INT")) {
            Signal sig = new Signal(name);
            try {
                s.previous.add(Signal.handle(sig, received -> {
                    if (s.requested) {
                        Runtime.getRuntime().halt(128 + received.getNumber());
                    }
                    s.requested = true;
                    System.err.println("tideway: stopping cleanly (SIG" + received.getName() + "); a second signal exits at once");
                    stop.run();
                }));
                s.signals.add(sig);
            } catch (IllegalArgumentException e) {
                // a signal this platform does not let us handle: the shutdown hook still stops the work
            }
        }
        return s;
    }

    boolean requested() {
        return requested;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}

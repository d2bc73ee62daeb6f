package io.tideway.engine;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The commands another process leaves for a run in the MetaDB ({@code tideway pause}, {@code resume},
 * a switchover's request to stop the forward apply), as the run's lease reads them at each heartbeat.
 */
final class RunCommands implements Consumer<String> {
    private final AtomicReference<String> pending = new AtomicReference<>();
    private volatile boolean switchoverRequested;

    @Override
    public void accept(String command) {
        if (Switchover.COMMAND.equals(command)) {
            switchoverRequested = true;
        } else if (command != null) {
            pending.set(command);
        }
    }

    /** The last pause or resume command not yet taken by the incremental step. */
    AtomicReference<String> pending() {
        return pending;
    }

    /** Whether a switchover asked this run to stop its forward apply (sub-step 5). */
    boolean switchoverRequested() {
        return switchoverRequested;
    }
}

package io.tideway.engine;

import io.tideway.core.spi.CheckResult;
import java.util.List;

/** What the engine tells its caller (the CLI today, the console tomorrow) while it works. */
public interface ProgressListener {
    default void stepStarted(String step) { }

    default void stepFinished(String step, String summary) { }

    default void progress(Progress.Snapshot snapshot) { }

    default void precheck(List<CheckResult> results) { }

    default void info(String message) { }

    default void incremental(io.tideway.engine.incremental.IncrementalStep.Status status) { }

    default void warn(String message) { }

    ProgressListener NONE = new ProgressListener() { };
}

package io.tideway.core.change;

import java.util.List;

/**
 * Receives captured changes in log order, a batch at a time. When {@link #accept} returns, the
 * batch is durable (spooled): only then may the capture move its saved offsets past it.
 */
public interface CaptureSink {
    void accept(List<ChangeEvent> batch) throws InterruptedException;
}

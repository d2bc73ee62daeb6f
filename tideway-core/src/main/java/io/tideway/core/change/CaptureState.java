package io.tideway.core.change;

import java.util.List;
import java.util.Map;

/**
 * Where a capture keeps what it must find again after a restart: its log offsets (opaque
 * key/value maps, one per source partition) and its schema history (records appended in order).
 * Tideway keeps them in the MetaDB, never in a temporary file. Writes are durable when they return.
 */
public interface CaptureState {
    /** The offsets saved last, by partition key; empty before the first save. */
    Map<String, String> loadOffsets();

    /** Replaces the saved offsets of the given partitions. */
    void saveOffsets(Map<String, String> offsets);

    /** The schema history records, oldest first. */
    List<String> loadHistory();

    void appendHistory(String record);
}

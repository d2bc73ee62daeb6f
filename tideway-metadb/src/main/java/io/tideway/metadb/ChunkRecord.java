package io.tideway.metadb;

import io.tideway.core.model.KeyRange;

/**
 * One key-range chunk of a table's full copy.
 *
 * @param state {@link Checkpoints#PENDING}, {@link Checkpoints#STARTED} or {@link Checkpoints#DONE}
 * @param rows rows written (0 until DONE)
 * @param bytes bytes written (0 until DONE)
 */
public record ChunkRecord(int chunkNo, KeyRange range, String state, long rows, long bytes) { }

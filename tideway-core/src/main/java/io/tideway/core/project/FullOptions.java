package io.tideway.core.project;

import io.tideway.core.model.ZeroDates;

/**
 * Options of the full-copy step.
 *
 * @param parallelism chunks copied at once across all tables
 * @param chunkSize rows per key-range chunk
 * @param throttleRowsPerSecond 0 = unlimited
 * @param throttleMegabytesPerSecond 0 = unlimited
 * @param zeroDates what MySQL zero dates become (in the full copy, the incremental apply and the verification)
 */
public record FullOptions(
        int parallelism, int chunkSize, long throttleRowsPerSecond, double throttleMegabytesPerSecond,
        ZeroDates zeroDates) {

    public static final int DEFAULT_PARALLELISM = 4;
    public static final int DEFAULT_CHUNK_SIZE = 50_000;
    public static final FullOptions DEFAULT =
            new FullOptions(DEFAULT_PARALLELISM, DEFAULT_CHUNK_SIZE, 0, 0, ZeroDates.DEFAULT);

    public FullOptions {
        zeroDates = zeroDates == null ? ZeroDates.DEFAULT : zeroDates;
    }
}

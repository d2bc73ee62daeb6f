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

    /** The default of {@code parallelism}: {@link #defaultParallelism(int)} of this machine's cores. */
    public static final int DEFAULT_PARALLELISM = defaultParallelism(Runtime.getRuntime().availableProcessors());
    public static final int DEFAULT_CHUNK_SIZE = 50_000;
    public static final FullOptions DEFAULT =
            new FullOptions(DEFAULT_PARALLELISM, DEFAULT_CHUNK_SIZE, 0, 0, ZeroDates.DEFAULT);

    public FullOptions {
        zeroDates = zeroDates == null ? ZeroDates.DEFAULT : zeroDates;
    }

    /**
     * Chunks copied at once when the project does not say: one per core of the machine Tideway
     * runs on, at least 2 (one chunk is read while another is written) and at most 4 (the
     * databases, not Tideway, do most of the work, and a source in production serves its
     * application meanwhile). On a machine whose cores Tideway shares with the databases, more
     * workers than cores only take CPU from the servers (docs/BENCHMARKS.md).
     */
    public static int defaultParallelism(int cores) {
        return Math.max(2, Math.min(4, cores));
    }
}

package io.tideway.core.spi;

import java.util.Objects;

/**
 * A summary of a key range's rows computed inside the database: how many there are and an
 * order-independent hash of their values. Two databases of the same family holding the same rows
 * in tables of the same column types give equal checksums; a difference in any value changes the
 * hash (with the odds of a 128-bit hash collision). Checksums of different families are not
 * comparable.
 *
 * @param rows the number of rows in the range
 * @param hash the aggregate hash, as the dialect renders it
 */
public record ChunkChecksum(long rows, String hash) {
    public ChunkChecksum {
        Objects.requireNonNull(hash, "hash");
    }
}

package io.tideway.core.spi;

/** What a write did: rows and the bytes of the encoded stream sent to the server. */
public record WriteResult(long rows, long bytes) { }

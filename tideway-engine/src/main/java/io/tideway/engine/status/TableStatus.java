package io.tideway.engine.status;

/**
 * One source table of a project and its full copy.
 *
 * @param state PENDING, CREATED, STARTED, DONE, ...
 * @param estimatedRows the source's estimate when the copy was planned
 */
public record TableStatus(String source, String destination, String state, long estimatedRows, long rowsDone, long bytesDone) { }

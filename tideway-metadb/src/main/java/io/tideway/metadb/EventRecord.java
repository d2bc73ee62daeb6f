package io.tideway.metadb;

import java.time.Instant;

/**
 * One entry of a project's event log.
 *
 * @param step null when the event belongs to no step
 */
public record EventRecord(long id, long projectId, Instant at, String level, String step, String message) { }

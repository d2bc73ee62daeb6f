package io.tideway.metadb;

import java.time.Instant;

/**
 * One entry of a project's event log.
 *
 * @param step null when the event belongs to no step
 * @param who who caused it (an OS or server user); null for the engine's own events
 */
public record EventRecord(long id, long projectId, Instant at, String level, String step, String message, String who) { }

package io.tideway.metadb;

import java.time.Instant;

/**
 * The state of one step of a project.
 *
 * @param state {@link Projects#NOT_STARTED} when the step has no row yet, else what the engine set
 * @param startedAt when the step first became RUNNING; null before
 * @param finishedAt when it last became COMPLETED or FAILED; null while it runs or before
 * @param error the error of the last failure; null otherwise
 * @param progressJson the engine's last progress document; null before any
 */
public record StepRecord(
        long projectId, String step, String state, Instant startedAt, Instant finishedAt, String error,
        String progressJson) { }

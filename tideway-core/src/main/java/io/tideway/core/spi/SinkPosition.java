package io.tideway.core.spi;

import java.util.Objects;

/**
 * How far a sink's destination holds a project direction's changes: the place its Connector
 * resumes reading from, and what that place is in the source's log. Stored by the sink with the
 * data it covers.
 *
 * @param resumeFrom where the Connector reads on from, in its reader's own terms (opaque to the
 *     sink): for the local spool {@code SEGMENT:OFFSET}; for a Kafka Connect sink task its topic offsets
 * @param sourcePosition the source log position of the last change covered, or null
 * @param sourceMillis the source commit time of the newest change covered (0: none)
 * @param changes how many changes were applied up to here (for display)
 */
public record SinkPosition(String resumeFrom, String sourcePosition, long sourceMillis, long changes) {
    public SinkPosition {
        Objects.requireNonNull(resumeFrom, "resumeFrom");
    }
}

package io.tideway.engine.status;

import java.util.Map;

/**
 * One step of a project.
 *
 * @param step the step's id (schema, full, incremental, verify, reverse)
 * @param state its state
 * @param progress done/total, rate and ETA where the step counts rows or changes; null before it reported any
 * @param figures the step's last progress document as it reported it (e.g. lagMillis, eventsApplied,
 *                capturePosition of the incremental step); empty before it reported any
 * @param error why it failed, or null
 * @param skipReason why the user skipped it, or null
 */
public record StepStatus(String step, String state, Progress progress, Map<String, Object> figures, String error,
                         String skipReason) {

    /**
     * How far a step is.
     *
     * @param unit what is counted: "rows" (full copy, verify) or "changes" (incremental; total unknown)
     * @param done how many are done
     * @param total how many in all, or null when unknown
     * @param perSecond the recent rate, or null when unknown
     * @param etaSeconds the time left at that rate, or null when unknown
     */
    public record Progress(String unit, long done, Long total, Double perSecond, Long etaSeconds) { }
}

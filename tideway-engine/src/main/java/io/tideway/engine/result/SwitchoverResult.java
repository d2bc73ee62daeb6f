package io.tideway.engine.result;

import java.util.List;
import java.util.Map;

/**
 * What a switchover ({@code tideway switchover}) did: its sub-steps as recorded, and its report.
 *
 * @param subSteps the sub-steps in order with their state
 * @param report the figures of sub-step 8's report (positions, lag, write freeze); empty when it was skipped
 * @param lines the report as the CLI prints it
 */
public record SwitchoverResult(String project, List<SubStep> subSteps, Map<String, Object> report, List<String> lines) {

    /** One sub-step; times are ISO-8601 texts, null when not reached. */
    public record SubStep(int number, String name, String state, String startedAt, String finishedAt, String error) { }
}

package io.tideway.engine.result;

/**
 * What one step did in a run.
 *
 * @param step the step's id
 * @param outcome COMPLETED, STOPPED (the incremental step: it ends when the run ends), ALREADY_COMPLETED,
 *                SKIPPED (by the user) or DIFFERENCES (verify found rows differing; the sync goes on)
 * @param summary one line on what it did
 */
public record StepResult(String step, String outcome, String summary) {
    public static final String COMPLETED = "COMPLETED";
    public static final String STOPPED = "STOPPED";
    public static final String ALREADY_COMPLETED = "ALREADY_COMPLETED";
    public static final String SKIPPED = "SKIPPED";
    public static final String DIFFERENCES = "DIFFERENCES";

    /** "step: summary", as the CLI prints it. */
    public String line() {
        return step + ": " + summary;
    }
}

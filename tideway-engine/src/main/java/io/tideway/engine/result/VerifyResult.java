package io.tideway.engine.result;

import io.tideway.engine.verify.VerificationReport;
import java.util.Map;

/**
 * What a verification ({@code tideway verify}) found, with its exit status.
 *
 * @param status EQUAL, DIFFERENT or UNCONFIRMED (rows found different while the sync was behind)
 * @param exitCode the CLI's exit code for it: 0 equal, 1 different, 3 not confirmed (2 is an error, which is thrown)
 * @param summary one line on what was found (after the repair, if any)
 * @param directory where report.json and the correction SQL files are
 * @param correctionSql the correction SQL file of each table that has one, by source table
 * @param report the report as stored in the MetaDB
 */
public record VerifyResult(String project, Status status, int exitCode, String summary, String directory,
                           Map<String, String> correctionSql, VerificationReport report) {

    /** How a verification ended. */
    public enum Status {
        EQUAL(0), DIFFERENT(1), UNCONFIRMED(3);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}

package io.tideway.engine.verify;

import java.time.Instant;
import java.util.List;

/**
 * What a verification found, table by table.
 *
 * @param inFlight null when every difference listed is confirmed; else the rows still found
 *     different when the rounds of reading them again ended were not confirmed, because the sync
 *     beside the verification was then this far behind (changes in flight may account for them)
 */
public record VerifyReport(String project, Instant startedAt, Instant finishedAt, List<TableReport> tables, List<String> warnings,
                           InFlight inFlight) {
    public VerifyReport {
        tables = List.copyOf(tables);
        warnings = List.copyOf(warnings);
    }

    /**
     * The sync beside a verification as the last round of reading differing rows again found it.
     *
     * @param lagMillis its lag (-1 unknown)
     * @param state its step's state (RUNNING or PAUSED: not under its lag threshold)
     */
    public record InFlight(long lagMillis, String state) {
        public String describe() {
            return "PAUSED".equals(state) ? "the sync is paused (`tideway resume`)"
                    : lagMillis < 0 ? "the sync's lag is over its threshold"
                    : String.format("the sync's lag is %.1f s, over its threshold", lagMillis / 1000.0);
        }
    }

    public boolean equal() {
        return tables.stream().allMatch(TableReport::equal);
    }

    /** Whether rows were found different that could not be confirmed (the sync lagged): run again when the lag is low. */
    public boolean unconfirmed() {
        return inFlight != null && !equal();
    }

    public long sourceRows() {
        return tables.stream().mapToLong(TableReport::sourceRows).sum();
    }

    public long differences() {
        return tables.stream().mapToLong(t -> t.differences().size() + t.unlisted()).sum();
    }

    /** One line: rows, tables, and what differs. */
    public String summary() {
        long differing = tables.stream().filter(t -> !t.equal()).count();
        double secs = Math.max(0.001, (finishedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0);
        String head = String.format("%,d rows in %d tables compared in %.1f s", sourceRows(), tables.size(), secs);
        if (equal()) {
            return head + ": source and destination hold the same rows";
        }
        long missing = tables.stream().mapToLong(t -> t.count(Difference.Kind.MISSING)).sum();
        long extra = tables.stream().mapToLong(t -> t.count(Difference.Kind.EXTRA)).sum();
        long different = tables.stream().mapToLong(t -> t.count(Difference.Kind.DIFFERENT)).sum();
        long unlisted = tables.stream().mapToLong(TableReport::unlisted).sum();
        long n = differences();
        if (unconfirmed()) {
            return head + String.format(": %,d %s in %d %s not confirmed: changes in flight (%s); run again when the lag is low",
                    n, n == 1 ? "row" : "rows", differing, differing == 1 ? "table" : "tables", inFlight.describe());
        }
        return head + String.format(": %,d %s in %d %s (%,d missing, %,d extra, %,d different%s)", n, n == 1 ? "row differs" : "rows differ",
                differing, differing == 1 ? "table" : "tables", missing, extra, different,
                unlisted > 0 ? String.format(", %,d more not listed", unlisted) : "");
    }
}

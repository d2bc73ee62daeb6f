package io.tideway.engine.verify;

import java.time.Instant;
import java.util.List;

/** What a verification found, table by table. */
public record VerifyReport(String project, Instant startedAt, Instant finishedAt, List<TableReport> tables, List<String> warnings) {
    public VerifyReport {
        tables = List.copyOf(tables);
        warnings = List.copyOf(warnings);
    }

    public boolean equal() {
        return tables.stream().allMatch(TableReport::equal);
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
        return head + String.format(": %,d %s in %d %s (%,d missing, %,d extra, %,d different%s)", n, n == 1 ? "row differs" : "rows differ",
                differing, differing == 1 ? "table" : "tables", missing, extra, different,
                unlisted > 0 ? String.format(", %,d more not listed", unlisted) : "");
    }
}

package io.tideway.engine.verify;

import java.util.List;

/**
 * What the verification of one table found.
 *
 * @param source the source table, schema.table
 * @param destination the destination table, schema.table
 * @param keyed false for a table without a key (compared as a multiset of whole rows)
 * @param sourceRows source rows compared
 * @param destinationRows destination rows compared
 * @param chunks key-range chunks planned; {@code chunksCompared} of them were compared (fewer when sampling)
 * @param chunksEqualByChecksum chunks found equal by their checksums alone (no row read)
 * @param matchedAcrossChunks rows that the two sides placed in different chunks (their key orders
 *     differently there), matched by key across chunks
 * @param excludedColumns source columns left out of the comparison
 * @param differences the rows that differ, confirmed by reading them again
 * @param unlisted further rows found different, beyond the limit of rows listed per table (not read again)
 * @param unconfirmed the differences are not confirmed: they still differed when the rounds of reading
 *     them again ended, with the sync beside the verification behind (see {@link VerifyReport#inFlight})
 */
public record TableReport(String source, String destination, boolean keyed, long sourceRows, long destinationRows, int chunks,
                          int chunksCompared, int chunksEqualByChecksum, long matchedAcrossChunks, List<String> excludedColumns,
                          List<Difference> differences, long unlisted, boolean unconfirmed) {

    public TableReport {
        excludedColumns = List.copyOf(excludedColumns);
        differences = List.copyOf(differences);
    }

    public long count(Difference.Kind kind) {
        return differences.stream().filter(d -> d.kind() == kind).count();
    }

    public boolean equal() {
        return differences.isEmpty() && unlisted == 0;
    }

    /** "shop.orders: 1,234 rows compared, equal" or "..., 1 missing, 2 extra, 3 different". */
    public String summary() {
        StringBuilder b = new StringBuilder(source);
        if (!source.equals(destination)) {
            b.append(" -> ").append(destination);
        }
        b.append(String.format(": %,d rows compared", sourceRows));
        if (chunksCompared < chunks) {
            b.append(String.format(" (%d of %d chunks sampled)", chunksCompared, chunks));
        }
        if (equal()) {
            return b.append(", equal").toString();
        }
        b.append(String.format(", %,d missing, %,d extra, %,d different", count(Difference.Kind.MISSING), count(Difference.Kind.EXTRA),
                count(Difference.Kind.DIFFERENT)));
        if (unlisted > 0) {
            b.append(String.format(", %,d more not listed", unlisted));
        }
        if (unconfirmed) {
            b.append(": not confirmed, changes in flight");
        }
        return b.toString();
    }
}

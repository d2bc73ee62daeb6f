package io.tideway.engine.verify;

import java.util.ArrayList;
import java.util.List;

/** What one chunk (or one whole keyless table) showed, merged into its table once complete. */
final class ChunkOutcome {
    final TableState table;
    long sourceRows;
    long destinationRows;
    long progressRows;
    boolean equalByChecksum;
    final List<RowSig> sourceOnly = new ArrayList<>();
    final List<RowSig> destinationOnly = new ArrayList<>();
    final List<RowSig> different = new ArrayList<>();
    List<Difference> keyless;
    long keylessUnlisted;

    ChunkOutcome(TableState table) {
        this.table = table;
    }
}

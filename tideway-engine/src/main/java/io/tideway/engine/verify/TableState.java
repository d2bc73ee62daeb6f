package io.tideway.engine.verify;

import io.tideway.engine.Progress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One table's figures and the rows it still has to look at. */
final class TableState {
    final TablePlan plan;
    final Progress.TableProgress tp;
    final int chunks;
    final int chunksCompared;
    final AtomicInteger remaining;
    final AtomicLong sourceRows = new AtomicLong();
    final AtomicLong destinationRows = new AtomicLong();
    final AtomicInteger chunksEqualByChecksum = new AtomicInteger();
    private final Map<String, RowSig> pendingSource = new HashMap<>();
    private final Map<String, RowSig> pendingDestination = new HashMap<>();
    /** Keys found different, by canonical key text; read again before they are reported. */
    Map<String, List<Object>> candidates = new LinkedHashMap<>();
    List<Difference> differences = List.of();
    long unlisted;
    long matchedAcrossChunks;

    TableState(TablePlan plan, Progress.TableProgress tp, int chunks, int chunksCompared) {
        this.plan = plan;
        this.tp = tp;
        this.chunks = chunks;
        this.chunksCompared = chunksCompared;
        this.remaining = new AtomicInteger(chunksCompared);
    }

    synchronized void apply(ChunkOutcome o) {
        sourceRows.addAndGet(o.sourceRows);
        destinationRows.addAndGet(o.destinationRows);
        if (o.equalByChecksum) {
            chunksEqualByChecksum.incrementAndGet();
        }
        if (o.keyless != null) {
            differences = o.keyless;
            unlisted += o.keylessUnlisted;
        }
        for (RowSig s : o.different) {
            candidate(s);
        }
        for (RowSig s : o.sourceOnly) {
            unmatched(s, pendingSource, pendingDestination);
        }
        for (RowSig d : o.destinationOnly) {
            unmatched(d, pendingDestination, pendingSource);
        }
    }

    /**
     * A row seen on one side only. When the key sorts alike on both sides it is a candidate at
     * once; otherwise its twin may come with another chunk, so it waits for it.
     */
    private void unmatched(RowSig r, Map<String, RowSig> mine, Map<String, RowSig> theirs) {
        if (plan.portableOrder()) {
            candidate(r);
            return;
        }
        RowSig twin = theirs.remove(r.keyText());
        if (twin != null) {
            matchedAcrossChunks++;
            if (!twin.sameValues(r)) {
                candidate(r);
            }
        } else if (mine.size() + theirs.size() >= Verifier.MAX_PENDING) {
            candidate(r);
        } else {
            mine.put(r.keyText(), r);
        }
    }

    private void candidate(RowSig r) {
        if (candidates.containsKey(r.keyText())) {
            return;
        }
        if (candidates.size() < Verifier.MAX_LISTED) {
            candidates.put(r.keyText(), r.key());
        } else {
            unlisted++;
        }
    }

    synchronized void finishPending() {
        pendingSource.values().forEach(this::candidate);
        pendingDestination.values().forEach(this::candidate);
        pendingSource.clear();
        pendingDestination.clear();
    }
}

package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeBatch;
import io.tideway.core.change.ChangeBatch.Keyed;
import io.tideway.core.change.ChangeBatch.Keyless;
import io.tideway.core.change.ChangeBatch.TableChanges;
import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batch the Connector builds from the spool, compacted per row key: the last image of each key
 * wins (an upsert of the after image, or a delete); an update that changes the key deletes the old
 * key. Replaying changes the full copy already saw therefore converges to the source's state. A
 * table without a key keeps every change, in order. It also estimates the heap the batch takes
 * ({@link #heapBytes()}), which bounds a batch besides its number of changes.
 */
final class SpoolBatch {
    /** A kept key's map entry (with the table's slot) and its {@link Keyed}, without the key and the row. */
    private static final int ENTRY_BYTES = 48 + 24;

    private final Map<TableId, Table> destinations = new LinkedHashMap<>();
    private final Map<TableId, LinkedHashMap<String, Keyed>> keyed = new LinkedHashMap<>();
    private final Map<TableId, List<Keyless>> keyless = new LinkedHashMap<>();
    /** Per table without a key: the position of its last change in the batch. */
    private final Map<TableId, String> keylessUpTo = new LinkedHashMap<>();
    private long heapBytes;

    /** Adds a change of a table with a row key ({@code dt}), its rows in {@code dt}'s column order. */
    void keyed(TableId source, Table dt, ChangeEvent.Op op, Object[] before, Object[] after) {
        destinations.put(source, dt);
        LinkedHashMap<String, Keyed> byKey = keyed.computeIfAbsent(source, k -> new LinkedHashMap<>());
        switch (op) {
            case INSERT -> put(byKey, KeyOrder.keyOf(dt, after), new Keyed(false, after));
            case UPDATE -> {
                String newKey = KeyOrder.keyOf(dt, after);
                if (before != null) {
                    String oldKey = KeyOrder.keyOf(dt, before);
                    if (!oldKey.equals(newKey)) {
                        put(byKey, oldKey, new Keyed(true, before));
                    }
                }
                put(byKey, newKey, new Keyed(false, after));
            }
            case DELETE -> put(byKey, KeyOrder.keyOf(dt, before), new Keyed(true, before));
            default -> { }
        }
    }

    /** Adds a change of a table without a row key, at {@code position} in the log. */
    void keyless(TableId source, Table dt, ChangeEvent.Op op, Object[] before, Object[] after, String position) {
        destinations.put(source, dt);
        keylessUpTo.put(source, position);
        keyless.computeIfAbsent(source, k -> new ArrayList<>()).add(new Keyless(op, before, after));
        heapBytes += 32 + heapBytes(before) + heapBytes(after);
    }

    private void put(LinkedHashMap<String, Keyed> byKey, String key, Keyed entry) {
        Keyed old = byKey.remove(key);   // keep insertion order = order of the last change
        byKey.put(key, entry);
        heapBytes += old == null ? ENTRY_BYTES + 40 + key.length() + heapBytes(entry.row())
                : heapBytes(entry.row()) - heapBytes(old.row());
    }

    /** Estimated heap bytes of the rows the batch keeps (see {@link Applier.BatchLimits}). */
    long heapBytes() {
        return heapBytes;
    }

    boolean isEmpty() {
        return keyed.isEmpty() && keyless.isEmpty();
    }

    /** The batch as the sink takes it. */
    ChangeBatch toBatch() {
        List<TableChanges> out = new ArrayList<>();
        for (var e : destinations.entrySet()) {
            LinkedHashMap<String, Keyed> k = keyed.get(e.getKey());
            List<Keyless> l = keyless.get(e.getKey());
            out.add(new TableChanges(e.getKey(), e.getValue(), k == null ? List.of() : new ArrayList<>(k.values()),
                    l == null ? List.of() : l, keylessUpTo.get(e.getKey())));
        }
        return new ChangeBatch(out);
    }

    void clear() {
        destinations.clear();
        keyed.clear();
        keyless.clear();
        keylessUpTo.clear();
        heapBytes = 0;
    }

    /**
     * About how many bytes of heap a decoded row takes: the array and each value's object (strings
     * counted at a byte a character, as the JVM keeps Latin-1 text). An estimate for sizing batches,
     * not an accounting.
     */
    static long heapBytes(Object[] row) {
        if (row == null) {
            return 0;
        }
        long n = 16 + 4L * row.length;
        for (Object v : row) {
            if (v == null) {
                continue;
            }
            if (v instanceof String s) {
                n += 40 + s.length();
            } else if (v instanceof byte[] b) {
                n += 16 + b.length;
            } else if (v instanceof BigDecimal d) {
                n += 72 + d.unscaledValue().bitLength() / 8;
            } else if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
                n += 16;
            } else {
                n += 48;   // dates and times, UUIDs, other objects: a few fields each
            }
        }
        return n;
    }
}

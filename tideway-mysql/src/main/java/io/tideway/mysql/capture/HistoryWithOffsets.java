package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A capture's {@link CaptureState} as its offset store and schema history use it: history records
 * are held in memory and written just before the next offsets, never on their own.
 *
 * <p>The connector writes the tables' definitions to the history while its schema snapshot holds
 * the source server's global read lock (FLUSH TABLES WITH READ LOCK, which keeps the snapshot's
 * binlog position and the definitions it reads consistent). A MetaDB on the same server would block
 * on that lock, and the snapshot on the MetaDB: they would wait for each other until the capture's
 * start timed out. Held until the next offsets, the records are written when offsets are saved:
 * after the snapshot, or, for offsets saved while the snapshot still holds the lock, once it
 * releases it (it goes on without waiting for them). A restart still finds every record its saved
 * offsets rely on; records without offsets after them come again from the binlog or from a new
 * snapshot.
 */
final class HistoryWithOffsets implements CaptureState {
    private final CaptureState state;
    private final List<String> held = new ArrayList<>();

    HistoryWithOffsets(CaptureState state) {
        this.state = state;
    }

    @Override
    public Map<String, String> loadOffsets() {
        return state.loadOffsets();
    }

    @Override
    public void saveOffsets(Map<String, String> offsets) {
        writeHeld();
        state.saveOffsets(offsets);
    }

    @Override
    public List<String> loadHistory() {
        List<String> out = new ArrayList<>(state.loadHistory());
        synchronized (held) {
            out.addAll(held);
        }
        return out;
    }

    @Override
    public void appendHistory(String record) {
        synchronized (held) {
            held.add(record);
        }
    }

    /** Writes the held records in order; a record stays held until it is written. */
    private void writeHeld() {
        synchronized (held) {
            while (!held.isEmpty()) {
                state.appendHistory(held.get(0));
                held.remove(0);
            }
        }
    }
}

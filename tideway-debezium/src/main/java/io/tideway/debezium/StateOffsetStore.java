package io.tideway.debezium;

import io.tideway.core.change.CaptureState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * The embedded engine's offset store, kept in the capture's {@link CaptureState} (which Tideway backs
 * with its MetaDB). The engine instantiates it by class name; the state is found in
 * {@link CaptureStates} by the id in the engine property {@value CaptureStates#ID_PROPERTY}.
 *
 * <p>Format (read back by running installations, so kept as it is): one entry per source partition,
 * the key the engine's JSON text of the partition map, the value its JSON text of the offset map, both
 * stored as they are (UTF-8 text), so the saved offsets stay readable. A save returns once the state
 * has it durably, and the engine saves only offsets of records the capture marked processed.
 */
public final class StateOffsetStore extends MemoryOffsetBackingStore {
    private CaptureState state;

    /** The store the engine makes (by class name), given its state by {@link #configure}. */
    public StateOffsetStore() {
    }

    /** A store of this state, without the engine's configuration (tests). */
    StateOffsetStore(CaptureState state) {
        this.state = state;
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        state = CaptureStates.get(config.originalsStrings().get(CaptureStates.ID_PROPERTY));
    }

    @Override
    public synchronized void start() {
        super.start();
        for (Map.Entry<String, String> e : state.loadOffsets().entrySet()) {
            data.put(bytes(e.getKey()), bytes(e.getValue()));
        }
    }

    @Override
    protected void save() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
                out.put(text(e.getKey()), text(e.getValue()));
            }
        }
        state.saveOffsets(out);
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    /** The offsets held now, as the engine reads them (for tests and diagnostics). */
    public Map<String, String> snapshot() {
        Map<String, String> out = new HashMap<>();
        data.forEach((k, v) -> out.put(text(k), v == null ? null : text(v)));
        return out;
    }

    private static ByteBuffer bytes(String s) {
        return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }
}

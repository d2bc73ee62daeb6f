package io.tideway.mysql.capture;

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
 * Kafka Connect offset store backed by a {@link CaptureState} (Tideway's MetaDB). Keys and values
 * are the engine's JSON-serialized partition and offset maps, stored as UTF-8 text. A write
 * returns once the state has it, and the engine writes only offsets of records the sink accepted.
 */
public final class StateOffsetBackingStore extends MemoryOffsetBackingStore {
    private CaptureState state;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        state = CaptureRegistry.get(config.originalsStrings().get(CaptureRegistry.ID_PROPERTY));
    }

    @Override
    public synchronized void start() {
        super.start();
        for (Map.Entry<String, String> e : state.loadOffsets().entrySet()) {
            data.put(bytes(e.getKey()), e.getValue() == null ? null : bytes(e.getValue()));
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

    /** The saved offsets as the engine reads them (for tests and diagnostics). */
    Map<String, String> snapshot() {
        Map<String, String> out = new HashMap<>();
        data.forEach((k, v) -> out.put(text(k), v == null ? null : text(v)));
        return out;
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }
}

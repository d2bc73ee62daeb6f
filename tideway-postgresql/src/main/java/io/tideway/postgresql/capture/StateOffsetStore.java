package io.tideway.postgresql.capture;

import io.tideway.core.change.CaptureState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * The engine's offset store, kept in the capture's {@link CaptureState} (which Tideway backs with its
 * MetaDB). The engine instantiates it by class name; the state is found in {@link #REGISTRY} by the id
 * passed in the engine property {@value #STATE_ID}. Keys and values are the engine's JSON texts (UTF-8),
 * stored as they are, so the saved offsets stay readable. A save returns once the state has it durably.
 */
public final class StateOffsetStore extends MemoryOffsetBackingStore {
    /** The engine property naming the registered state. */
    public static final String STATE_ID = "tideway.capture.state.id";

    static final Map<String, CaptureState> REGISTRY = new ConcurrentHashMap<>();

    private CaptureState state;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Object id = config.originals().get(STATE_ID);
        state = id == null ? null : REGISTRY.get(id.toString());
        if (state == null) {
            throw new IllegalStateException("no capture state registered under " + STATE_ID + "=" + id);
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        for (Map.Entry<String, String> e : state.loadOffsets().entrySet()) {
            data.put(buffer(e.getKey()), buffer(e.getValue()));
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

    private static ByteBuffer buffer(String s) {
        return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

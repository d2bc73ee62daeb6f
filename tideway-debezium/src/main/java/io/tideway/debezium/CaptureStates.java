package io.tideway.debezium;

import io.tideway.core.change.CaptureState;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a running capture's {@link CaptureState} to the parts the embedded engine instantiates by
 * class name (the offset store, a schema history): the engine's properties carry only an id.
 */
public final class CaptureStates {
    /** The engine property naming the registry entry (offset store: worker config; a schema history: its prefixed copy). */
    public static final String ID_PROPERTY = "tideway.capture.id";

    private static final Map<String, CaptureState> STATES = new ConcurrentHashMap<>();

    private CaptureStates() { }

    /** Registers the state under a fresh id, which the engine's properties then carry in {@link #ID_PROPERTY}. */
    public static String register(CaptureState state) {
        String id = UUID.randomUUID().toString();
        STATES.put(id, state);
        return id;
    }

    public static void unregister(String id) {
        if (id != null) {
            STATES.remove(id);
        }
    }

    public static CaptureState get(String id) {
        CaptureState s = id == null ? null : STATES.get(id);
        if (s == null) {
            throw new TidewayException(ErrorCode.INTERNAL, "no capture state is registered under id '" + id + "'");
        }
        return s;
    }
}

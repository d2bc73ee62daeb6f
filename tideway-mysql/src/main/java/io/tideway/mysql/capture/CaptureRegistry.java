package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureState;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a running capture's {@link CaptureState} to the offset store and schema history that the
 * embedded engine instantiates by class name: the engine's properties carry only an id.
 */
final class CaptureRegistry {
    /** The engine property naming the registry entry (offset store: worker config; history: its prefixed copy). */
    static final String ID_PROPERTY = "tideway.capture.id";

    private static final Map<String, CaptureState> STATES = new ConcurrentHashMap<>();

    private CaptureRegistry() { }

    static void register(String id, CaptureState state) {
        STATES.put(id, state);
    }

    static void unregister(String id) {
        STATES.remove(id);
    }

    static CaptureState get(String id) {
        CaptureState s = id == null ? null : STATES.get(id);
        if (s == null) {
            throw new TidewayException(ErrorCode.INTERNAL, "no capture state is registered under id '" + id + "'");
        }
        return s;
    }
}

package io.tideway.engine.component;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.settings.Setting;
import io.tideway.engine.settings.ComponentSettings;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The kinds of running parts of a project. */
public enum ComponentKind {
    /** Change capture and spool of one direction. */
    STORE("store", true),
    /** Applies the spooled changes of one direction to its destination. */
    CONNECTOR("connector", true),
    /** The full copy of existing rows. */
    FULL_IMPORT("full-import", false),
    /** The verification. */
    CHECKER("checker", false);

    private final String id;
    private final boolean directed;

    ComponentKind(String id, boolean directed) {
        this.id = id;
        this.directed = directed;
    }

    /** As ids, the CLI and the settings tables spell it. */
    public String id() {
        return id;
    }

    /** Whether a project has one per direction (forward, and reverse after a switchover). */
    public boolean directed() {
        return directed;
    }

    /** The settings its configuration may hold. */
    public List<Setting<?>> settings() {
        return ComponentSettings.of(id);
    }

    public static ComponentKind fromId(String id) {
        for (ComponentKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "unknown component kind '" + id + "'; expected one of "
                + Arrays.stream(values()).map(ComponentKind::id).collect(Collectors.joining(", ")));
    }
}

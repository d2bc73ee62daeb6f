package io.tideway.engine.component;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.engine.incremental.Direction;
import java.util.Objects;

/**
 * The stable id of a component: {@code PROJECT.KIND} ({@code shop-to-pg.full-import},
 * {@code shop-to-pg.checker}) or, for a Store or Connector, {@code PROJECT.KIND.DIRECTION}
 * ({@code shop-to-pg.connector.forward}, {@code shop-to-pg.store.reverse}).
 *
 * @param direction null for a kind that is not {@link ComponentKind#directed()}
 */
public record ComponentId(String project, ComponentKind kind, Direction direction) {
    public ComponentId {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(kind, "kind");
        if (kind.directed() != (direction != null)) {
            throw new IllegalArgumentException("a " + kind.id() + (kind.directed() ? " needs" : " has no") + " direction");
        }
    }

    public static ComponentId of(String project, ComponentKind kind) {
        return new ComponentId(project, kind, null);
    }

    public static ComponentId of(String project, ComponentKind kind, Direction direction) {
        return new ComponentId(project, kind, direction);
    }

    /** Reads an id as {@link #toString} writes it; the error shows the expected forms. */
    public static ComponentId parse(String id) {
        String[] parts = id == null ? new String[0] : id.split("\\.");
        int n = parts.length;
        try {
            if (n >= 3 && directionOf(parts[n - 1]) != null) {
                ComponentKind k = ComponentKind.fromId(parts[n - 2]);
                return new ComponentId(String.join(".", java.util.Arrays.copyOf(parts, n - 2)), k, directionOf(parts[n - 1]));
            }
            if (n >= 2) {
                return new ComponentId(String.join(".", java.util.Arrays.copyOf(parts, n - 1)), ComponentKind.fromId(parts[n - 1]), null);
            }
        } catch (RuntimeException e) {
            // reported below with the expected forms
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "'" + id + "' is not a component id; expected PROJECT.store.forward,"
                + " PROJECT.connector.forward (or .reverse), PROJECT.full-import or PROJECT.checker");
    }

    private static Direction directionOf(String word) {
        for (Direction d : Direction.values()) {
            if (d.captureName().equals(word)) {
                return d;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return project + "." + kind.id() + (direction == null ? "" : "." + direction.captureName());
    }
}

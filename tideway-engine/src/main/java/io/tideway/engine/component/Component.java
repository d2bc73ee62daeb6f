package io.tideway.engine.component;

import java.time.Instant;

/**
 * A component as operators see it.
 *
 * @param node where it runs or last ran; null before its first start
 * @param position its position or checkpoint; null before it has one
 * @param figures its live figures (from its step's latest report)
 * @param config the configuration in force (the newest version)
 * @param updatedAt when its state last changed; null for a component not created yet
 */
public record Component(ComponentId id, ComponentState state, Node node, String position, Figures figures,
                        ComponentConfig config, Instant updatedAt) {

    public ComponentKind kind() {
        return id.kind();
    }

    /**
     * Live figures.
     *
     * @param count rows copied or compared, changes spooled or applied; -1 when unknown
     * @param unit what {@code count} counts
     * @param perSecond the latest rate of {@code count}; -1 when unknown
     * @param lagMillis the Connector's lag; -1 when unknown or not a Connector
     */
    public record Figures(long count, String unit, double perSecond, long lagMillis) {
        public static final Figures NONE = new Figures(-1, "", -1, -1);
    }
}

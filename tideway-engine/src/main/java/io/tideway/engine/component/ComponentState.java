package io.tideway.engine.component;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lifecycle of a component: configure, then start, then stop. {@link #next} is the one place
 * that says which transition is allowed from which state; everything else asks it.
 */
public enum ComponentState {
    /** Known from the project file, not yet created in the MetaDB. */
    NEW,
    /** Its configuration is read and validated; ready to start. */
    CONFIGURED,
    RUNNING,
    STOPPED,
    /** Ended by an error, or found RUNNING by a new run after the process that ran it died. */
    FAILED;

    /** What is done to a component. */
    public enum Transition {
        CONFIGURE(EnumSet.of(NEW, CONFIGURED, STOPPED, FAILED), CONFIGURED),
        START(EnumSet.of(CONFIGURED), RUNNING),
        STOP(EnumSet.of(RUNNING), STOPPED),
        FAIL(EnumSet.of(RUNNING), FAILED);

        private final Set<ComponentState> from;
        private final ComponentState to;

        Transition(Set<ComponentState> from, ComponentState to) {
            this.from = from;
            this.to = to;
        }

        /** The states it may be made from. */
        public Set<ComponentState> from() {
            return EnumSet.copyOf(from);
        }
    }

    /** The state after {@code t}; refused (naming the states it is allowed from) where it is not allowed. */
    public ComponentState next(Transition t) {
        if (!t.from.contains(this)) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot " + t.name().toLowerCase(java.util.Locale.ROOT)
                    + " a component that is " + this + " (only one that is "
                    + Arrays.stream(values()).filter(t.from::contains).map(Enum::name).collect(Collectors.joining(" or ")) + ")");
        }
        return t.to;
    }

    public boolean allows(Transition t) {
        return t.from.contains(this);
    }
}

package io.tideway.core.project;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The states of a project and of its steps, and the transitions allowed between them. This is the
 * one place that owns them: the MetaDB refuses any other transition (see {@link #check}). The
 * MetaDB stores {@link State#name()}, except that a project never run is stored as
 * {@value #CREATED}.
 *
 * <p>A state may be set again (a rerun after a crash finds its steps still RUNNING), but for RELEASED.
 */
public final class Lifecycle {
    /** How the MetaDB stores {@link State#NOT_STARTED} of a project (of a step it stores NOT_STARTED). */
    public static final String CREATED = "CREATED";

    public enum State {
        NOT_STARTED, RUNNING, PAUSED, FAILED, MONITORING, COMPLETED,
        /** Of a step only: the user marked it done without running it ({@code tideway skip}). */
        SKIPPED,
        /** Of a project only: {@code tideway release} is dropping what Tideway made on the source. */
        RELEASING,
        /** Of a project only: released; it cannot run again. */
        RELEASED;

        /** Reads a stored state ({@value Lifecycle#CREATED} is {@link #NOT_STARTED}); null reads as NOT_STARTED. */
        public static State of(String stored) {
            if (stored == null || CREATED.equals(stored)) {
                return NOT_STARTED;
            }
            try {
                return valueOf(stored);
            } catch (IllegalArgumentException e) {
                throw new TidewayException(ErrorCode.INTERNAL, "unknown state '" + stored + "' in the MetaDB; known: "
                        + EnumSet.allOf(State.class));
            }
        }

        /** Whether the step is done: COMPLETED or SKIPPED. */
        public boolean done() {
            return this == COMPLETED || this == SKIPPED;
        }

        /** Whether changes are being applied: RUNNING or MONITORING. */
        public boolean active() {
            return this == RUNNING || this == MONITORING;
        }
    }

    /** Whose state: a project's or a step's. */
    public enum Kind {
        PROJECT, STEP;

        String lower() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Map<State, Set<State>> PROJECT = new EnumMap<>(State.class);
    private static final Map<State, Set<State>> STEP = new EnumMap<>(State.class);

    static {
        // a project: run (again), fail, sync, finish; released from any state but RELEASED (the run lock guards a live run)
        PROJECT.put(State.NOT_STARTED, EnumSet.of(State.RUNNING, State.RELEASING));
        PROJECT.put(State.RUNNING, EnumSet.of(State.PAUSED, State.FAILED, State.MONITORING, State.COMPLETED, State.RELEASING));
        PROJECT.put(State.PAUSED, EnumSet.of(State.RUNNING, State.MONITORING, State.FAILED, State.RELEASING));
        PROJECT.put(State.FAILED, EnumSet.of(State.RUNNING, State.RELEASING));
        PROJECT.put(State.MONITORING, EnumSet.of(State.RUNNING, State.PAUSED, State.FAILED, State.COMPLETED, State.RELEASING));
        PROJECT.put(State.COMPLETED, EnumSet.of(State.RUNNING, State.RELEASING));
        PROJECT.put(State.SKIPPED, EnumSet.noneOf(State.class));
        PROJECT.put(State.RELEASING, EnumSet.of(State.RELEASED));
        PROJECT.put(State.RELEASED, EnumSet.noneOf(State.class));
        // a step: NOT_STARTED again when a run stops verifying, a full copy restarts, or the user retries a failure
        STEP.put(State.NOT_STARTED, EnumSet.of(State.RUNNING, State.SKIPPED));
        STEP.put(State.RUNNING, EnumSet.of(State.NOT_STARTED, State.PAUSED, State.FAILED, State.MONITORING, State.COMPLETED,
                State.SKIPPED));
        STEP.put(State.PAUSED, EnumSet.of(State.NOT_STARTED, State.RUNNING, State.MONITORING, State.FAILED, State.SKIPPED));
        STEP.put(State.FAILED, EnumSet.of(State.NOT_STARTED, State.RUNNING, State.PAUSED, State.SKIPPED));
        STEP.put(State.MONITORING, EnumSet.of(State.RUNNING, State.PAUSED, State.FAILED, State.COMPLETED));
        STEP.put(State.COMPLETED, EnumSet.of(State.RUNNING));   // verification is redone on every run
        STEP.put(State.SKIPPED, EnumSet.noneOf(State.class));
        STEP.put(State.RELEASING, EnumSet.noneOf(State.class));
        STEP.put(State.RELEASED, EnumSet.noneOf(State.class));
    }

    private Lifecycle() { }

    /** The states a project or step in {@code from} may go to (besides {@code from} itself). */
    public static Set<State> allowed(Kind kind, State from) {
        return Collections.unmodifiableSet((kind == Kind.PROJECT ? PROJECT : STEP).get(from));
    }

    public static boolean allows(Kind kind, State from, State to) {
        boolean same = from == to && from != State.RELEASED
                && (kind == Kind.PROJECT ? from != State.SKIPPED : from != State.RELEASING);
        return same || allowed(kind, from).contains(to);
    }

    /**
     * Refuses an illegal transition with a message naming {@code what} (e.g. "project shop" or
     * "step full of project shop"), the current state, the one asked and those allowed.
     */
    public static void check(Kind kind, String what, State from, State to) {
        if (!allows(kind, from, to)) {
            Set<State> ok = allowed(kind, from);
            throw new TidewayException(ErrorCode.CONFIG_INVALID, kind.lower() + " " + what + " is " + from + " and cannot become "
                    + to + "; from " + from + " it may only become " + (ok.isEmpty() ? "nothing else" : ok.stream()
                    .map(Enum::name).collect(Collectors.joining(", "))));
        }
    }
}

package io.tideway.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.Kind;
import io.tideway.core.project.Lifecycle.State;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void everyTransitionOutsideTheTableIsRefusedNamingWhoFromToAndWhatIsAllowed() {
        int refused = 0;
        for (Kind kind : Kind.values()) {
            for (State from : State.values()) {
                for (State to : State.values()) {
                    if (Lifecycle.allows(kind, from, to)) {
                        assertThatCode(() -> Lifecycle.check(kind, "shop", from, to)).doesNotThrowAnyException();
                        continue;
                    }
                    refused++;
                    assertThatThrownBy(() -> Lifecycle.check(kind, "shop", from, to))
                            .isInstanceOf(TidewayException.class)
                            .satisfies(e -> assertThat(((TidewayException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                            .hasMessageStartingWith(kind.name().toLowerCase() + " shop is " + from + " and cannot become " + to)
                            .hasMessageContaining("from " + from + " it may only become ");
                    for (State ok : Lifecycle.allowed(kind, from)) {
                        assertThatThrownBy(() -> Lifecycle.check(kind, "shop", from, to)).hasMessageContaining(ok.name());
                    }
                }
            }
        }
        assertThat(refused).isGreaterThan(100);
    }

    @Test
    void theProjectTableIsTheOneDocumented() {
        assertThat(Lifecycle.allowed(Kind.PROJECT, State.NOT_STARTED)).containsExactlyInAnyOrder(State.RUNNING, State.RELEASING);
        assertThat(Lifecycle.allowed(Kind.PROJECT, State.FAILED)).containsExactlyInAnyOrder(State.RUNNING, State.RELEASING);
        assertThat(Lifecycle.allowed(Kind.PROJECT, State.RELEASING)).containsExactly(State.RELEASED);
        assertThat(Lifecycle.allowed(Kind.PROJECT, State.RELEASED)).isEmpty();
        assertThat(Lifecycle.allows(Kind.PROJECT, State.RELEASED, State.RELEASED)).isFalse();
        // a project is never SKIPPED, a step never RELEASING/RELEASED
        for (State s : State.values()) {
            assertThat(Lifecycle.allows(Kind.PROJECT, s, State.SKIPPED)).isFalse();
            if (s != State.RELEASING) {
                assertThat(Lifecycle.allows(Kind.STEP, s, State.RELEASING)).isFalse();
            }
        }
    }

    @Test
    void aStepCanBeRetriedOnlyWhenFailedAndSkippedOnlyBeforeItIsDone() {
        Set<State> toNotStarted = EnumSet.noneOf(State.class);
        Set<State> toSkipped = EnumSet.noneOf(State.class);
        for (State s : State.values()) {
            if (s != State.NOT_STARTED && Lifecycle.allows(Kind.STEP, s, State.NOT_STARTED)) {
                toNotStarted.add(s);
            }
            if (s != State.SKIPPED && Lifecycle.allows(Kind.STEP, s, State.SKIPPED)) {
                toSkipped.add(s);
            }
        }
        // RUNNING and PAUSED go back to NOT_STARTED when a run stops verifying or restarts the full copy
        assertThat(toNotStarted).containsExactlyInAnyOrder(State.FAILED, State.RUNNING, State.PAUSED);
        assertThat(toSkipped).containsExactlyInAnyOrder(State.NOT_STARTED, State.RUNNING, State.PAUSED, State.FAILED);
        assertThatThrownBy(() -> Lifecycle.check(Kind.STEP, "full of project shop", State.COMPLETED, State.SKIPPED))
                .hasMessage("step full of project shop is COMPLETED and cannot become SKIPPED; from COMPLETED it may only become"
                        + " RUNNING");
    }

    @Test
    void storedStatesReadBackIncludingTheCreatedProject() {
        assertThat(State.of("CREATED")).isEqualTo(State.NOT_STARTED);
        assertThat(State.of(null)).isEqualTo(State.NOT_STARTED);
        for (State s : State.values()) {
            assertThat(State.of(s.name())).isEqualTo(s);
        }
        assertThatThrownBy(() -> State.of("DONE")).hasMessageContaining("unknown state 'DONE'");
    }
}

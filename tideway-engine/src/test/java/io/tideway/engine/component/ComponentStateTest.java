package io.tideway.engine.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.engine.component.ComponentState.Transition;
import io.tideway.engine.incremental.Direction;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentStateTest {

    @Test
    void a_component_is_configured_then_started_then_stopped_and_can_be_configured_again() {
        ComponentState s = ComponentState.NEW.next(Transition.CONFIGURE);
        assertThat(s).isEqualTo(ComponentState.CONFIGURED);
        s = s.next(Transition.START);
        assertThat(s).isEqualTo(ComponentState.RUNNING);
        s = s.next(Transition.STOP);
        assertThat(s).isEqualTo(ComponentState.STOPPED);
        assertThat(s.next(Transition.CONFIGURE)).isEqualTo(ComponentState.CONFIGURED);
        assertThat(ComponentState.RUNNING.next(Transition.FAIL).next(Transition.CONFIGURE)).isEqualTo(ComponentState.CONFIGURED);
    }

    @Test
    void every_transition_not_allowed_from_a_state_is_refused_naming_the_states_it_is_allowed_from() {
        Map<Transition, java.util.Set<ComponentState>> allowed = Map.of(
                Transition.CONFIGURE, java.util.EnumSet.of(ComponentState.NEW, ComponentState.CONFIGURED, ComponentState.STOPPED,
                        ComponentState.FAILED),
                Transition.START, java.util.EnumSet.of(ComponentState.CONFIGURED),
                Transition.STOP, java.util.EnumSet.of(ComponentState.RUNNING),
                Transition.FAIL, java.util.EnumSet.of(ComponentState.RUNNING));
        int refused = 0;
        for (Transition t : Transition.values()) {
            for (ComponentState s : ComponentState.values()) {
                if (allowed.get(t).contains(s)) {
                    assertThat(s.allows(t)).as(s + " allows " + t).isTrue();
                    continue;
                }
                refused++;
                assertThat(s.allows(t)).as(s + " allows " + t).isFalse();
                assertThatThrownBy(() -> s.next(t)).as(t + " from " + s)
                        .hasMessageContaining("cannot " + t.name().toLowerCase(java.util.Locale.ROOT) + " a component that is " + s)
                        .hasMessageContaining(allowed.get(t).iterator().next().name());
            }
        }
        assertThat(refused).as("illegal transitions checked").isEqualTo(4 * 5 - 7);
        assertThatThrownBy(() -> ComponentState.RUNNING.next(Transition.START)).hasMessageContaining("only one that is CONFIGURED");
    }

    @Test
    void ids_are_stable_and_read_back_even_when_the_project_name_has_dots() {
        assertThat(ComponentId.of("shop-to-pg", ComponentKind.CONNECTOR, Direction.FORWARD)).hasToString("shop-to-pg.connector.forward");
        assertThat(ComponentId.of("shop-to-pg", ComponentKind.STORE, Direction.REVERSE)).hasToString("shop-to-pg.store.reverse");
        assertThat(ComponentId.of("shop-to-pg", ComponentKind.FULL_IMPORT)).hasToString("shop-to-pg.full-import");
        for (String id : new String[] {"shop-to-pg.connector.forward", "shop-to-pg.store.reverse", "shop-to-pg.full-import",
                "shop-to-pg.checker", "shop.v2.checker", "shop.v2.connector.reverse"}) {
            assertThat(ComponentId.parse(id)).hasToString(id);
        }
        assertThat(ComponentId.parse("shop.v2.connector.reverse").project()).isEqualTo("shop.v2");
        assertThatThrownBy(() -> ComponentId.parse("shop-to-pg.connector")).hasMessageContaining("not a component id")
                .hasMessageContaining("PROJECT.connector.forward");
        assertThatThrownBy(() -> ComponentId.parse("shop-to-pg.applier.forward")).hasMessageContaining("not a component id");
        assertThatThrownBy(() -> ComponentId.parse("shop-to-pg.checker.forward")).hasMessageContaining("not a component id");
    }
}

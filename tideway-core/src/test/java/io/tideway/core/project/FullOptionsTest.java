package io.tideway.core.project;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FullOptionsTest {

    @Test
    void theDefaultParallelismIsTheCoresBetweenTwoAndFour() {
        assertThat(FullOptions.defaultParallelism(1)).isEqualTo(2);
        assertThat(FullOptions.defaultParallelism(2)).isEqualTo(2);
        assertThat(FullOptions.defaultParallelism(3)).isEqualTo(3);
        assertThat(FullOptions.defaultParallelism(4)).isEqualTo(4);
        assertThat(FullOptions.defaultParallelism(64)).isEqualTo(4);
    }

    @Test
    void aProjectWithoutFullSettingsGetsThisMachinesDefault() {
        assertThat(FullOptions.DEFAULT.parallelism())
                .isEqualTo(FullOptions.defaultParallelism(Runtime.getRuntime().availableProcessors()));
    }
}

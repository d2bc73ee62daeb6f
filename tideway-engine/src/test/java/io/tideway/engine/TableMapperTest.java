package io.tideway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableMapperTest {
    @Test
    void globsMatchWholeNamesCaseSensitively() {
        var p = TableMapper.compile("shop.ord*", "x");
        assertThat(p[0].matcher("shop").matches()).isTrue();
        assertThat(p[1].matcher("orders").matches()).isTrue();
        assertThat(p[1].matcher("Orders").matches()).isFalse();
        assertThat(p[1].matcher("my_orders").matches()).isFalse();
    }

    @Test
    void aPatternWithoutSchemaMeansTheDefaultSchema() {
        var p = TableMapper.compile("t?", "public");
        assertThat(p[0].matcher("public").matches()).isTrue();
        assertThat(p[1].matcher("t1").matches()).isTrue();
        assertThat(p[1].matcher("t12").matches()).isFalse();
    }

    @Test
    void regexCharactersInNamesAreLiteral() {
        var p = TableMapper.compile("a.b+c(d)", "x");
        assertThat(p[1].matcher("b+c(d)").matches()).isTrue();
        assertThat(p[1].matcher("bbc(d)").matches()).isFalse();
    }
}

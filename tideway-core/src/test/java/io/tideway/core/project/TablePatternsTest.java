package io.tideway.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TablePatternsTest {
    private static final TableId QUOTED = new TableId("Quoted_\" . Schema", "a");

    private static TablePatterns of(List<String> include, List<String> exclude) {
        return TablePatterns.of(new TableSelection(include, exclude, Map.of(), Map.of(), Map.of()), "public");
    }

    @Test
    void aSchemaHoldingADotIsWrittenInDoubleQuotesAsSqlWritesIt() {
        assertThat(TablePatterns.parts("\"Quoted_\"\" . Schema\".*")).containsExactly("\"Quoted_\"\" . Schema\"", "*");
        assertThat(TablePatterns.unquote("\"Quoted_\"\" . Schema\"")).isEqualTo("Quoted_\" . Schema");
        assertThat(TablePatterns.nameOf(QUOTED)).isEqualTo("\"Quoted_\"\" . Schema\".a");
        assertThat(of(List.of("\"Quoted_\"\" . Schema\".*"), List.of()).selects(QUOTED)).isTrue();
        assertThat(of(List.of(TablePatterns.nameOf(QUOTED)), List.of()).selects(QUOTED)).isTrue();
        assertThat(of(List.of("\"Quoted_\"\" . Schema\".*"), List.of("\"Quoted_\"\" . Schema\".a")).selects(QUOTED)).isFalse();
        // the unquoted spelling splits at the first dot and names another schema
        assertThat(of(List.of("Quoted_\" . Schema.*"), List.of()).selects(QUOTED)).isFalse();
        assertThat(TablePatterns.schemaPart("\"a.b\".t*")).isEqualTo("a.b");
        assertThat(TablePatterns.tablePart("\"a.b\".\"t.1\"")).isEqualTo("t.1");
    }

    @Test
    void aQuotedPartIsAnExactNameAndUnquotedPartsStayGlobs() {
        assertThat(of(List.of("\"s*\".t"), List.of()).selects(new TableId("s*", "t"))).isTrue();
        assertThat(of(List.of("\"s*\".t"), List.of()).selects(new TableId("sx", "t"))).isFalse();
        assertThat(of(List.of("shop.*"), List.of()).selects(new TableId("shop", "a.b"))).isTrue();
        assertThat(of(List.of("shop.a.b"), List.of()).selects(new TableId("shop", "a.b"))).isTrue();
        // a quote inside an unquoted part is a plain character, as before
        assertThat(of(List.of("shop.Select Me \"q\""), List.of()).selects(new TableId("shop", "Select Me \"q\""))).isTrue();
        assertThat(of(List.of("orders"), List.of()).selects(new TableId("public", "orders"))).isTrue();
    }

    @Test
    void anUnclosedQuoteOrTextAfterTheClosingQuoteIsRefused() {
        assertThatThrownBy(() -> TablePatterns.parts("\"a.b.*")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> TablePatterns.parts("\"a\"b.*")).hasMessageContaining("text follows the quoted name \"a\"");
    }
}

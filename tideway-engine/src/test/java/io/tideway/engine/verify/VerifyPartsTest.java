package io.tideway.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifyPartsTest {

    @Test
    void keysOfPortableTypesOrderAsDatabasesOrderThem() {
        assertThat(KeyOrder.compare(new Object[] {5L}, new Object[] {new BigInteger("18446744073709551615")})).isNegative();
        assertThat(KeyOrder.compare(new Object[] {new BigDecimal("1.50")}, new Object[] {new BigDecimal("1.5")})).isZero();
        assertThat(KeyOrder.compare(new Object[] {"2024-01-01 00:00:00"}, new Object[] {"2024-01-01 00:00:00.000001"})).isNegative();
        assertThat(KeyOrder.compare(new Object[] {new byte[] {(byte) 0x80}}, new Object[] {new byte[] {0x7f}})).isPositive();
        assertThat(KeyOrder.compare(new Object[] {1L, 2L}, new Object[] {1L, 10L})).isNegative();
        assertThat(KeyOrder.compare(new Object[] {false}, new Object[] {true})).isNegative();
    }

    @Test
    void excludedColumnsAreMatchedBySourceNamesWithGlobs() {
        ColumnExclusions ex = ColumnExclusions.parse(List.of("orders.updated_at", "crm.*.*_at", "nosuch.col"), "shop");
        assertThat(ex.excludes(new TableId("shop", "orders"), "updated_at")).isTrue();
        assertThat(ex.excludes(new TableId("other", "orders"), "updated_at")).isFalse();
        assertThat(ex.excludes(new TableId("crm", "people"), "created_at")).isTrue();
        assertThat(ex.excludes(new TableId("crm", "people"), "name")).isFalse();
        assertThat(ex.unused()).containsExactly("nosuch.col");
        assertThatThrownBy(() -> ColumnExclusions.parse(List.of("just_a_column", "a..b"), "shop"))
                .isInstanceOfSatisfying(TidewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("'just_a_column', 'a..b' should be table.column or schema.table.column");
    }

    @Test
    void correctionFilesHaveSafeUniqueNames() {
        Set<String> taken = new HashSet<>();
        assertThat(VerifyOutput.fileName("shop.orders", taken)).isEqualTo("shop.orders.sql");
        String odd = VerifyOutput.fileName("shop.Select Me \"q\" `b`", taken);
        assertThat(odd).matches("shop\\.Select_Me__q___b_-[0-9a-f]{8}\\.sql");
        assertThat(VerifyOutput.fileName("shop.ORDERS", taken)).isEqualTo("shop.ORDERS_.sql");
    }
}

package io.tideway.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Literal values of correction scripts: exact, escaped, one statement per line. */
class MySqlScriptLiteralsTest {
    private static final MySqlScripts SCRIPTS = new MySqlScripts();

    private static Column col(String name, Kind kind) {
        return new Column(name, ColumnType.of(kind, kind.name().toLowerCase()), true, null, false, null);
    }

    @Test
    void valuesAreWrittenExactly() {
        assertThat(SCRIPTS.literal(col("b", Kind.BOOLEAN), true)).isEqualTo("1");
        assertThat(SCRIPTS.literal(col("u", Kind.UINT64), new BigInteger("18446744073709551615"))).isEqualTo("18446744073709551615");
        assertThat(SCRIPTS.literal(col("d", Kind.DECIMAL), new BigDecimal("1E-30")))
                .isEqualTo("0.000000000000000000000000000001");
        assertThat(SCRIPTS.literal(col("f", Kind.FLOAT32), 3.4028235e38f)).isEqualTo("3.4028234663852886E38");
        assertThat(SCRIPTS.literal(col("x", Kind.FLOAT64), 123.0)).isEqualTo("123.0E0");
        assertThat(SCRIPTS.literal(col("x", Kind.FLOAT64), -0.0)).isEqualTo("-0E0");
        assertThat(SCRIPTS.literal(col("bin", Kind.BLOB), new byte[] {0, (byte) 0xFF, 0x5C})).isEqualTo("X'00FF5C'");
        assertThat(SCRIPTS.literal(col("bin", Kind.BLOB), new byte[0])).isEqualTo("X''");
        assertThat(SCRIPTS.literal(col("bits", Kind.BIT), "0101")).isEqualTo("b'0101'");
        assertThat(SCRIPTS.literal(col("n", Kind.TEXT), null)).isEqualTo("NULL");
        assertThat(SCRIPTS.literal(col("ts", Kind.TIMESTAMP), "2024-06-30 12:34:56.123456")).isEqualTo("'2024-06-30 12:34:56.123456'");
    }

    @Test
    void stringsAreEscapedAndStayOnOneLine() {
        String lit = SCRIPTS.literal(col("s", Kind.VARCHAR), "it's a\\b\nnew\rline\0end");
        assertThat(lit).isEqualTo("'it''s a\\\\b\\nnew\\rline\\0end'").doesNotContain("\n");
    }

    @Test
    void rowsAreUpsertedByKeyAndDeletedByKeyOrByAllColumns() {
        Table keyed = new Table(new TableId("shop", "t`x"), List.of(col("id", Kind.INT32), col("name", Kind.VARCHAR)),
                List.of("id"), List.of(), null, 0, 0);
        assertThat(SCRIPTS.writeRowSql(keyed, new Object[] {5L, "a"}))
                .isEqualTo("INSERT INTO `shop`.`t``x` (`id`, `name`) VALUES (5, 'a') ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)");
        assertThat(SCRIPTS.deleteRowSql(keyed, new Object[] {5L})).isEqualTo("DELETE FROM `shop`.`t``x` WHERE `id` = 5");
        Table keyless = new Table(new TableId("shop", "log"), List.of(col("at", Kind.DATETIME), col("msg", Kind.VARCHAR)),
                List.of(), List.of(), null, 0, 0);
        assertThat(SCRIPTS.writeRowSql(keyless, new Object[] {"2024-01-01 00:00:00", null}))
                .isEqualTo("INSERT INTO `shop`.`log` (`at`, `msg`) VALUES ('2024-01-01 00:00:00', NULL)");
        assertThat(SCRIPTS.deleteRowSql(keyless, new Object[] {"2024-01-01 00:00:00", null}))
                .isEqualTo("DELETE FROM `shop`.`log` WHERE `at` <=> '2024-01-01 00:00:00' AND `msg` <=> NULL LIMIT 1");
    }
}

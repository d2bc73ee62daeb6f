package io.tideway.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conversions that need no server: labels, bits, temporal text, grants and the LOAD DATA encoding. */
class MySqlConversionsTest {

    @Test
    void enumLabelsAreParsedWithDoubledQuotes() {
        assertThat(MySqlTypes.labels("enum('a','b c','d''e',',')")).containsExactly("a", "b c", "d'e", ",");
        assertThat(MySqlTypes.labelList(List.of("a", "d'e"))).isEqualTo("'a','d''e'");
    }

    @Test
    void bitsAreMostSignificantFirstAndExactlyTheColumnWidth() {
        assertThat(MySqlValues.bits(new byte[] {0x01}, 1)).isEqualTo("1");
        assertThat(MySqlValues.bits(new byte[] {0x02, (byte) 0xFF}, 10)).isEqualTo("1011111111");
        assertThat(MySqlValues.bits(new byte[] {0x05}, 64)).isEqualTo("0".repeat(61) + "101");
    }

    @Test
    void temporalTextIsTrimmedToTheCanonicalForm() {
        assertThat(MySqlValues.trimFraction("2024-01-02 03:04:05.120000")).isEqualTo("2024-01-02 03:04:05.12");
        assertThat(MySqlValues.trimFraction("2024-01-02 03:04:05.000000")).isEqualTo("2024-01-02 03:04:05");
        assertThat(MySqlValues.time("-838:59:59.000000")).isEqualTo("-838:59:59");
        assertThat(MySqlValues.time("00:00:00")).isEqualTo("0:00:00");
        assertThat(MySqlValues.time("-01:02:03.500000")).isEqualTo("-1:02:03.5");
        assertThat(MySqlValues.unsigned64("18446744073709551615")).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(MySqlValues.unsigned64("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void grantsAreReadWithWildcardsAndColumnPrivilegesLeftOut() {
        assertThat(MySqlPrecheck.splitPrivileges("SELECT, INSERT (`a`, `b`), REPLICATION  SLAVE"))
                .containsExactly("SELECT", "REPLICATION SLAVE");
        assertThat(MySqlPrecheck.databaseMatches("`shop`", "shop")).isTrue();
        assertThat(MySqlPrecheck.databaseMatches("`shop\\_%`", "shop_eu")).isTrue();
        assertThat(MySqlPrecheck.databaseMatches("`shop\\_%`", "shopxeu")).isFalse();
        assertThat(MySqlPrecheck.atLeast("11.4.5-MariaDB-log", 10, 3)).isTrue();
        assertThat(MySqlPrecheck.atLeast("5.6.51", 5, 7)).isFalse();
    }

    @Test
    void serverMessagesNameTheirColumn() {
        assertThat(MySqlErrors.columnOf("Data too long for column 'name' at row 1")).isEqualTo("name");
        assertThat(MySqlErrors.columnOf("Incorrect integer value: 'x' for column `db`.`t`.`n` at row 1")).isEqualTo("n");
    }

    @Test
    void loadDataTextEscapesAndStreamsRowByRow() throws Exception {
        Table t = new Table(new TableId("s", "t"), List.of(
                new Column("a", ColumnType.of(Kind.INT64, "bigint"), true, null, false, null),
                new Column("b", ColumnType.sized(Kind.VARCHAR, 10, "varchar(10)"), true, null, false, null),
                new Column("c", ColumnType.sized(Kind.BLOB, 10, "blob"), true, null, false, null),
                new Column("d", ColumnType.sized(Kind.BIT, 3, "bit(3)"), true, null, false, null),
                new Column("e", ColumnType.of(Kind.FLOAT32, "float"), true, null, false, null)),
                List.of("a"), List.of(), null, 0, 0);
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {Long.MIN_VALUE, "t\tn\nb\\z\0😀", new byte[] {0, -1}, "101", Float.MAX_VALUE});
        rows.add(new Object[] {null, "\\N", new byte[0], null, -0.0f});
        rows.add(new Object[] {7L, null, null, "000", 1.5f});
        int[] pulled = {0};
        var it = rows.stream().peek(r -> pulled[0]++).iterator();
        InputStream in = new MySqlLoadData.RowStream(t, it);
        assertThat(pulled[0]).isZero(); // nothing is encoded before the server reads
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "-9223372036854775808\tt\\tn\\nb\\\\z\\0😀\t00FF\t101\t3.4028234663852886E38\n"
                + "\\N\t\\\\N\t\t\\N\t-0.0\n"
                + "7\t\\N\t\\N\t000\t1.5\n");
        assertThat(MySqlLoadData.loadSql(t)).contains("(`a`, `b`, @v2, @v3, `e`) SET `c` = UNHEX(@v2),"
                + " `d` = CAST(CONV(@v3, 2, 10) AS UNSIGNED)");
        assertThat(Arrays.asList(new BigDecimal("1E+3").toPlainString())).containsExactly("1000");
    }
}

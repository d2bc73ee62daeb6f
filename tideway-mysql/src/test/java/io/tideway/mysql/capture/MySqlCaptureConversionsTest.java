package io.tideway.mysql.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.TableId;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The canonical conversions and positions of the MySQL capture, without a server. */
class MySqlCaptureConversionsTest {

    @Test
    void timesAreSignedWithUnpaddedHoursAndTrimmedFractions() {
        assertThat(CanonicalValues.time(0)).isEqualTo("0:00:00");
        assertThat(CanonicalValues.time(-(3723L * 1_000_000 + 500_000))).isEqualTo("-1:02:03.5");
        assertThat(CanonicalValues.time(838L * 3600 * 1_000_000 + 59 * 60_000_000L + 59_000_000L)).isEqualTo("838:59:59");
        assertThat(CanonicalValues.time(1)).isEqualTo("0:00:00.000001");
    }

    @Test
    void dateTimesAreUtcWallClocksWithTrimmedFractions() {
        assertThat(CanonicalValues.dateTime(0)).isEqualTo("1970-01-01 00:00:00");
        assertThat(CanonicalValues.dateTime(-30_610_224_000_000_000L)).isEqualTo("1000-01-01 00:00:00");
        assertThat(CanonicalValues.dateTime(253_402_300_799_999_999L)).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(CanonicalValues.dateTime(981_173_106_700_000L)).isEqualTo("2001-02-03 04:05:06.7");
        assertThat(CanonicalValues.zoned("2038-01-19T03:14:07.999999Z")).isEqualTo("2038-01-19 03:14:07.999999");
        assertThat(CanonicalValues.zoned("1970-01-01T00:00:00Z")).as("the zero timestamp").isEqualTo("0000-00-00 00:00:00");
    }

    @Test
    void bitsComeMostSignificantFirstAtTheColumnWidth() {
        // 0b101 little-endian
        assertThat(CanonicalValues.bitsLittleEndian(new byte[] {5}, 64)).isEqualTo("0".repeat(61) + "101");
        assertThat(CanonicalValues.bitsLittleEndian(new byte[] {(byte) 0x01, (byte) 0x80}, 16)).isEqualTo("1000000000000001");
        assertThat(CanonicalValues.bitsLittleEndian(new byte[] {1}, 1)).isEqualTo("1");
    }

    @Test
    void unsignedBigintsAboveLongMaxStayBigIntegers() {
        assertThat(CanonicalValues.unsigned64(new java.math.BigInteger("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
        assertThat(CanonicalValues.unsigned64(new java.math.BigInteger("18446744073709551615")))
                .isEqualTo(new java.math.BigInteger("18446744073709551615"));
    }

    @Test
    void positionsSortInLogOrder() {
        List<String> inOrder = List.of(BinlogPosition.of("mysql-bin.000002", 99_999, 7, 3),
                BinlogPosition.of("mysql-bin.000003", 4, 0, 0), BinlogPosition.of("mysql-bin.000003", 1234, 2, 1),
                BinlogPosition.of("mysql-bin.000003", 1234, 2, 2), BinlogPosition.of("mysql-bin.000003", 1234, 10, 1),
                BinlogPosition.of("mysql-bin.000003", 12_345, 0, 0));
        assertThat(inOrder).isSorted().doesNotHaveDuplicates();
        assertThat(BinlogPosition.of("mysql-bin.000003", 1234, 2, 1)).isEqualTo("000003:00000000000000001234:0000000002:000001");
        assertThat(BinlogPosition.ofOffset(Map.of("file", "mysql-bin.000003", "pos", 1234L, "event", 2L, "row", 1), true))
                .isEqualTo("000003:00000000000000001234:0000000002:000001");
        assertThat(BinlogPosition.of("mysql-bin.999999", Long.MAX_VALUE, 9_999_999_999L, 999_999))
                .as("every field at its widest").isEqualTo("999999:09223372036854775807:9999999999:999999");
        assertThat(BinlogPosition.of("binlog", 0, 0, 0)).as("a file name without a number")
                .isEqualTo("000000:00000000000000000000:0000000000:000000");
        assertThat(BinlogPosition.of("mysql-bin.1000000", 5, 10_000_000_000L, 1_000_000))
                .as("fields wider than their widths are written whole")
                .isEqualTo("1000000:00000000000000000005:10000000000:1000000");
        assertThat(BinlogPosition.of("mysql-bin.000001", 5, 0, -1)).as("a negative field, never seen in a real log")
                .isEqualTo("000001:00000000000000000005:0000000000:-00001");
    }

    @Test
    void includeListRegexesMatchOddNamesExactly() {
        String re = MySqlCapture.exactRegex("odd table, x") + "\\." + MySqlCapture.exactRegex("a.b");
        assertThat(re).doesNotContain(",").doesNotContain(" ");
        assertThat(Pattern.compile(re).matcher("odd table, x.a.b").matches()).isTrue();
        assertThat(Pattern.compile(re).matcher("odd table, x.aXb").matches()).isFalse();
    }

    @Test
    void connectorTableIdsAreParsedWithQuotes() {
        assertThat(ConnectorTableIds.candidates("\"db\".\"odd table, x\"")).first().isEqualTo(new TableId("db", "odd table, x"));
        assertThat(ConnectorTableIds.candidates("db.t")).containsExactly(new TableId("db", "t"));
    }

    /** Names MySQL allows whose spelling by the connector alone does not read back (see ConnectorTableIds). */
    static final List<String> QUOTED_NAMES = List.of("we\"ird", "\"lead", "trail\"", "\"both\"", "a''b", "a``b", "a\"\"b",
            "it's", "x.y", " sp ace ", "we\"ird` na'me", "''", "\"", "`");

    @Test
    void historyIdsReadBackWhateverQuotesTheNamesHold() {
        for (String db : List.of("shop", "sh\"op", "`s'")) {
            for (String table : QUOTED_NAMES) {
                io.debezium.relational.TableId id = new io.debezium.relational.TableId(db, null, table);
                String written = ConnectorTableIds.readable(id).toDoubleQuotedString();
                assertThat(io.debezium.relational.TableId.parse(written, true)).as(db + " / " + table + " written as " + written)
                        .isEqualTo(id);
            }
        }
    }

    @Test
    void theConnectorsOwnSpellingOfATableIsReadAmongItsCandidates() {
        for (String table : QUOTED_NAMES) {
            String spelled = new io.debezium.relational.TableId("sh\"op", null, table).toDoubleQuotedString();
            assertThat(ConnectorTableIds.candidates(spelled)).as(spelled).contains(new TableId("sh\"op", table));
        }
        assertThat(ConnectorTableIds.candidates("\"db\".\"we\"\"ird\"")).first().isEqualTo(new TableId("db", "we\"ird"));
    }
}

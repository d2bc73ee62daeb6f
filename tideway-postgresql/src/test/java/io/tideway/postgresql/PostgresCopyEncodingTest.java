package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The COPY text the writer produces, checked byte for byte against the format's definition
 * written out plainly (escape backslash, tab, newline and CR; UTF-8; \N for null; \x hex for bytes).
 */
class PostgresCopyEncodingTest {
    private static final String[] PIECES = {
        "a", "Z", "0", " ", "-", "~", "?", "\\", "\t", "\n", "\r", "\u0001", "\u001f", "\u007f",
        "é", "ß", "\u00ff", "\u0100", "ж", "中", "\uffff", "😀", "𝄞", "abcdefgh", "12345678901-"
    };

    static Table table(Kind... kinds) {
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            cols.add(new Column("c" + i, ColumnType.of(kinds[i], kinds[i].name()), true, null, false, null));
        }
        return new Table(new TableId("s", "t"), cols, List.of(), List.of(), null, 0, 0);
    }

    static byte[] encode(Table t, List<Object[]> rows) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = new PostgresCopyWriter(t).encode(rows.iterator(), out::write);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    /** The expected text of one value, from the definition of COPY's text format. */
    static String expected(Object v) {
        if (v == null) {
            return "\\N";
        }
        if (v instanceof byte[] b) {
            return "\\\\x" + HexFormat.of().formatHex(b);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        return v.toString().replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static byte[] expected(List<Object[]> rows) {
        StringBuilder b = new StringBuilder();
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                b.append(i > 0 ? "\t" : "").append(expected(row[i]));
            }
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String random(SplittableRandom r, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < pieces; k++) {
            b.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    @Test
    void randomTextIsEscapedAndUtf8EncodedExactly() throws SQLException {
        SplittableRandom r = new SplittableRandom(7);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            // mostly plain ASCII (the fast path), the rest any mix, lengths across the 8-byte scan steps
            String a = r.nextInt(4) == 0 ? random(r, r.nextInt(12)) : "x".repeat(r.nextInt(20)) + (r.nextBoolean() ? "" : "-q");
            rows.add(new Object[] {a, random(r, r.nextInt(40)), r.nextBoolean() ? null : random(r, 1)});
        }
        Table t = table(Kind.TEXT, Kind.VARCHAR, Kind.CHAR);
        assertThat(encode(t, rows)).isEqualTo(expected(rows));
    }

    @Test
    void longValuesCrossTheBufferExactly() throws SQLException {
        SplittableRandom r = new SplittableRandom(11);
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"p".repeat(32_768), "q".repeat(32_769)});
        rows.add(new Object[] {random(r, 20_000), random(r, 150_000)});
        rows.add(new Object[] {"\\".repeat(300_000), "é".repeat(200_000)});
        rows.add(new Object[] {"a".repeat(8191) + "😀" + "b".repeat(8190) + "𝄞\\", "é" + "a".repeat(8191) + "😀😀"});
        byte[] big = new byte[700_001];
        r.nextBytes(big);
        rows.add(new Object[] {"end", big});
        Table t = table(Kind.TEXT, Kind.BLOB);
        List<Object[]> text = rows.subList(0, 4);
        assertThat(encode(t, text)).isEqualTo(expected(text));
        Table tb = table(Kind.TEXT, Kind.BLOB);
        List<Object[]> bin = List.<Object[]>of(rows.get(4), new Object[] {"", new byte[0]});
        assertThat(encode(tb, bin)).isEqualTo(expected(bin));
    }

    @Test
    void numbersAndOtherValuesWriteTheirText() throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        long[] edges = {0, 1, -1, 9, 10, 99, 100, 101, -100, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long e : edges) {
            rows.add(new Object[] {e, (int) e, BigDecimal.valueOf(e, 2), 1.5 * e, (float) e, e % 2 == 0, null});
        }
        long p = 1;
        for (int d = 0; d < 19; d++, p *= 10) {
            rows.add(new Object[] {p, (int) p, new BigDecimal("-1E+" + d), Double.MIN_VALUE, Float.NaN, true, p - 1});
            rows.add(new Object[] {p - 1, (int) (p + 1), new BigDecimal(p).negate(), -0.0, 1e300, false, -p});
        }
        Table t = table(Kind.INT64, Kind.INT32, Kind.DECIMAL, Kind.FLOAT64, Kind.FLOAT32, Kind.BOOLEAN, Kind.INT64);
        assertThat(new String(encode(t, rows), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected(rows), StandardCharsets.UTF_8));
    }

    @Test
    void nulFailsNamingTheColumnOnEveryPath() {
        Table t = table(Kind.TEXT, Kind.VARCHAR);
        for (String bad : List.of("a\0b", "é\0", "\0" + "x".repeat(40_000), "中".repeat(40_000) + "\0", "ab\\\0")) {
            assertThatThrownBy(() -> encode(t, List.<Object[]>of(new Object[] {"ok", bad})))
                    .isInstanceOf(TidewayException.class)
                    .satisfies(e -> assertThat(((TidewayException) e).code()).isEqualTo(ErrorCode.DATA_INVALID))
                    .hasMessageContaining("column c1").hasMessageContaining("NUL");
        }
    }

    @Test
    void brokenSurrogatesFailNamingTheColumnButQuestionMarksPass() throws SQLException {
        Table t = table(Kind.TEXT, Kind.VARCHAR);
        for (String bad : List.of("\ud83d", "a?\ude00", "é?\ud83d?", "?".repeat(40_000) + "\ud800x")) {
            assertThatThrownBy(() -> encode(t, List.<Object[]>of(new Object[] {"ok", bad})))
                    .isInstanceOf(TidewayException.class)
                    .satisfies(e -> assertThat(((TidewayException) e).code()).isEqualTo(ErrorCode.DATA_INVALID))
                    .hasMessageContaining("column c1").hasMessageContaining("surrogate");
        }
        for (String bad : List.of("\ud83d", "ab\ude00", "a".repeat(8191) + "\ud83dx", "é".repeat(8192) + "\ud83d")) {
            // after a value beyond ASCII in the same column, which sends the next ones character by character
            assertThatThrownBy(() -> encode(t, List.<Object[]>of(new Object[] {"ok", "中"}, new Object[] {"ok", bad})))
                    .isInstanceOf(TidewayException.class)
                    .hasMessageContaining("column c1").hasMessageContaining("surrogate");
        }
        List<Object[]> fine = List.<Object[]>of(new Object[] {"¿qué?", "😀?\t?"}, new Object[] {"?", "中?"});
        assertThat(encode(t, fine)).isEqualTo(expected(fine));
    }
}

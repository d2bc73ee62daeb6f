package io.tideway.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.TableId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spool's record format: every canonical value survives, and spools written by earlier versions still read. */
class ChangeCodecTest {
    private static final Object[] VALUES = {null, 42L, -7, (short) 3, (byte) -1, new BigInteger("18446744073709551615"),
            new BigDecimal("-12345678901234567890.000000000000000001"), "ü😀 tab\t nul \0 end", new byte[] {0, -1, 16},
            true, Float.MIN_VALUE, -Double.MAX_VALUE, Double.NaN};

    @Test
    void everyCanonicalValueRoundTrips() throws Exception {
        ChangeEvent e = new ChangeEvent(ChangeEvent.Op.UPDATE, new TableId("shop", "Order \"items\""), columns(VALUES.length),
                VALUES, VALUES.clone(), null, 1_700_000_000_123L, "000003:00000000000000001234:0000000002:000001");
        Bytes.Out out = new Bytes.Out(8);
        ChangeCodec.write(out, e);
        ChangeEvent back = ChangeCodec.read(new Bytes.In(out.buf, 0, out.size), new HashMap<>());
        assertThat(back.op()).isEqualTo(e.op());
        assertThat(back.table()).isEqualTo(e.table());
        assertThat(back.columns()).isEqualTo(e.columns());
        assertThat(back.position()).isEqualTo(e.position());
        assertThat(back.sourceMillis()).isEqualTo(e.sourceMillis());
        assertThat(back.after()[1]).isEqualTo(42L);
        assertThat(back.after()[2]).as("integers are widened to long").isEqualTo(-7L);
        assertThat(back.after()[5]).isEqualTo(VALUES[5]);
        assertThat(back.after()[6]).isEqualTo(VALUES[6]);
        assertThat(back.after()[7]).isEqualTo(VALUES[7]);
        assertThat((byte[]) back.after()[8]).containsExactly(0, -1, 16);
        assertThat(back.after()[9]).isEqualTo(true);
        assertThat(back.after()[10]).isEqualTo(Float.MIN_VALUE);
        assertThat(back.after()[11]).isEqualTo(-Double.MAX_VALUE);
        assertThat((Double) back.after()[12]).isNaN();
        assertThat(back.after()[0]).isNull();
        assertThat(back.before()).hasSize(VALUES.length);
    }

    @Test
    void aRecordWrittenTheDataOutputWayReadsTheSame() throws Exception {
        // version 1 as the first spools wrote it, through java.io.DataOutputStream; the position has a
        // character outside ASCII so that writeUTF's modified UTF-8 is exercised
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(buf);
        d.writeByte(1);
        d.writeByte(ChangeEvent.Op.DDL.ordinal());
        d.writeUTF("0/16B3748\u00e9\u0000\u20ac");
        d.writeLong(99L);
        d.writeBoolean(true);
        str(d, "db");
        d.writeBoolean(true);
        str(d, "t");
        d.writeShort(1);
        str(d, "id");
        d.writeShort(-1);
        d.writeShort(1);
        d.writeByte(4);
        str(d, "é");
        d.writeBoolean(true);
        str(d, "ALTER TABLE t ADD COLUMN x INT");
        byte[] b = buf.toByteArray();
        ChangeEvent e = ChangeCodec.read(new Bytes.In(b, 0, b.length), new HashMap<>());
        assertThat(e.position()).isEqualTo("0/16B3748\u00e9\u0000\u20ac");
        assertThat(e.ddl()).isEqualTo("ALTER TABLE t ADD COLUMN x INT");
        assertThat(e.after()).containsExactly("é");
        assertThat(e.before()).isNull();
        // and this codec writes those very bytes
        Bytes.Out out = new Bytes.Out(8);
        ChangeCodec.write(out, e);
        assertThat(java.util.Arrays.copyOf(out.buf, out.size)).isEqualTo(b);
    }

    @Test
    void eventsOfATableWithTheSameColumnsShareOneColumnList() throws Exception {
        Map<TableId, List<String>> cache = new HashMap<>();
        TableId t = new TableId("db", "t");
        ChangeEvent first = read(new ChangeEvent(ChangeEvent.Op.INSERT, t, List.of("id", "c"), null, new Object[] {1L, "a"}, null, 1, "1"), cache);
        ChangeEvent second = read(new ChangeEvent(ChangeEvent.Op.INSERT, t, List.of("id", "c"), null, new Object[] {2L, "b"}, null, 1, "2"), cache);
        ChangeEvent widened = read(new ChangeEvent(ChangeEvent.Op.INSERT, t, List.of("id", "c", "d"), null, new Object[] {3L, "c", 4L},
                null, 1, "3"), cache);
        assertThat(second.columns()).isSameAs(first.columns());
        assertThat(second.after()).containsExactly(2L, "b");
        assertThat(widened.columns()).containsExactly("id", "c", "d");
        assertThat(widened.after()).containsExactly(3L, "c", 4L);
    }

    private static ChangeEvent read(ChangeEvent e, Map<TableId, List<String>> cache) throws Exception {
        Bytes.Out out = new Bytes.Out(8);
        ChangeCodec.write(out, e);
        return ChangeCodec.read(new Bytes.In(out.buf, 0, out.size), cache);
    }

    private static void str(DataOutputStream d, String s) throws Exception {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.writeInt(b.length);
        d.write(b);
    }

    private static List<String> columns(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "c" + i).toList();
    }
}

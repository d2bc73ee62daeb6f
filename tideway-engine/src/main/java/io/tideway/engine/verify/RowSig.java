package io.tideway.engine.verify;

import io.tideway.core.model.Table;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * What a compared row is reduced to: its key (values and canonical text) and a 128-bit hash
 * (MurmurHash3 x64) of the canonical texts of its compared values, each followed by a 1 byte.
 * Rows with equal hashes are taken as equal (the values of rows that differ are read again before
 * anything is reported). The hash is not cryptographic: it guards against chance, not against
 * rows crafted to collide, as a checksum comparison of two copies of one's own data needs.
 */
record RowSig(String keyText, List<Object> key, long hi, long lo) {
    /** One growable buffer per thread for a row's canonical bytes. */
    private static final ThreadLocal<byte[][]> BUFFER = ThreadLocal.withInitial(() -> new byte[][] {new byte[1024]});

    boolean sameValues(RowSig o) {
        return hi == o.hi && lo == o.lo;
    }

    /** @param t the compared columns of one side; {@code row} holds their values */
    static RowSig of(TablePlan p, Table t, Object[] row) {
        long[] d = digest(t, row);
        return p.keyed() ? new RowSig(TablePlan.keyText(t, p.key(), row), p.keyOf(row), d[0], d[1]) : new RowSig(null, null, d[0], d[1]);
    }

    static long[] digest(Table t, Object[] row) {
        byte[][] holder = BUFFER.get();
        byte[] buf = holder[0];
        int n = 0;
        for (int i = 0; i < row.length; i++) {
            byte[] v = Canonical.of(row[i], t.columns().get(i).type()).getBytes(StandardCharsets.UTF_8);
            if (n + v.length + 1 > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + v.length + 1));
                holder[0] = buf;
            }
            System.arraycopy(v, 0, buf, n, v.length);
            n += v.length;
            buf[n++] = 1;
        }
        return MurmurHash3.hash128x64(buf, 0, n, 0);
    }
}

package io.tideway.engine.verify;

import io.tideway.core.model.Table;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * What a compared row is reduced to: its key (values and canonical text) and a 128-bit digest of
 * the canonical texts of its compared values. Rows with equal digests are taken as equal (the
 * values of rows that differ are read again before anything is reported).
 */
record RowSig(String keyText, List<Object> key, long hi, long lo) {
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    boolean sameValues(RowSig o) {
        return hi == o.hi && lo == o.lo;
    }

    /** @param t the compared columns of one side; {@code row} holds their values */
    static RowSig of(TablePlan p, Table t, Object[] row) {
        long[] d = digest(t, row);
        return p.keyed() ? new RowSig(TablePlan.keyText(t, p.key(), row), p.keyOf(row), d[0], d[1]) : new RowSig(null, null, d[0], d[1]);
    }

    static long[] digest(Table t, Object[] row) {
        MessageDigest md = MD5.get();
        md.reset();
        for (int i = 0; i < row.length; i++) {
            md.update(Canonical.of(row[i], t.columns().get(i).type()).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 1);
        }
        byte[] h = md.digest();
        return new long[] {bytesToLong(h, 0), bytesToLong(h, 8)};
    }

    private static long bytesToLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }
}

package io.tideway.postgresql.capture;

/**
 * Positions of PostgreSQL changes as {@link io.tideway.core.change.ChangeEvent#position()} spells them:
 * {@code CCCCCCCCCCCCCCCC/LLLLLLLLLLLLLLLL/NNNN}, three zero-padded upper-case hex fields, so that
 * String order is log order:
 * <ul>
 *   <li>C: the commit LSN the stream had reached when the change was read, i.e. the end of the last
 *       transaction committed before the change's own (transactions are decoded in commit order, so C
 *       grows from one transaction to the next); before the first commit seen after T0 it is T0;</li>
 *   <li>L: the change's own LSN (grows within a transaction);</li>
 *   <li>N: the index of the change among changes that share one LSN (a multi-row insert by COPY, a
 *       TRUNCATE of several tables, a key change delivered as one UPDATE is a single change).</li>
 * </ul>
 * A heartbeat carries the position of the last change before it with {@code /HB} appended: it sorts after
 * that change and before the next one. The start position is {@code T0/0000000000000000/0000}.
 */
final class PgPosition {
    private PgPosition() { }

    static String of(long commitLsn, long lsn, int index) {
        StringBuilder b = new StringBuilder(39);
        hex(b, commitLsn, 16).append('/');
        hex(b, lsn, 16).append('/');
        hex(b, index, 4);
        return b.toString();
    }

    static String heartbeat(String lastPosition) {
        return lastPosition + "/HB";
    }

    private static StringBuilder hex(StringBuilder b, long v, int width) {
        String h = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
        for (int i = h.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(h);
    }

    /** Parses PostgreSQL's "X/Y" LSN text. */
    static long parseLsn(String s) {
        int slash = s.indexOf('/');
        return (Long.parseLong(s.substring(0, slash), 16) << 32) | Long.parseLong(s.substring(slash + 1), 16);
    }
}

package io.tideway.mysql.capture;

import java.util.Map;

/**
 * Tideway's spelling of a place in a MySQL-family binlog, as {@link io.tideway.core.change.ChangeEvent#position()}
 * carries it: {@code FFFFFF:PPPPPPPPPPPPPPPPPPPP:EEEEEEEEEE:RRRRRR}, e.g.
 * {@code 000003:00000000000000001234:0000000002:000001}, taken from the connector's own offset of the record:
 * <ul>
 *   <li>{@code F}: the sequence number of the binlog file (the digits after the last dot of
 *       {@code mysql-bin.000003}), 6 digits;</li>
 *   <li>{@code P}: the byte position in that file where the event's transaction starts (where a
 *       restart reads again from), 20 digits;</li>
 *   <li>{@code E}: the number of binlog events of that transaction read before this row's event
 *       was finished, 10 digits;</li>
 *   <li>{@code R}: the row within that rows event, counted from 1, 6 digits (0 for DDL, TRUNCATE
 *       and heartbeats).</li>
 * </ul>
 * All fields are zero-padded, so {@link String#compareTo} orders positions as the log does, every
 * row change has its own position, and a change read again after a restart gets the same position.
 * The connector's event position alone is not enough: inside a transaction it names the
 * transaction's start for every row. Files numbered above 999999 would break the order.
 */
public final class BinlogPosition {
    private BinlogPosition() { }

    /** Length of a position whose fields fit their widths. */
    private static final int LENGTH = 6 + 1 + 20 + 1 + 10 + 1 + 6;

    public static String of(String binlogFile, long position, long event, long row) {
        // by hand rather than String.format: this runs for every change captured. The digits go
        // straight into one byte array (Latin-1); a field wider than its width, or negative, takes
        // the general path below, which writes it whole.
        long seq = sequence(binlogFile);
        if (fits(seq, 6) && fits(position, 20) && fits(event, 10) && fits(row, 6)) {
            byte[] b = new byte[LENGTH];
            digits(b, 0, seq, 6);
            b[6] = ':';
            digits(b, 7, position, 20);
            b[27] = ':';
            digits(b, 28, event, 10);
            b[38] = ':';
            digits(b, 39, row, 6);
            return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        StringBuilder sb = new StringBuilder(LENGTH);
        pad(sb, seq, 6).append(':');
        pad(sb, position, 20).append(':');
        pad(sb, event, 10).append(':');
        return pad(sb, row, 6).toString();
    }

    private static boolean fits(long v, int width) {
        if (v < 0) {
            return false;
        }
        // every long has at most 19 digits, so a 20-digit field takes any non-negative one
        return width >= 19 || v < POWERS[width];
    }

    private static final long[] POWERS = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L, 10_000_000_000L};

    /** Writes {@code v} (non-negative, fitting) as {@code width} zero-padded ASCII digits at {@code at}. */
    private static void digits(byte[] b, int at, long v, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
    }

    private static StringBuilder pad(StringBuilder sb, long v, int width) {
        if (v < 0) {
            return sb.append(String.format("%0" + width + "d", v)); // never for real positions; kept exact
        }
        String digits = Long.toString(v);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(digits);
    }

    /** The position of a record from its source offset (keys file, pos, event, row). */
    static String ofOffset(Map<String, ?> offset, boolean withRow) {
        if (offset == null) {
            return of(null, 0, 0, 0);
        }
        Object file = offset.get("file");
        return of(file == null ? null : file.toString(), num(offset.get("pos")), num(offset.get("event")),
                withRow ? num(offset.get("row")) : 0);
    }

    private static long num(Object v) {
        return v instanceof Number n ? n.longValue() : v == null ? 0 : Long.parseLong(v.toString());
    }

    /** The sequence number of a binlog file name ("mysql-bin.000003" -> 3), 0 when it has none. */
    static long sequence(String binlogFile) {
        if (binlogFile == null) {
            return 0;
        }
        FileSequence last = lastFile;   // a log's changes come file by file: the last answer is usually this one
        if (binlogFile.equals(last.file())) {
            return last.sequence();
        }
        long seq = parseSequence(binlogFile);
        lastFile = new FileSequence(binlogFile, seq);
        return seq;
    }

    private record FileSequence(String file, long sequence) { }

    private static volatile FileSequence lastFile = new FileSequence(null, 0);

    private static long parseSequence(String binlogFile) {
        int dot = binlogFile.lastIndexOf('.');
        String digits = binlogFile.substring(dot + 1);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

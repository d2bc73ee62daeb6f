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

    public static String of(String binlogFile, long position, long event, long row) {
        // by hand rather than String.format: this runs for every change captured
        StringBuilder sb = new StringBuilder(45);
        pad(sb, sequence(binlogFile), 6).append(':');
        pad(sb, position, 20).append(':');
        pad(sb, event, 10).append(':');
        return pad(sb, row, 6).toString();
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
        int dot = binlogFile.lastIndexOf('.');
        String digits = binlogFile.substring(dot + 1);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

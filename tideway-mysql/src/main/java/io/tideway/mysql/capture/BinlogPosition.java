package io.tideway.mysql.capture;

/**
 * Tideway's spelling of a place in a MySQL-family binlog, as {@link io.tideway.core.change.ChangeEvent#position()}
 * carries it: {@code FFFFFF:PPPPPPPPPPPPPPPPPPPP:RRRRRR}, e.g. {@code 000003:00000000000000001234:000002}.
 * <ul>
 *   <li>{@code F}: the sequence number of the binlog file (the digits after the last dot of
 *       {@code mysql-bin.000003}), 6 digits;</li>
 *   <li>{@code P}: the byte position of the event in that file, 20 digits;</li>
 *   <li>{@code R}: the row within the event (a rows event holds many), 6 digits.</li>
 * </ul>
 * All fields are zero-padded, so {@link String#compareTo} orders positions as the log does, and
 * every row change has its own position. Files numbered above 999999 (the server's own
 * extension grows a digit there) would break the order; servers reset the sequence long before.
 */
public final class BinlogPosition {
    private BinlogPosition() { }

    public static String of(String binlogFile, long position, int row) {
        return String.format("%06d:%020d:%06d", sequence(binlogFile), position, row);
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

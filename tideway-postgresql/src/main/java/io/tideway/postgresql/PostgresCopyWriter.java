package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.WriteResult;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into {@code COPY t (cols) FROM STDIN} (text format): each value is encoded straight
 * into one reusable buffer that is handed to the server whenever it fills, so a chunk is never
 * held in memory whole.
 */
final class PostgresCopyWriter {
    private static final int BUFFER = 256 * 1024;
    private static final byte[] NULL = {'\\', 'N'};

    private final Table table;
    private final List<Column> columns;
    private final Kind[] kinds;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private long bytes;
    private CopyIn copy;
    private Sink sink;

    /** Where full buffers go: the server's COPY stream, or anything else in tests. */
    interface Sink {
        void write(byte[] b, int off, int len) throws SQLException;
    }

    PostgresCopyWriter(Table table) {
        this.table = table;
        this.columns = table.columns();
        this.kinds = columns.stream().map(c -> c.type().kind()).toArray(Kind[]::new);
    }

    static String copySql(Table t, Function<String, String> quote, String qualifiedTable) {
        StringJoiner cols = new StringJoiner(", ", " (", ")");
        for (Column c : t.columns()) {
            cols.add(quote.apply(c.name()));
        }
        return "COPY " + qualifiedTable + cols + " FROM STDIN";
    }

    WriteResult write(Connection c, String sql, Iterator<Object[]> rows) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        copy = pg.getCopyAPI().copyIn(sql);
        CopyIn in = copy;
        try {
            encode(rows, in::writeToCopy);
            long done = copy.endCopy();
            copy = null;
            return new WriteResult(done, bytes);
        } catch (SQLException e) {
            cancel();
            ErrorCode code = PostgresErrors.classify(e);
            if (code == ErrorCode.DATA_INVALID || code == ErrorCode.TABLE_CONFLICT) {
                throw rejected(code, e);
            }
            throw e;
        } catch (RuntimeException e) {
            cancel();
            throw e;
        }
    }

    /** Encodes every row in COPY text format into {@code out}; returns the bytes written. */
    long encode(Iterator<Object[]> rows, Sink out) throws SQLException {
        sink = out;
        pos = 0;
        bytes = 0;
        while (rows.hasNext()) {
            Object[] row = rows.next();
            for (int i = 0; i < kinds.length; i++) {
                if (i > 0) {
                    put((byte) '\t');
                }
                value(row[i], i);
            }
            put((byte) '\n');
        }
        flush();
        return bytes;
    }

    private void cancel() {
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the server already ended the copy
            }
        }
        copy = null;
    }

    /** A row the server rejected, named by table, column (from the COPY context) and row of the chunk. */
    private TidewayException rejected(ErrorCode code, SQLException e) {
        String col = PostgresErrors.copyColumn(e);
        long line = PostgresErrors.copyLine(e);
        return new TidewayException(code, "table " + table.id()
                + (col != null ? ", column " + col : "") + (line > 0 ? ", row " + line + " of the chunk" : "")
                + (code == ErrorCode.TABLE_CONFLICT ? ": the destination already holds this row: "
                        : ": PostgreSQL cannot store the value: ") + PostgresErrors.serverTextWithDetail(e), e);
    }

    private void value(Object v, int i) throws SQLException {
        if (v == null) {
            put(NULL, 0, 2);
            return;
        }
        if (v instanceof String s) {
            if (kinds[i] == Kind.ARRAY) {
                s = PostgresValues.jsonArrayToLiteral(s, columns.get(i), table.id());
            }
            string(s, i);
        } else if (v instanceof Long l) {
            longValue(l);
        } else if (v instanceof Integer l) {
            longValue(l);
        } else if (v instanceof Boolean b) {
            put(b ? (byte) 't' : (byte) 'f');
        } else if (v instanceof byte[] b) {
            hex(b);
        } else if (v instanceof BigDecimal d) {
            ascii(d.toPlainString());
        } else if (kinds[i] == Kind.BOOLEAN && v instanceof Number num) {
            put(num.longValue() != 0 ? (byte) 't' : (byte) 'f');
        } else {
            string(v.toString(), i);
        }
    }

    private void longValue(long v) throws SQLException {
        if (v == Long.MIN_VALUE) {
            ascii("-9223372036854775808");
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        int start = pos;
        do {
            buf[pos++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int a = start, b = pos - 1; a < b; a++, b--) {
            byte t = buf[a];
            buf[a] = buf[b];
            buf[b] = t;
        }
    }

    private void ascii(String s) throws SQLException {
        int n = s.length();
        ensure(n);
        if (n > buf.length) {
            string(s, -1);
            return;
        }
        for (int k = 0; k < n; k++) {
            buf[pos++] = (byte) s.charAt(k);
        }
    }

    private void hex(byte[] b) throws SQLException {
        put((byte) '\\');
        put((byte) '\\');
        put((byte) 'x');
        for (byte x : b) {
            if (pos + 2 > buf.length) {
                flush();
            }
            buf[pos++] = (byte) PostgresValues.HEX[(x >> 4) & 0xf];
            buf[pos++] = (byte) PostgresValues.HEX[x & 0xf];
        }
    }

    /** UTF-8 with COPY text escapes; NUL fails naming the column before anything of the row is sent. */
    private void string(String s, int col) throws SQLException {
        int n = s.length();
        byte[] b = buf;
        int p = pos;
        for (int k = 0; k < n; k++) {
            if (p + 4 > b.length) {
                pos = p;
                flush();
                p = pos;
            }
            char ch = s.charAt(k);
            if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
                b[p++] = (byte) ch;
            } else if (ch < 0x80) {
                switch (ch) {
                    case '\\' -> {
                        b[p++] = '\\';
                        b[p++] = '\\';
                    }
                    case '\t' -> {
                        b[p++] = '\\';
                        b[p++] = 't';
                    }
                    case '\n' -> {
                        b[p++] = '\\';
                        b[p++] = 'n';
                    }
                    case '\r' -> {
                        b[p++] = '\\';
                        b[p++] = 'r';
                    }
                    case '\0' -> {
                        pos = p;
                        throw PostgresValues.nul(columns.get(Math.max(col, 0)), table.id());
                    }
                    default -> b[p++] = (byte) ch;
                }
            } else if (ch < 0x800) {
                b[p++] = (byte) (0xc0 | (ch >> 6));
                b[p++] = (byte) (0x80 | (ch & 0x3f));
            } else if (Character.isHighSurrogate(ch) && k + 1 < n && Character.isLowSurrogate(s.charAt(k + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++k));
                b[p++] = (byte) (0xf0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(ch)) {
                pos = p;
                throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table.id() + ", column "
                        + columns.get(Math.max(col, 0)).name() + ": the value holds a broken UTF-16 surrogate pair");
            } else {
                b[p++] = (byte) (0xe0 | (ch >> 12));
                b[p++] = (byte) (0x80 | ((ch >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (ch & 0x3f));
            }
        }
        pos = p;
    }

    private void put(byte b) throws SQLException {
        if (pos == buf.length) {
            flush();
        }
        buf[pos++] = b;
    }

    private void put(byte[] b, int off, int len) throws SQLException {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    private void ensure(int n) throws SQLException {
        if (pos + n > buf.length) {
            flush();
        }
    }

    private void flush() throws SQLException {
        if (pos > 0) {
            sink.write(buf, 0, pos);
            bytes += pos;
            pos = 0;
        }
    }
}

package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.WriteResult;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
    private final char[] scratch = new char[8192];
    /** Per column: whether its last text value held characters beyond ASCII. */
    private final boolean[] wide;
    private Sink sink;

    /** Where full buffers go: the server's COPY stream, or anything else in tests. */
    interface Sink {
        void write(byte[] b, int off, int len) throws SQLException;
    }

    PostgresCopyWriter(Table table) {
        this.table = table;
        this.columns = table.columns();
        this.kinds = columns.stream().map(c -> c.type().kind()).toArray(Kind[]::new);
        this.wide = new boolean[kinds.length];
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
                s = PostgresValues.arrayLiteral(s, columns.get(i), table.id());
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

    private static final byte[] DIGITS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGITS[2 * i] = (byte) ('0' + i / 10);
            DIGITS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /** Decimal digits straight into the buffer, two at a time, no String on the way. */
    private void longValue(long v) throws SQLException {
        if (v == Long.MIN_VALUE) {
            ascii("-9223372036854775808");
            return;
        }
        ensure(20);
        byte[] b = buf;
        if (v < 0) {
            b[pos++] = '-';
            v = -v;
        }
        int p = pos + digits(v);
        pos = p;
        while (v > Integer.MAX_VALUE) {
            int r = (int) (v % 100);
            v /= 100;
            b[--p] = DIGITS[2 * r + 1];
            b[--p] = DIGITS[2 * r];
        }
        int i = (int) v;  // the rest in int arithmetic, cheaper per step
        while (i >= 100) {
            int r = i % 100;
            i /= 100;
            b[--p] = DIGITS[2 * r + 1];
            b[--p] = DIGITS[2 * r];
        }
        if (i >= 10) {
            b[--p] = DIGITS[2 * i + 1];
            b[--p] = DIGITS[2 * i];
        } else {
            b[--p] = (byte) ('0' + i);
        }
    }

    private static int digits(long v) {
        long x = 10;
        for (int d = 1; d < 19; d++) {
            if (v < x) {
                return d;
            }
            x *= 10;
        }
        return 19;
    }

    /** A string known to hold only ASCII characters (a number's text). */
    @SuppressWarnings("deprecation")
    private void ascii(String s) throws SQLException {
        int n = s.length();
        if (n > buf.length) {
            string(s, -1);
            return;
        }
        ensure(n);
        s.getBytes(0, n, buf, pos);
        pos += n;
    }

    private void hex(byte[] b) throws SQLException {
        put((byte) '\\');
        put((byte) '\\');
        put((byte) 'x');
        byte[] hex = HEX;
        for (int k = 0; k < b.length; ) {
            if (pos + 2 > buf.length) {
                flush();
            }
            int end = Math.min(b.length, k + (buf.length - pos) / 2);
            byte[] o = buf;
            int p = pos;
            for (; k < end; k++) {
                byte x = b[k];
                o[p++] = hex[(x >> 4) & 0xf];
                o[p++] = hex[x & 0xf];
            }
            pos = p;
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Strings up to this many characters may go through the JDK's UTF-8 encoder; longer ones never are copied whole. */
    private static final int ENCODED = BUFFER / 8;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * UTF-8 with COPY text escapes; NUL fails naming the column. The JDK's encoder does the UTF-8
     * work (for ASCII text a plain copy); a scan eight bytes at a time finds whether any byte needs
     * an escape, so the common value is one copy into the buffer. UTF-8 continuation and lead bytes
     * are all 0x80 and above, so only the ASCII bytes can need one. A column whose last value held
     * text beyond ASCII goes through {@link #chars} instead, which is faster for such text.
     */
    private void string(String s, int col) throws SQLException {
        int n = s.length();
        if (n > ENCODED || col >= 0 && wide[col]) {
            chars(s, col);
            return;
        }
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        int len = u.length;
        if (len != n && col >= 0) {
            wide[col] = true;  // the column holds text beyond ASCII: its next values go character by character
        }
        int scan = scan(u);
        if ((scan & QUESTION) != 0 && count(u) != count(s)) {
            chars(s, col);  // the encoder wrote '?' for a broken surrogate pair, which fails naming the column
            return;
        }
        if ((scan & ESCAPE) == 0) {
            ensure(len);
            System.arraycopy(u, 0, buf, pos, len);
            pos += len;
            return;
        }
        ensure(2 * len);
        byte[] o = buf;
        int p = pos;
        for (int k = 0; k < len; k++) {
            byte x = u[k];
            if ((x & 0xe0) != 0 && x != '\\') {
                o[p++] = x;  // 0x20..0x7f except the backslash, or a byte of a multi-byte character
                continue;
            }
            switch (x) {
                case '\\' -> {
                    o[p++] = '\\';
                    o[p++] = '\\';
                }
                case '\t' -> {
                    o[p++] = '\\';
                    o[p++] = 't';
                }
                case '\n' -> {
                    o[p++] = '\\';
                    o[p++] = 'n';
                }
                case '\r' -> {
                    o[p++] = '\\';
                    o[p++] = 'r';
                }
                case 0 -> {
                    pos = p;
                    throw PostgresValues.nul(columns.get(Math.max(col, 0)), table.id());
                }
                default -> o[p++] = x;
            }
        }
        pos = p;
    }

    private static final int ESCAPE = 1;
    private static final int QUESTION = 2;

    /** {@link #ESCAPE} when a byte is below 0x20 or a backslash, {@link #QUESTION} when one is '?'. */
    private static int scan(byte[] u) {
        int len = u.length;
        int k = 0;
        long any = 0;
        for (; k + 16 <= len; k += 16) {
            any |= special((long) LONGS.get(u, k)) | special((long) LONGS.get(u, k + 8));
        }
        if (k + 8 <= len) {
            any |= special((long) LONGS.get(u, k));
            k += 8;
        }
        if ((any & HIGHS) == 0 && k == len) {
            return 0;
        }
        int r = 0;
        for (k = (any & HIGHS) == 0 ? k : 0; k < len; k++) {
            byte b = u[k];
            if ((b & 0xe0) == 0 || b == '\\') {
                r |= ESCAPE;
            } else if (b == '?') {
                r |= QUESTION;
            }
        }
        return r;
    }

    /** High bit set in a byte lane of the result if any of the eight bytes is below 0x20, '\\' or '?'. */
    private static long special(long v) {
        long w = v ^ 0x5c5c5c5c5c5c5c5cL;
        long x = v ^ 0x3f3f3f3f3f3f3f3fL;
        return ((v - 0x2020202020202020L) & ~v) | ((w - ONES) & ~w) | ((x - ONES) & ~x);
    }

    private static int count(byte[] u) {
        int n = 0;
        for (byte b : u) {
            if (b == '?') {
                n++;
            }
        }
        return n;
    }

    private static int count(String s) {
        int n = 0;
        for (int k = s.indexOf('?'); k >= 0; k = s.indexOf('?', k + 1)) {
            n++;
        }
        return n;
    }

    /**
     * The same encoding character by character over a reused copy of the characters: for long
     * values (never copied whole), text that is not ASCII (the JDK's encoder is slower there than
     * this loop) and broken surrogate pairs.
     */
    private void chars(String s, int col) throws SQLException {
        int n = s.length();
        char[] c = scratch;
        int seen = 0;
        for (int from = 0; from < n; ) {
            int m = Math.min(n - from, c.length);
            s.getChars(from, from + m, c, 0);
            ensure(3 * m + 1);
            byte[] b = buf;
            int p = pos;
            int k = 0;
            for (; k < m; k++) {
                char ch = c[k];
                seen |= ch;
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
                } else if (!Character.isSurrogate(ch)) {
                    b[p++] = (byte) (0xe0 | (ch >> 12));
                    b[p++] = (byte) (0x80 | ((ch >> 6) & 0x3f));
                    b[p++] = (byte) (0x80 | (ch & 0x3f));
                } else {
                    int next = from + k + 1;
                    char lo = next < n ? (k + 1 < m ? c[k + 1] : s.charAt(next)) : 0;
                    if (!Character.isHighSurrogate(ch) || !Character.isLowSurrogate(lo)) {
                        pos = p;
                        throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table.id() + ", column "
                                + columns.get(Math.max(col, 0)).name() + ": the value holds a broken UTF-16 surrogate pair");
                    }
                    int cp = Character.toCodePoint(ch, lo);
                    k++;  // may be the first character of the next piece, then that piece starts after it
                    b[p++] = (byte) (0xf0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                    b[p++] = (byte) (0x80 | (cp & 0x3f));
                }
            }
            pos = p;
            from += k;
        }
        if (col >= 0) {
            wide[col] = seen >= 0x80;
        }
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

package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.WriteResult;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The bulk writer: LOAD DATA LOCAL INFILE fed by a stream that encodes rows as the server pulls
 * them (tab-separated, \N for NULL, backslash escapes; bytes as hex through a user variable).
 * Falls back to multi-row INSERT when the server has local_infile off.
 */
final class MySqlLoadData {
    private MySqlLoadData() { }

    static WriteResult bulkInsert(Connection c, Table t, Iterator<Object[]> rows) throws SQLException {
        if (!rows.hasNext()) {
            return new WriteResult(0, 0);
        }
        if (!localInfileOn(c)) {
            return MySqlInserts.insert(c, t, rows, false);
        }
        Statement st = c.createStatement();
        try {
            org.mariadb.jdbc.Statement ms;
            try {
                ms = st.unwrap(org.mariadb.jdbc.Statement.class);
            } catch (SQLException notMariaDbDriver) {
                return MySqlInserts.insert(c, t, rows, false);
            }
            RowStream in = new RowStream(t, rows);
            ms.setLocalInfileInputStream(in);
            try {
                st.execute(loadSql(t));
            } catch (SQLException e) {
                if (in.failure != null) {
                    throw in.failure;
                }
                throw MySqlErrors.orRethrow(e, t.id());
            }
            if (in.failure != null) {
                throw in.failure;
            }
            checkWarnings(st, t);
            return new WriteResult(in.count, in.bytes);
        } finally {
            st.close();
        }
    }

    static boolean localInfileOn(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.local_infile")) {
            if (!rs.next()) {
                return false;
            }
            String v = rs.getString(1);
            return v != null && (v.equals("1") || v.equalsIgnoreCase("ON"));
        } catch (SQLException e) {
            return true; // servers without the variable (OceanBase) accept LOCAL when the client allows it
        }
    }

    static String loadSql(Table t) {
        StringBuilder cols = new StringBuilder();
        StringBuilder set = new StringBuilder();
        List<Column> columns = t.columns();
        for (int i = 0; i < columns.size(); i++) {
            Column col = columns.get(i);
            if (i > 0) {
                cols.append(", ");
            }
            String conv = conversion(col.type());
            if (conv == null) {
                cols.append(MySqlDdl.q(col.name()));
            } else {
                String var = "@v" + i;
                cols.append(var);
                set.append(set.length() == 0 ? " SET " : ", ").append(MySqlDdl.q(col.name())).append(" = ")
                        .append(conv.replace("@v", var));
            }
        }
        return "LOAD DATA LOCAL INFILE 'tideway.tsv' INTO TABLE " + MySqlDdl.q(t.id())
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\'"
                + " LINES TERMINATED BY '\\n' STARTING BY '' (" + cols + ")" + set;
    }

    /** The SET expression of a column loaded through a user variable, or null when loaded directly. */
    private static String conversion(ColumnType type) {
        if (type.isBinary() || (type.kind() == Kind.OTHER && MySqlTypes.isGeometry(type.nativeType()))) {
            return "UNHEX(@v)";
        }
        if (type.kind() == Kind.BIT) {
            return "CAST(CONV(@v, 2, 10) AS UNSIGNED)";
        }
        return null;
    }

    /** With LOCAL the server turns data errors into warnings; they must not pass silently. */
    private static void checkWarnings(Statement st, Table t) throws SQLException {
        List<String> problems = new ArrayList<>();
        String column = null;
        try (ResultSet rs = st.executeQuery("SHOW WARNINGS LIMIT 5")) {
            while (rs.next()) {
                String level = rs.getString(1);
                if ("Note".equalsIgnoreCase(level)) {
                    continue;
                }
                String msg = rs.getString(3);
                problems.add(msg);
                if (column == null) {
                    column = MySqlErrors.columnOf(msg);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new TidewayException(ErrorCode.DATA_INVALID, "cannot load rows into " + t.id()
                    + (column == null ? "" : ", column " + column) + ": " + String.join("; ", problems)
                    + " (row numbers count from the start of this batch)");
        }
    }

    /** Encodes rows into LOAD DATA text lazily, as the driver reads; one reusable buffer. */
    static final class RowStream extends InputStream {
        private static final int TARGET = 128 * 1024;
        private static final byte[] NULL = {'\\', 'N'};
        private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

        private final Iterator<Object[]> rows;
        private final int width;
        private final byte[] mode;      // 0 text, 1 hex of bytes, 2 raw ASCII (bits)
        private byte[] buf = new byte[TARGET + 1024];
        private int pos;
        private int limit;
        long count;
        long bytes;
        RuntimeException failure;

        RowStream(Table t, Iterator<Object[]> rows) {
            this.rows = rows;
            this.width = t.columns().size();
            this.mode = new byte[width];
            for (int i = 0; i < width; i++) {
                ColumnType ct = t.columns().get(i).type();
                mode[i] = (byte) (ct.kind() == Kind.BIT ? 2
                        : ct.kind() == Kind.OTHER && MySqlTypes.isGeometry(ct.nativeType()) ? 2 : 0);
            }
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == limit && !fill()) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            bytes += n;
            return n;
        }

        private boolean fill() {
            pos = 0;
            limit = 0;
            if (failure != null) {
                return false;
            }
            try {
                while (limit < TARGET && rows.hasNext()) {
                    encode(rows.next());
                    count++;
                }
            } catch (RuntimeException e) {
                // end the stream here; the writer rethrows after the server has finished reading
                failure = e;
                limit = 0;
                return false;
            }
            return limit > 0;
        }

        private void encode(Object[] row) {
            if (row.length != width) {
                throw new TidewayException(ErrorCode.INTERNAL, "row has " + row.length + " values, the table " + width + " columns");
            }
            for (int i = 0; i < width; i++) {
                if (i > 0) {
                    put((byte) '\t');
                }
                value(row[i], mode[i]);
            }
            put((byte) '\n');
        }

        private void value(Object v, byte m) {
            if (v == null) {
                put(NULL);
            } else if (v instanceof String s) {
                if (m == 2) {
                    ascii(s);
                } else {
                    text(s);
                }
            } else if (v instanceof Long l) {
                number(l);
            } else if (v instanceof Integer n) {
                number(n);
            } else if (v instanceof Boolean bo) {
                put(bo ? (byte) '1' : (byte) '0');
            } else if (v instanceof byte[] b) {
                hex(b);
            } else if (v instanceof BigDecimal d) {
                ascii(d.toPlainString());
            } else if (v instanceof BigInteger bi) {
                ascii(bi.toString());
            } else if (v instanceof Float f) {
                ascii(Double.toString(f.doubleValue()));
            } else if (v instanceof Double d) {
                ascii(Double.toString(d));
            } else {
                text(v.toString());
            }
        }

        private void ensure(int n) {
            if (limit + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, limit + n + 1024));
            }
        }

        private void put(byte b) {
            ensure(1);
            buf[limit++] = b;
        }

        private void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, limit, b.length);
            limit += b.length;
        }

        private void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[limit++] = (byte) s.charAt(i);
            }
        }

        private void number(long v) {
            if (v == Long.MIN_VALUE) {
                ascii("-9223372036854775808");
                return;
            }
            ensure(20);
            if (v < 0) {
                buf[limit++] = '-';
                v = -v;
            }
            int start = limit;
            do {
                buf[limit++] = (byte) ('0' + (v % 10));
                v /= 10;
            } while (v != 0);
            for (int a = start, z = limit - 1; a < z; a++, z--) {
                byte tmp = buf[a];
                buf[a] = buf[z];
                buf[z] = tmp;
            }
        }

        private void hex(byte[] b) {
            ensure(b.length * 2);
            for (byte x : b) {
                buf[limit++] = HEX[(x >> 4) & 0xF];
                buf[limit++] = HEX[x & 0xF];
            }
        }

        /**
         * UTF-8 with the LOAD DATA escapes. The JDK's encoder (a plain copy for ASCII-only strings)
         * does the UTF-8 work, unpaired surrogates included (written as '?'); one pass over its bytes
         * then adds the escapes. UTF-8 continuation and lead bytes are all 0x80 and above, so only
         * the ASCII bytes need a look.
         */
        private void text(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            int n = u.length;
            ensure(2 * n);
            byte[] out = buf;
            int p = limit;
            for (int i = 0; i < n; i++) {
                byte b = u[i];
                if ((b & 0xE0) != 0 && b != '\\') {
                    out[p++] = b;   // 0x20..0x7F except the backslash, or any byte of a multi-byte character
                    continue;
                }
                switch (b) {
                    case '\\' -> { out[p++] = '\\'; out[p++] = '\\'; }
                    case '\t' -> { out[p++] = '\\'; out[p++] = 't'; }
                    case '\n' -> { out[p++] = '\\'; out[p++] = 'n'; }
                    case '\r' -> { out[p++] = '\\'; out[p++] = 'r'; }
                    case 0 -> { out[p++] = '\\'; out[p++] = '0'; }
                    default -> out[p++] = b;
                }
            }
            limit = p;
        }
    }
}

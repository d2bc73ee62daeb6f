package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.ReadOptions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Conversions between stored values and Tideway's canonical forms: ResultSet to canonical, and
 * canonical to a JDBC parameter (with the placeholder SQL a kind needs).
 */
final class MySqlValues {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private MySqlValues() { }

    // ------------------------------------------------------------ reading

    /** Reads column {@code i} (1-based) of the current row in canonical form. */
    static Object read(ResultSet rs, int i, Column col, TableId table, ReadOptions options) throws SQLException {
        ColumnType type = col.type();
        switch (type.kind()) {
            case BOOLEAN: {
                int v = rs.getInt(i);
                return rs.wasNull() ? null : v != 0;
            }
            case INT8: case INT16: case INT32: case INT64: case UINT8: case UINT16: case UINT32: case YEAR: {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            }
            case UINT64: {
                String s = rs.getString(i);
                return s == null ? null : unsigned64(s);
            }
            case DECIMAL:
                return rs.getBigDecimal(i);
            case FLOAT32: {
                double v = rs.getDouble(i); // selected as a double: exact, then narrowed without loss
                return rs.wasNull() ? null : (float) v;
            }
            case FLOAT64: {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case BIT: {
                byte[] b = rs.getBytes(i);
                return b == null ? null : bits(b, type.length());
            }
            case BINARY: case VARBINARY: case BLOB:
                return rs.getBytes(i);
            case DATE: {
                String s = rs.getString(i);
                return s == null ? null : zeroCheck(s, col, table, options);
            }
            case TIME: {
                String s = rs.getString(i);
                return s == null ? null : time(s);
            }
            case TIME_OF_DAY: {
                String s = rs.getString(i);
                return s == null ? null : trimFraction(s);
            }
            case DATETIME: case TIMESTAMP: {
                String s = rs.getString(i);
                return s == null ? null : zeroCheck(trimFraction(s), col, table, options);
            }
            case UUID: {
                String s = rs.getString(i);
                return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
            }
            case OTHER: {
                if (MySqlTypes.isGeometry(type.nativeType())) {
                    byte[] b = rs.getBytes(i);
                    return b == null ? null : hex(b);
                }
                return rs.getString(i);
            }
            default:
                return rs.getString(i);
        }
    }

    static Object unsigned64(String s) {
        if (s.length() < 19) {
            return Long.parseLong(s);
        }
        BigInteger b = new BigInteger(s);
        return b.compareTo(LONG_MAX) <= 0 ? (Object) b.longValue() : b;
    }

    /** The bits of a BIT(n) value, most significant first, exactly n long. */
    static String bits(byte[] b, int n) {
        int width = n > 0 ? n : b.length * 8;
        char[] out = new char[width];
        for (int k = 0; k < width; k++) {
            int bit = width - 1 - k;          // bit number counted from the least significant end
            int byteIndex = b.length - 1 - bit / 8;
            int v = byteIndex < 0 ? 0 : (b[byteIndex] >> (bit % 8)) & 1;
            out[k] = v == 0 ? '0' : '1';
        }
        return new String(out);
    }

    static String hex(byte[] b) {
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[b[i] & 0xF];
        }
        return new String(out);
    }

    /** "yyyy-MM-dd HH:mm:ss.120000" -> "yyyy-MM-dd HH:mm:ss.12"; the fraction goes when zero. */
    static String trimFraction(String s) {
        int dot = s.lastIndexOf('.');
        if (dot < 0) {
            return s;
        }
        int end = s.length();
        while (end > dot + 1 && s.charAt(end - 1) == '0') {
            end--;
        }
        if (end == dot + 1) {
            end = dot;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /** "-01:02:03.500000" -> "-1:02:03.5": hours without leading zeros, fraction trimmed. */
    static String time(String s) {
        String t = trimFraction(s);
        int start = t.startsWith("-") ? 1 : 0;
        int i = start;
        while (i < t.length() - 1 && t.charAt(i) == '0' && t.charAt(i + 1) != ':') {
            i++;
        }
        if (i == start) {
            return t;
        }
        return (start == 1 ? "-" : "") + t.substring(i);
    }

    /** A date or datetime with a zero month or day, as the read options say (verbatim by default). */
    private static Object zeroCheck(String s, Column col, TableId table, ReadOptions options) {
        return options.zeroDates().apply(s, col, table, options.warnings());
    }

    // ------------------------------------------------------------ parameters

    /** The placeholder for a value of this kind: BIT values travel as their '0'/'1' text. */
    static String placeholder(ColumnType type) {
        return type.kind() == Kind.BIT ? "CAST(CONV(?, 2, 10) AS UNSIGNED)" : "?";
    }

    /** Binds a canonical value as a parameter of a statement built with {@link #placeholder}. */
    static void bind(PreparedStatement ps, int idx, ColumnType type, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(idx, Types.NULL);
        } else if (v instanceof Boolean b) {
            ps.setInt(idx, b ? 1 : 0);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            ps.setLong(idx, ((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            ps.setBigDecimal(idx, new BigDecimal(b));
        } else if (v instanceof BigDecimal b) {
            ps.setBigDecimal(idx, b);
        } else if (v instanceof Float f) {
            // the float's exact value as a double: its shortest text may exceed the float range when parsed
            setDouble(ps, idx, f.doubleValue());
        } else if (v instanceof Double d) {
            setDouble(ps, idx, d);
        } else if (v instanceof byte[] b) {
            ps.setBytes(idx, b);
        } else if (type.kind() == Kind.BOOLEAN && v instanceof String s) {
            ps.setInt(idx, MySqlDdl.literal(Kind.BOOLEAN, s).equals("1") ? 1 : 0);
        } else if (type.kind() == Kind.OTHER && MySqlTypes.isGeometry(type.nativeType()) && v instanceof String s) {
            ps.setBytes(idx, unhex(s));
        } else {
            ps.setString(idx, v.toString());
        }
    }

    private static void setDouble(PreparedStatement ps, int idx, double d) throws SQLException {
        if (d == 0 && Double.doubleToRawLongBits(d) != 0) {
            ps.setString(idx, "-0e0"); // "-0.0" in SQL is the decimal 0 and would lose the sign
        } else {
            ps.setDouble(idx, d);
        }
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s, 2 * i, 2 * i + 2, 16);
        }
        return out;
    }
}

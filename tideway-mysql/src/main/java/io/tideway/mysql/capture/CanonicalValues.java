package io.tideway.mysql.capture;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns the row images of the binlog connectors into Tideway's canonical values, the same the
 * dialect's {@code openRows} returns for the row. The connector runs with decimal handling
 * "precise", unsigned bigint "precise", binary "bytes", time precision
 * "adaptive_time_microseconds" and the source column types propagated to the schemas; from there:
 * <ul>
 *   <li>TINYINT (also tinyint(1)) .. BIGINT, YEAR: {@link Long}; BIGINT UNSIGNED (a Decimal of
 *       scale 0): {@link Long}, or {@link BigInteger} above 2^63-1;</li>
 *   <li>DECIMAL: {@link BigDecimal} as given; FLOAT: {@link Float}; DOUBLE: {@link Double};</li>
 *   <li>BIT(1) (a Boolean) and BIT(n) (little-endian bytes): '0'/'1' text, most significant bit
 *       first, n long;</li>
 *   <li>DATE (epoch days): "yyyy-MM-dd"; TIME (microseconds, signed): "[-]H:mm:ss[.ffffff]", hours
 *       unpadded; DATETIME (epoch millis or micros of the wall clock read as UTC) and TIMESTAMP (an
 *       ISO instant): "yyyy-MM-dd HH:mm:ss[.ffffff]" in UTC; fractions lose trailing zeros;</li>
 *   <li>zero dates: a TIMESTAMP at the epoch is MySQL's zero timestamp, "0000-00-00 00:00:00"; a
 *       DATE or DATETIME with a zero month or day comes as NULL (nullable columns) or as the
 *       column's default or the epoch (NOT NULL), which {@link RowShape#standIns} tells so that
 *       {@link ZeroDateLookup} can look the stored value up;</li>
 *   <li>binary kinds: {@code byte[]}; spatial types: hex of the server's internal form (SRID,
 *       little-endian, then WKB); UUID: lower case; text, JSON, ENUM, SET: the string.</li>
 * </ul>
 */
final class CanonicalValues {
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    static final String TYPE_PARAM = "__debezium.source.column.type";
    static final String ZERO_TIMESTAMP = "0000-00-00 00:00:00";
    static final String LENGTH_PARAM = "__debezium.source.column.length";

    /** Converts one value of a field. */
    interface FieldConverter {
        Object convert(Object v);
    }

    /**
     * The canonical shape of one row schema: column names in order, a converter per column, and for
     * each DATE or DATETIME column the value the connector gives in place of a zero date (null for a
     * nullable column; in {@link #NOT_A_DATE} for other columns).
     */
    record RowShape(List<String> columns, Field[] fields, FieldConverter[] converters, Object[] standIns) {
        Object[] convert(Struct row) {
            if (row == null) {
                return null;
            }
            Object[] out = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                Object v = row.get(fields[i]);
                out[i] = v == null ? null : converters[i].convert(v);
            }
            return out;
        }

        /**
         * The indexes of the values of a converted row that may stand for a zero date, or null when
         * none does; a NULL in a nullable column counts only when {@code nullsToo}.
         */
        int[] suspects(Object[] row, boolean nullsToo) {
            int[] out = null;
            int n = 0;
            for (int i = 0; i < standIns.length; i++) {
                Object standIn = standIns[i];
                if (standIn == NOT_A_DATE || (standIn == null && !nullsToo) || !java.util.Objects.equals(standIn, row[i])) {
                    continue;
                }
                if (out == null) {
                    out = new int[standIns.length];
                }
                out[n++] = i;
            }
            return out == null ? null : java.util.Arrays.copyOf(out, n);
        }
    }

    /** The stand-in of a column that holds no DATE or DATETIME. */
    static final Object NOT_A_DATE = new Object();

    private final Map<Schema, RowShape> shapes = new IdentityHashMap<>();

    /** The shape of a row schema; schemas are reused by the connector until the table changes. */
    RowShape shape(Schema rowSchema) {
        RowShape s = shapes.get(rowSchema);
        if (s == null) {
            List<Field> fs = rowSchema.fields();
            List<String> names = new ArrayList<>(fs.size());
            FieldConverter[] cs = new FieldConverter[fs.size()];
            Object[] standIns = new Object[fs.size()];
            for (int i = 0; i < fs.size(); i++) {
                names.add(fs.get(i).name());
                cs[i] = converter(fs.get(i).schema());
                standIns[i] = standIn(fs.get(i).schema(), cs[i]);
            }
            s = new RowShape(List.copyOf(names), fs.toArray(new Field[0]), cs, standIns);
            if (shapes.size() > 10_000) {
                shapes.clear();
            }
            shapes.put(rowSchema, s);
        }
        return s;
    }

    /**
     * What the connector gives for a zero date in a DATE or DATETIME column: NULL when the column is
     * nullable, else the schema's default or the epoch; {@link #NOT_A_DATE} for other columns.
     */
    static Object standIn(Schema s, FieldConverter converter) {
        String name = s.name() == null ? "" : s.name();
        switch (name) {
            case "io.debezium.time.Date", "io.debezium.time.Timestamp", "io.debezium.time.MicroTimestamp",
                    "io.debezium.time.NanoTimestamp":
                break;
            default:
                return NOT_A_DATE;
        }
        if (s.isOptional()) {
            return null;
        }
        return converter.convert(s.defaultValue() != null ? s.defaultValue() : 0L);
    }

    static FieldConverter converter(Schema s) {
        String sourceType = param(s, TYPE_PARAM).toUpperCase(Locale.ROOT);
        String name = s.name() == null ? "" : s.name();
        switch (name) {
            case "io.debezium.time.Date":
                return v -> LocalDate.ofEpochDay(((Number) v).longValue()).toString();
            case "io.debezium.time.MicroTime":
                return v -> time(((Number) v).longValue());
            case "io.debezium.time.Time":
                return v -> time(((Number) v).longValue() * 1000);
            case "io.debezium.time.NanoTime":
                return v -> time(((Number) v).longValue() / 1000);
            case "io.debezium.time.Timestamp":
                return v -> dateTime(((Number) v).longValue() * 1000);
            case "io.debezium.time.MicroTimestamp":
                return v -> dateTime(((Number) v).longValue());
            case "io.debezium.time.NanoTimestamp":
                return v -> dateTime(((Number) v).longValue() / 1000);
            case "io.debezium.time.ZonedTimestamp":
                return v -> zoned(v.toString());
            case "io.debezium.time.Year":
                return v -> ((Number) v).longValue();
            case "io.debezium.data.Bits": {
                int width = intParam(s, "length", intParam(s, LENGTH_PARAM, 0));
                return v -> bitsLittleEndian(bytes(v), width);
            }
            case "org.apache.kafka.connect.data.Decimal":
                if (sourceType.startsWith("BIGINT")) {
                    return v -> unsigned64(((BigDecimal) v).toBigInteger());
                }
                return v -> v;
            case "io.debezium.data.geometry.Geometry":
            case "io.debezium.data.geometry.Point":
                return CanonicalValues::geometry;
            default:
                break;
        }
        switch (s.type()) {
            case BOOLEAN:
                if (sourceType.startsWith("BIT")) {
                    return v -> ((Boolean) v) ? "1" : "0";
                }
                return v -> v;
            case INT8:
            case INT16:
            case INT32:
            case INT64:
                return v -> ((Number) v).longValue();
            case FLOAT32:
                return v -> ((Number) v).floatValue();
            case FLOAT64:
                if (sourceType.startsWith("FLOAT")) {
                    return v -> ((Number) v).floatValue();
                }
                return v -> ((Number) v).doubleValue();
            case BYTES:
                return CanonicalValues::bytes;
            case STRING:
                if (sourceType.equals("UUID")) {
                    return v -> v.toString().toLowerCase(Locale.ROOT);
                }
                return v -> v;
            default:
                return v -> v;
        }
    }

    private static String param(Schema s, String key) {
        Map<String, String> p = s.parameters();
        String v = p == null ? null : p.get(key);
        return v == null ? "" : v;
    }

    private static int intParam(Schema s, String key, int dflt) {
        String v = param(s, key);
        try {
            return v.isEmpty() ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        ByteBuffer d = ((ByteBuffer) v).duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    static Object unsigned64(BigInteger b) {
        return b.compareTo(LONG_MAX) <= 0 ? (Object) b.longValue() : b;
    }

    /** Bits given least significant byte first, as '0'/'1' text most significant bit first, {@code n} long. */
    static String bitsLittleEndian(byte[] le, int n) {
        int width = n > 0 ? n : le.length * 8;
        char[] out = new char[width];
        for (int k = 0; k < width; k++) {
            int bit = width - 1 - k;
            int byteIndex = bit / 8;
            int v = byteIndex >= le.length ? 0 : (le[byteIndex] >> (bit % 8)) & 1;
            out[k] = v == 0 ? '0' : '1';
        }
        return new String(out);
    }

    /** A signed duration in microseconds as "[-]H:mm:ss[.ffffff]". */
    static String time(long micros) {
        StringBuilder sb = new StringBuilder(20);
        long a = micros;
        if (a < 0) {
            sb.append('-');
            a = -a;
        }
        long secs = a / 1_000_000;
        int frac = (int) (a % 1_000_000);
        sb.append(secs / 3600).append(':');
        two(sb, (int) (secs / 60 % 60));
        sb.append(':');
        two(sb, (int) (secs % 60));
        fraction(sb, frac);
        return sb.toString();
    }

    /** Epoch microseconds as the UTC wall clock "yyyy-MM-dd HH:mm:ss[.ffffff]". */
    static String dateTime(long epochMicros) {
        long secs = Math.floorDiv(epochMicros, 1_000_000L);
        int frac = (int) Math.floorMod(epochMicros, 1_000_000L);
        return dateTime(LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC), frac);
    }

    private static String dateTime(LocalDateTime t, int micros) {
        StringBuilder sb = new StringBuilder(26);
        int y = t.getYear();
        if (y < 1000) {
            sb.append(y < 10 ? "000" : y < 100 ? "00" : "0");
        }
        sb.append(y).append('-');
        two(sb, t.getMonthValue());
        sb.append('-');
        two(sb, t.getDayOfMonth());
        sb.append(' ');
        two(sb, t.getHour());
        sb.append(':');
        two(sb, t.getMinute());
        sb.append(':');
        two(sb, t.getSecond());
        fraction(sb, micros);
        return sb.toString();
    }

    /**
     * An ISO instant with offset ("2038-01-19T03:14:07.999999Z") in UTC; the epoch, below the range
     * of MySQL's TIMESTAMP, is its zero timestamp "0000-00-00 00:00:00".
     */
    static String zoned(String iso) {
        Instant i = OffsetDateTime.parse(iso).toInstant();
        if (i.getEpochSecond() == 0 && i.getNano() == 0) {
            return ZERO_TIMESTAMP;
        }
        return dateTime(LocalDateTime.ofEpochSecond(i.getEpochSecond(), 0, ZoneOffset.UTC), i.getNano() / 1000);
    }

    private static void two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    private static void fraction(StringBuilder sb, int micros) {
        if (micros == 0) {
            return;
        }
        int digits = 6;
        int f = micros;
        while (f % 10 == 0) {
            f /= 10;
            digits--;
        }
        sb.append('.');
        String s = Integer.toString(f);
        for (int i = s.length(); i < digits; i++) {
            sb.append('0');
        }
        sb.append(s);
    }

    /** The server's internal spatial form (SRID little-endian, then WKB) in hex, as the full copy reads it. */
    static Object geometry(Object v) {
        Struct g = (Struct) v;
        byte[] wkb = bytes(g.get("wkb"));
        Object sridObj = g.schema().field("srid") == null ? null : g.get("srid");
        int srid = sridObj == null ? 0 : ((Number) sridObj).intValue();
        char[] out = new char[(wkb.length + 4) * 2];
        int p = 0;
        for (int i = 0; i < 4; i++) {
            int b = (srid >> (8 * i)) & 0xFF;
            out[p++] = HEX[b >> 4];
            out[p++] = HEX[b & 0xF];
        }
        for (byte b : wkb) {
            out[p++] = HEX[(b >> 4) & 0xF];
            out[p++] = HEX[b & 0xF];
        }
        return new String(out);
    }
}

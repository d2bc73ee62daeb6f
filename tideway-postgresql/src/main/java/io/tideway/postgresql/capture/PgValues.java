package io.tideway.postgresql.capture;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Debezium's representation of a PostgreSQL value (decimal.handling.mode=precise,
 * binary.handling.mode=bytes, time.precision.mode=adaptive_time_microseconds,
 * interval.handling.mode=string) turned into the canonical form that {@code PostgresDialect.openRows}
 * returns for the same value:
 * <ul>
 *   <li>int2/int4/int8: Long; real: Float; double: Double; bool: Boolean;</li>
 *   <li>numeric: BigDecimal with the stored scale (Decimal, or VariableScaleDecimal for unconstrained
 *       numeric; NaN/Infinity fail with DATA_INVALID as in the full copy);</li>
 *   <li>bit(n): '0'/'1' text of exactly n characters, most significant first (Debezium gives a Boolean for
 *       bit(1) and little-endian bytes of the bit string for n > 1);</li>
 *   <li>char(n): without trailing pad spaces; bytea: byte[];</li>
 *   <li>date (epoch days): "yyyy-MM-dd"; time (micros of day): "HH:mm:ss[.f]"; timestamp (millis or micros):
 *       "yyyy-MM-dd HH:mm:ss[.f]"; timestamptz (ISO text): the same in UTC without "+00"; fractions without
 *       trailing zeros, as PostgreSQL prints them; 'infinity' stays PostgreSQL's text;</li>
 *   <li>interval (ISO "PnYnMnDTnHnMnS"): TIME canonical "[-]H:mm:ss[.f]" (days = 24 h; years or months fail
 *       with DATA_INVALID, as in the full copy);</li>
 *   <li>json/jsonb/uuid/enum/xml/inet/...: the text Debezium gives, which is PostgreSQL's own output;</li>
 *   <li>arrays (one dimension): JSON array text as {@code array_to_json} prints it.</li>
 * </ul>
 * Verbatim (changes going to PostgreSQL, with {@link PgVerbatimConverter} giving arrays, numerics and
 * hstore as PostgreSQL's text): arrays stay that text, numeric NaN/Infinity/-Infinity stay text, and an
 * interval with years or months stays Debezium's ISO text, which PostgreSQL reads back as it was.
 */
final class PgValues {
    private PgValues() { }

    /** micros of PGStatement.DATE_POSITIVE_INFINITY / NEGATIVE, as Debezium passes them through. */
    private static final long POS_INF_MICROS = 9223372036825200000L;
    private static final long NEG_INF_MICROS = -9223372036832400000L;
    private static final long POS_INF_DAYS = LocalDate.parse("-5877611-06-21").toEpochDay();
    private static final long NEG_INF_DAYS = LocalDate.parse("-5877611-06-22").toEpochDay();

    /** Converts one value (never the unavailable-value placeholder; the caller checks that first). */
    static Object canonical(Object v, Schema schema, Column c, TableId table) {
        return canonical(v, schema, c, table, false);
    }

    /** {@link #canonical(Object, Schema, Column, TableId)}, or verbatim (see the class comment). */
    static Object canonical(Object v, Schema schema, Column c, TableId table, boolean verbatim) {
        if (v == null) {
            return null;
        }
        if (verbatim && v instanceof String s && (t(c) == Kind.ARRAY || t(c) == Kind.DECIMAL && isSpecialNumeric(s)
                || t(c) == Kind.TIME && s.startsWith("P") && hasYearsOrMonths(s))) {
            return s;
        }
        ColumnType t = c.type();
        String name = schema.name();
        switch (t.kind()) {
            case BOOLEAN:
                return v;
            case INT8: case INT16: case INT32: case INT64: case UINT8: case UINT16: case UINT32: case YEAR:
                return ((Number) v).longValue();
            case FLOAT32:
                return ((Number) v).floatValue();
            case FLOAT64:
                return ((Number) v).doubleValue();
            case DECIMAL: case UINT64:
                return decimal(v, name, c, table);
            case BIT:
                return bits(v, t.length());
            case CHAR:
                return stripPad((String) v);
            case BINARY: case VARBINARY: case BLOB:
                return bytes(v);
            case DATE:
                return date(((Number) v).longValue());
            case TIME_OF_DAY:
                return timeOfDay(v, name);
            case DATETIME:
                return dateTime(v, name);
            case TIMESTAMP:
                return zoned((String) v);
            case TIME:
                return v instanceof String s ? isoIntervalToTime(s, c, table) : microsToTime(((Number) v).longValue());
            case ARRAY: {
                StringBuilder b = new StringBuilder();
                jsonArray((List<?>) v, schema.valueSchema(), t.element(), c, table, b);
                return b.toString();
            }
            default:
                return v instanceof String ? v : v.toString();
        }
    }

    private static Kind t(Column c) {
        return c.type().kind();
    }

    static boolean isSpecialNumeric(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity");
    }

    /** Whether Debezium's ISO interval "PnYnMnDTnHnMnS" has a years or months part other than 0. */
    static boolean hasYearsOrMonths(String iso) {
        int t = iso.indexOf('T');
        java.util.regex.Matcher m = YEARS_MONTHS.matcher(t < 0 ? iso : iso.substring(0, t));
        while (m.find()) {
            if (!m.group(1).matches("-?0+")) {
                return true;
            }
        }
        return false;
    }

    private static final java.util.regex.Pattern YEARS_MONTHS = java.util.regex.Pattern.compile("(-?\\d+)[YM]");

    static BigDecimal decimal(Object v, String schemaName, Column c, TableId table) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Struct s && "io.debezium.data.VariableScaleDecimal".equals(schemaName)) {
            Object raw = s.get("value");
            Integer scale = s.getInt32("scale");
            if (raw == null || scale == null) {
                throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                        + ": numeric value NaN or Infinity has no decimal equivalent (exclude or update those rows)");
            }
            byte[] bytes = raw instanceof ByteBuffer bb ? bytes(bb) : (byte[]) raw;
            return new BigDecimal(new BigInteger(bytes), scale);
        }
        if (v instanceof String s) {
            if (s.equals("NaN") || s.endsWith("Infinity")) {
                throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                        + ": numeric value " + s + " has no decimal equivalent (exclude or update those rows)");
            }
            return new BigDecimal(s);
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        throw new TidewayException(ErrorCode.INTERNAL, "table " + table + ", column " + c.name()
                + ": unexpected numeric representation " + v.getClass().getSimpleName());
    }

    static String bits(Object v, int length) {
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        BitSet set = BitSet.valueOf(bytes(v));
        int n = Math.max(length, 1);
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[n - 1 - i] = set.get(i) ? '1' : '0';
        }
        return new String(out);
    }

    static String stripPad(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    static byte[] bytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        ByteBuffer bb = ((ByteBuffer) v).duplicate();
        byte[] b = new byte[bb.remaining()];
        bb.get(b);
        return b;
    }

    static String date(long epochDay) {
        if (epochDay == POS_INF_DAYS) {
            return "infinity";
        }
        if (epochDay == NEG_INF_DAYS) {
            return "-infinity";
        }
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        StringBuilder b = new StringBuilder(10);
        appendDate(b, d);
        return d.getYear() <= 0 ? b.append(" BC").toString() : b.toString();
    }

    private static void appendDate(StringBuilder b, LocalDate d) {
        int y = d.getYear();
        if (y <= 0) {
            // PostgreSQL prints BC years as "0044-03-15 BC"; the ISO year 0 is 1 BC
            pad(b, 1 - y, 4).append('-');
            pad(b, d.getMonthValue(), 2).append('-');
            pad(b, d.getDayOfMonth(), 2);
            return;
        }
        pad(b, y, 4).append('-');
        pad(b, d.getMonthValue(), 2).append('-');
        pad(b, d.getDayOfMonth(), 2);
    }

    private static StringBuilder pad(StringBuilder b, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }

    /** hh:mm:ss plus the fraction of {@code micros} (0..999999) without trailing zeros. */
    private static void appendTime(StringBuilder b, long h, long m, long s, long micros) {
        pad(b, h, 2).append(':');
        pad(b, m, 2).append(':');
        pad(b, s, 2);
        appendFraction(b, micros);
    }

    private static void appendFraction(StringBuilder b, long micros) {
        if (micros == 0) {
            return;
        }
        String f = Long.toString(1_000_000L + micros).substring(1);
        int end = f.length();
        while (f.charAt(end - 1) == '0') {
            end--;
        }
        b.append('.').append(f, 0, end);
    }

    static String timeOfDay(Object v, String schemaName) {
        long micros = ((Number) v).longValue();
        if ("io.debezium.time.Time".equals(schemaName)) {
            micros *= 1000;
        } else if ("io.debezium.time.NanoTime".equals(schemaName)) {
            micros /= 1000;
        }
        StringBuilder b = new StringBuilder(15);
        long secs = micros / 1_000_000L;
        appendTime(b, secs / 3600, (secs / 60) % 60, secs % 60, micros % 1_000_000L);
        return b.toString();
    }

    static String dateTime(Object v, String schemaName) {
        long micros = ((Number) v).longValue();
        if ("io.debezium.time.Timestamp".equals(schemaName)) {
            if (micros == POS_INF_MICROS / 1000) {
                return "infinity";
            } else if (micros == NEG_INF_MICROS / 1000) {
                return "-infinity";
            }
            micros = Math.multiplyExact(micros, 1000L);
        } else if ("io.debezium.time.NanoTimestamp".equals(schemaName)) {
            micros = Math.floorDiv(micros, 1000L);
        }
        if (micros == POS_INF_MICROS) {
            return "infinity";
        } else if (micros == NEG_INF_MICROS) {
            return "-infinity";
        }
        long secs = Math.floorDiv(micros, 1_000_000L);
        long us = Math.floorMod(micros, 1_000_000L);
        return format(LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC), us, ' ');
    }

    private static String format(LocalDateTime t, long micros, char sep) {
        StringBuilder b = new StringBuilder(26);
        appendDate(b, t.toLocalDate());
        b.append(sep);
        appendTime(b, t.getHour(), t.getMinute(), t.getSecond(), micros);
        if (t.getYear() <= 0) {
            b.append(" BC");
        }
        return b.toString();
    }

    /** Debezium's ZonedTimestamp ISO text as "yyyy-MM-dd HH:mm:ss[.f]" in UTC. */
    static String zoned(String s) {
        if (s.equals("infinity") || s.equals("-infinity")) {
            return s;
        }
        Instant i = OffsetDateTime.parse(s).toInstant();
        return format(LocalDateTime.ofEpochSecond(i.getEpochSecond(), 0, ZoneOffset.UTC), i.getNano() / 1000, ' ');
    }

    /** Debezium's ISO interval "PnYnMnDTnHnMnS" (each part signed) as "[-]H:mm:ss[.f]". */
    static String isoIntervalToTime(String s, Column c, TableId table) {
        long years = 0;
        long months = 0;
        long days = 0;
        long hours = 0;
        long minutes = 0;
        BigDecimal seconds = BigDecimal.ZERO;
        int i = 1;
        boolean timePart = false;
        while (i < s.length()) {
            if (s.charAt(i) == 'T') {
                timePart = true;
                i++;
                continue;
            }
            int start = i;
            while (i < s.length() && !Character.isLetter(s.charAt(i))) {
                i++;
            }
            String num = s.substring(start, i);
            char unit = s.charAt(i++);
            if (!timePart) {
                switch (unit) {
                    case 'Y' -> years = Long.parseLong(num);
                    case 'M' -> months = Long.parseLong(num);
                    case 'D' -> days = Long.parseLong(num);
                    default -> throw new IllegalArgumentException("unexpected interval " + s);
                }
            } else {
                switch (unit) {
                    case 'H' -> hours = Long.parseLong(num);
                    case 'M' -> minutes = Long.parseLong(num);
                    case 'S' -> seconds = new BigDecimal(num);
                    default -> throw new IllegalArgumentException("unexpected interval " + s);
                }
            }
        }
        if (years != 0 || months != 0) {
            throw new TidewayException(ErrorCode.DATA_INVALID, "table " + table + ", column " + c.name()
                    + ": interval '" + s + "' holds years or months, which have no fixed length in hours");
        }
        BigInteger total = BigInteger.valueOf(((days * 24 + hours) * 60 + minutes) * 60).multiply(BigInteger.valueOf(1_000_000))
                .add(seconds.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).toBigIntegerExact());
        return microsToTime(total.longValueExact());
    }

    static String microsToTime(long total) {
        StringBuilder b = new StringBuilder();
        if (total < 0) {
            b.append('-');
            total = -total;
        }
        long us = total % 1_000_000L;
        long secs = total / 1_000_000L;
        b.append(secs / 3600).append(':');
        pad(b, (secs / 60) % 60, 2).append(':');
        pad(b, secs % 60, 2);
        appendFraction(b, us);
        return b.toString();
    }

    // ---------------------------------------------------------------- arrays as array_to_json prints them

    private static void jsonArray(List<?> list, Schema elemSchema, ColumnType elem, Column c, TableId table, StringBuilder b) {
        b.append('[');
        for (int k = 0; k < list.size(); k++) {
            if (k > 0) {
                b.append(',');
            }
            jsonElement(list.get(k), elemSchema, elem, c, table, b);
        }
        b.append(']');
    }

    private static void jsonElement(Object v, Schema schema, ColumnType elem, Column c, TableId table, StringBuilder b) {
        if (v == null) {
            b.append("null");
            return;
        }
        if (v instanceof List<?> inner) {
            jsonArray(inner, schema.valueSchema(), elem, c, table, b);
            return;
        }
        Kind k = elem == null ? Kind.OTHER : elem.kind();
        String name = schema == null ? null : schema.name();
        switch (k) {
            case BOOLEAN, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, YEAR -> b.append(v);
            case DECIMAL, UINT64 -> b.append(decimal(v, name, c, table).toPlainString());
            case FLOAT32, FLOAT64 -> b.append(v);
            case JSON -> b.append(v);
            case DATE -> jsonString(date(((Number) v).longValue()), b);
            case TIME_OF_DAY -> jsonString(timeOfDay(v, name), b);
            case DATETIME -> jsonString(dateTime(v, name).replace(' ', 'T'), b);
            case TIMESTAMP -> {
                String z = zoned((String) v);
                jsonString(z.endsWith("infinity") ? z : z.replace(' ', 'T') + "+00:00", b);
            }
            case BINARY, VARBINARY, BLOB -> {
                byte[] bytes = bytes(v);
                StringBuilder h = new StringBuilder(2 + bytes.length * 2).append("\\x");
                for (byte x : bytes) {
                    h.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
                }
                jsonString(h.toString(), b);
            }
            case CHAR -> jsonString(stripPad((String) v), b);
            case BIT -> jsonString(bits(v, elem.length()), b);
            case TIME -> jsonString(canonical(v, schema, new Column(c.name(), elem, true, null, false, null), table).toString(), b);
            default -> jsonString(v.toString(), b);
        }
    }

    /** A JSON string as PostgreSQL's escape_json writes it. */
    static void jsonString(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        b.append('"');
    }
}

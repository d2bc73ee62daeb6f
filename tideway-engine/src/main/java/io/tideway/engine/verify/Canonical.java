package io.tideway.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tideway.core.model.ColumnType;
import java.math.BigDecimal;
import java.util.HexFormat;

/**
 * One comparable text per value, the same whichever database it came from: numbers without
 * trailing zeros, CHAR without its padding, JSON with sorted keys and no spacing, bytes as hex.
 * Two values are equal for Tideway when their canonical texts are equal.
 */
public final class Canonical {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true).build();

    private Canonical() { }

    public static String of(Object v, ColumnType type) {
        if (v == null) {
            return "\u0000NULL";
        }
        if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            return v instanceof Float ? "F" + v : "D" + d;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return Long.toString(((Number) v).longValue());   // what the decimal form below gives for an integer
        }
        if (v instanceof java.math.BigInteger i) {
            return i.toString();
        }
        if (v instanceof Number n) {
            BigDecimal b = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
            return b.signum() == 0 ? "0" : b.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof byte[] bytes) {
            return "x" + HexFormat.of().formatHex(bytes);
        }
        String s = v.toString();
        return switch (type.kind()) {
            case CHAR -> stripTrailingSpaces(s);
            case JSON, ARRAY -> json(s);
            case UUID -> s.toLowerCase();
            case TIME, TIME_OF_DAY -> time(s);
            default -> s;
        };
    }

    /** "[-]H:mm:ss[.f]" with no leading zeros in the hours and no trailing zeros in the fraction. */
    static String time(String s) {
        boolean neg = s.startsWith("-");
        String body = neg ? s.substring(1) : s;
        int colon = body.indexOf(':');
        if (colon < 0) {
            return s;
        }
        String hours = body.substring(0, colon).replaceFirst("^0+(?=\\d)", "");
        String rest = body.substring(colon);
        int dot = rest.indexOf('.');
        if (dot >= 0) {
            String frac = rest.substring(dot + 1).replaceFirst("0+$", "");
            rest = rest.substring(0, dot) + (frac.isEmpty() ? "" : "." + frac);
        }
        return (neg ? "-" : "") + hours + rest;
    }

    static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    static String json(String s) {
        try {
            JsonNode n = JSON.readTree(s);
            Object plain = JSON.treeToValue(n, Object.class);
            return JSON.writeValueAsString(plain);
        } catch (Exception e) {
            return s;
        }
    }
}

package io.tideway.metadb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Stores a {@link KeyRange} as JSON. Format version 1:
 *
 * <pre>{"v":1,"lower":[ELEMENT, ...] | null,"upper":[ELEMENT, ...] | null}</pre>
 *
 * where a null bound is unbounded and each ELEMENT is JSON null (SQL NULL) or
 * {@code {"t":TAG,"v":VALUE}} with TAG one of:
 * <ul>
 *   <li>{@code long}: a JSON integer ({@link Long}; {@link Integer}, {@link Short} and {@link Byte} are stored as long)</li>
 *   <li>{@code bigint}: {@link BigInteger} as a decimal string</li>
 *   <li>{@code decimal}: {@link BigDecimal} as its {@code toString()} (scale kept)</li>
 *   <li>{@code string}: {@link String}</li>
 *   <li>{@code bytes}: {@code byte[]} as standard base64</li>
 *   <li>{@code bool}: {@link Boolean} as a JSON boolean</li>
 *   <li>{@code double}, {@code float}: {@link Double}/{@link Float} as their {@code toString()}, so NaN,
 *       infinities and -0.0 round-trip exactly</li>
 * </ul>
 * A value of any other Java type is refused; a stored range of another format version is refused
 * with an error naming both versions.
 */
public final class KeyRangeCodec {
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KeyRangeCodec() { }

    public static String encode(KeyRange range) {
        ObjectNode root = NODES.objectNode();
        root.put("v", FORMAT_VERSION);
        root.set("lower", bound(range.lower()));
        root.set("upper", bound(range.upper()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyRange decode(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw damaged("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.has("v")) {
            throw damaged("no format version");
        }
        JsonNode v = root.get("v");
        if (!v.isInt() || v.intValue() != FORMAT_VERSION) {
            throw new TidewayException(ErrorCode.INTERNAL, "a stored key range has format version " + v
                    + "; this Tideway reads only version " + FORMAT_VERSION
                    + " (was the MetaDB written by a newer Tideway?)");
        }
        return new KeyRange(readBound(root.get("lower")), readBound(root.get("upper")));
    }

    private static JsonNode bound(List<Object> values) {
        if (values == null) {
            return NODES.nullNode();
        }
        ArrayNode arr = NODES.arrayNode();
        for (Object o : values) {
            arr.add(element(o));
        }
        return arr;
    }

    private static JsonNode element(Object o) {
        if (o == null) {
            return NODES.nullNode();
        }
        ObjectNode n = NODES.objectNode();
        if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
            n.put("t", "long").put("v", ((Number) o).longValue());
        } else if (o instanceof BigInteger b) {
            n.put("t", "bigint").put("v", b.toString());
        } else if (o instanceof BigDecimal d) {
            n.put("t", "decimal").put("v", d.toString());
        } else if (o instanceof String s) {
            n.put("t", "string").put("v", s);
        } else if (o instanceof byte[] b) {
            n.put("t", "bytes").put("v", Base64.getEncoder().encodeToString(b));
        } else if (o instanceof Boolean b) {
            n.put("t", "bool").put("v", b);
        } else if (o instanceof Double d) {
            n.put("t", "double").put("v", d.toString());
        } else if (o instanceof Float f) {
            n.put("t", "float").put("v", f.toString());
        } else {
            throw new IllegalArgumentException("a key range value of type " + o.getClass().getName()
                    + " cannot be stored; expected a canonical value (Long, BigInteger, BigDecimal, String, byte[],"
                    + " Boolean, Double, Float or null)");
        }
        return n;
    }

    private static List<Object> readBound(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw damaged("a bound is not an array");
        }
        List<Object> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            out.add(readElement(e));
        }
        return out;
    }

    private static Object readElement(JsonNode e) {
        if (e.isNull()) {
            return null;
        }
        JsonNode t = e.get("t");
        JsonNode v = e.get("v");
        if (t == null || v == null) {
            throw damaged("an element lacks its type tag or value");
        }
        try {
            return switch (t.asText()) {
                case "long" -> {
                    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
                        throw damaged("a long element is not an integer: " + v);
                    }
                    yield v.longValue();
                }
                case "bigint" -> new BigInteger(v.textValue());
                case "decimal" -> new BigDecimal(v.textValue());
                case "string" -> {
                    if (!v.isTextual()) {
                        throw damaged("a string element is not a JSON string: " + v);
                    }
                    yield v.textValue();
                }
                case "bytes" -> Base64.getDecoder().decode(v.textValue());
                case "bool" -> v.booleanValue();
                case "double" -> Double.valueOf(v.textValue());
                case "float" -> Float.valueOf(v.textValue());
                default -> throw damaged("unknown type tag '" + t.asText() + "'");
            };
        } catch (NullPointerException | IllegalArgumentException ex) {
            throw damaged("bad " + t.asText() + " value " + v);
        }
    }

    private static TidewayException damaged(String why) {
        return new TidewayException(ErrorCode.INTERNAL, "a stored key range is damaged: " + why);
    }
}

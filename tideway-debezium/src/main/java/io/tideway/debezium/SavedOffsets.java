package io.tideway.debezium;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads fields of the offsets a capture saved ({@link StateOffsetStore}'s values: the engine's JSON
 * text of an offset map), without a JSON library: a number or a string field of the first saved
 * offset that has it.
 */
public final class SavedOffsets {
    private SavedOffsets() { }

    /** The number under {@code key} in the first saved offset that has one. */
    public static Optional<Long> number(Map<String, String> offsets, String key) {
        Pattern p = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(\\d+)");
        for (String v : offsets.values()) {
            Matcher m = v == null ? null : p.matcher(v);
            if (m != null && m.find()) {
                return Optional.of(Long.parseLong(m.group(1)));
            }
        }
        return Optional.empty();
    }

    /** The number under {@code key} in one saved offset's JSON text. */
    public static Optional<Long> number(String offset, String key) {
        return number(Map.of("", offset), key);
    }

    /** The string under {@code key} in one saved offset's JSON text (without escapes). */
    public static Optional<String> text(String offset, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"([^\"]+)\"").matcher(offset);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}

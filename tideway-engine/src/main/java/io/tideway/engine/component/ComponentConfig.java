package io.tideway.engine.component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingValues;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One version of a component's configuration: the values set for its kind's settings (the others
 * take their defaults), validated.
 *
 * <p>Stored as JSON, format {@value #FORMAT}: {@code {"format":1,"source":{...},"sink":{...},
 * "coordinator":{...}}}, each section holding the keys set in it (the name after the section) with
 * their values as text, as {@code tideway components set} takes them.
 *
 * @param version 0 for a configuration not stored yet
 * @param who who wrote this version
 * @param at when; null for one not stored yet
 */
public record ComponentConfig(ComponentKind kind, int version, SettingValues values, String who, Instant at) {
    /** The format of the stored JSON. */
    public static final int FORMAT = 1;
    /** The sections, in the order they are shown. */
    public static final List<String> SECTIONS = List.of("source", "sink", "coordinator");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code text} (key -> value as text) validated against {@code kind}'s settings; see {@link SettingValues#of}. */
    public static SettingValues validate(ComponentKind kind, Map<String, String> text) {
        return SettingValues.of(kind.settings(), text);
    }

    /** The value of a setting of this kind (its default when not set). */
    public <T> T get(Setting<T> s) {
        return values.get(s);
    }

    /** The keys set explicitly, with their text. */
    public Map<String, String> explicit() {
        return values.explicit();
    }

    /** The stored form of {@code explicit} values (key -> text). */
    public static String toJson(Map<String, String> explicit) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        for (String section : SECTIONS) {
            ObjectNode s = root.putObject(section);
            explicit.forEach((k, v) -> {
                if (k.startsWith(section + ".")) {
                    s.put(k.substring(section.length() + 1), v);
                }
            });
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The values (key -> text) of a stored configuration; unknown formats and malformed JSON are refused. */
    public static Map<String, String> fromJson(String componentId, String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            JsonNode root = JSON.readTree(json);
            int format = root.path("format").asInt(-1);
            if (format != FORMAT) {
                throw new TidewayException(ErrorCode.CONFIG_INVALID, "the stored configuration of component " + componentId
                        + " has format " + root.path("format") + "; this Tideway reads format " + FORMAT);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> section = it.next();
                if (section.getKey().equals("format")) {
                    continue;
                }
                section.getValue().fields().forEachRemaining(e -> out.put(section.getKey() + "." + e.getKey(), e.getValue().asText()));
            }
        } catch (JsonProcessingException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "the stored configuration of component " + componentId
                    + " is not JSON: " + e.getOriginalMessage(), e);
        }
        return out;
    }
}

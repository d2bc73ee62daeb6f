package io.tideway.engine.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.RowFilter;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import io.tideway.core.settings.SettingValues;
import io.tideway.engine.settings.ProjectSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes a project as a project file, every declared setting but the secrets written out. */
final class ProjectFileWriter {
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .build();

    private ProjectFileWriter() { }

    static String toYamlWithoutSecrets(ProjectConfig p) {
        SettingValues values = ProjectValues.of(p);
        Map<String, Object> root = new LinkedHashMap<>();
        for (Setting<?> s : ProjectSettings.ALL) {
            if (s.secret()) {
                continue;
            }
            Object v = yamlValue(s, values.get(s.key()));
            if (v == null) {
                continue;
            }
            Map<String, Object> section = root;
            String[] path = s.key().split("\\.");
            for (int i = 0; i < path.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) section.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
                section = next;
            }
            section.put(path[path.length - 1], v);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value as YAML holds it: numbers and booleans as they are, text with "${" escaped. */
    @SuppressWarnings("unchecked")
    private static <T> Object yamlValue(Setting<T> s, Object value) {
        if (value == null) {
            return null;
        }
        if (s == ProjectSettings.VERIFY_WHERE) {
            Map<String, Object> where = new LinkedHashMap<>();
            ((Map<String, RowFilter>) value).forEach((table, rf) -> where.put(escape(table),
                    rf.destination().equals(rf.source()) ? escape(rf.source())
                            : Map.of("source", escape(rf.source()), "destination", escape(rf.destination()))));
            return where;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (s.type() instanceof SettingType.ListType<?> list) {
            return listValue(list, (List<?>) value);
        }
        if (s.type() instanceof SettingType.MapType) {
            Map<String, String> out = new TreeMap<>();
            ((Map<String, String>) value).forEach((k, v) -> out.put(k, escape(v)));
            return out;
        }
        String text = s.type().format((T) value);
        return text.isEmpty() ? null : escape(text); // no text: the default that is worked out (full.zero-dates)
    }

    @SuppressWarnings("unchecked")
    private static <E> List<String> listValue(SettingType.ListType<E> type, List<?> items) {
        return items.stream().map(i -> escape(type.item().format((E) i))).toList();
    }

    /** Writes "${" as "$${" so that reading the text back does not substitute anything. */
    private static String escape(String v) {
        return v == null ? null : v.replace("${", "$${");
    }
}

package io.tideway.engine.config;

import com.fasterxml.jackson.core.JsonToken;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import io.tideway.engine.config.YamlTree.ListNode;
import io.tideway.engine.config.YamlTree.MapNode;
import io.tideway.engine.config.YamlTree.Node;
import io.tideway.engine.config.YamlTree.Pos;
import io.tideway.engine.config.YamlTree.ScalarNode;
import io.tideway.engine.settings.ProjectSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Command-line overrides of a project file, {@code --set KEY=VALUE}: KEY is a declared project
 * setting ({@code full.parallelism=2}; a list's items separated by commas,
 * {@code tables.include=shop.*,crm.users}), or one entry of a declared mapping
 * ({@code tables.rename.schemas.shop=store}, {@code verify.where.orders=id > 5}). Each is written
 * into the file's tree before it is read, so that it is checked by the same declarations, and a
 * bad one is told as {@code --set: KEY: what is expected}.
 */
final class Overrides {
    private Overrides() { }

    static void apply(MapNode root, List<String> overrides, Problems problems) {
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                problems.add(Pos.COMMAND_LINE, "'" + o + "': expected KEY=VALUE, e.g. full.parallelism=2");
                continue;
            }
            String key = o.substring(0, eq).trim();
            String value = o.substring(eq + 1);
            Setting<?> s = ProjectSettings.byKey(key);
            if (s != null) {
                if (s == ProjectSettings.VERIFY_WHERE) {
                    problems.add(Pos.COMMAND_LINE, key + ": set one table's condition at a time, e.g. verify.where.orders=id > 5");
                    continue;
                }
                put(root, List.of(s.key().split("\\.")), node(s, value));
                continue;
            }
            Setting<?> mapping = ProjectSettings.ALL.stream()
                    .filter(m -> (m.type() instanceof SettingType.MapType || m == ProjectSettings.VERIFY_WHERE)
                            && key.startsWith(m.key() + ".") && key.length() > m.key().length() + 1)
                    .findFirst().orElse(null);
            if (mapping != null) {
                List<String> path = new ArrayList<>(Arrays.asList(mapping.key().split("\\.")));
                path.add(key.substring(mapping.key().length() + 1));
                put(root, path, scalar(value));
                continue;
            }
            List<String> keys = ProjectSettings.ALL.stream().map(Setting::key).toList();
            String near = Keys.nearest(key, keys);
            problems.add(Pos.COMMAND_LINE, "unknown key '" + key + "'; expected one of " + String.join(", ", keys)
                    + ", or KEY.NAME for an entry of a mapping" + (near == null ? "" : " (did you mean '" + near + "'?)"));
        }
    }

    /** The value as the file would hold it: a list's items split at commas, a mapping's name=value pairs. */
    private static Node node(Setting<?> s, String value) {
        if (s.type() instanceof SettingType.ListType<?>) {
            List<Node> items = new ArrayList<>();
            if (!value.isBlank()) {
                for (String item : value.split(",", -1)) {
                    items.add(scalar(item.trim()));
                }
            }
            return new ListNode(Pos.COMMAND_LINE, items);
        }
        if (s.type() instanceof SettingType.MapType) {
            LinkedHashMap<String, YamlTree.Entry> entries = new LinkedHashMap<>();
            if (!value.isBlank()) {
                for (String pair : value.split(",", -1)) {
                    int eq = pair.indexOf('=');
                    String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
                    entries.put(name, new YamlTree.Entry(name, Pos.COMMAND_LINE,
                            eq < 0 ? new ScalarNode(Pos.COMMAND_LINE, JsonToken.VALUE_NULL, null) : scalar(pair.substring(eq + 1).trim())));
                }
            }
            return new MapNode(Pos.COMMAND_LINE, entries);
        }
        return scalar(value);
    }

    private static ScalarNode scalar(String text) {
        return new ScalarNode(Pos.COMMAND_LINE, JsonToken.VALUE_STRING, text);
    }

    /** Puts {@code value} at {@code path}, making the mappings on the way; leaves a non-mapping on the way to the reader. */
    private static void put(MapNode root, List<String> path, Node value) {
        MapNode m = root;
        for (String part : path.subList(0, path.size() - 1)) {
            YamlTree.Entry e = m.entries().get(part);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                MapNode created = new MapNode(Pos.COMMAND_LINE, new LinkedHashMap<>());
                m.entries().put(part, new YamlTree.Entry(part, Pos.COMMAND_LINE, created));
                m = created;
            } else if (e.value() instanceof MapNode next) {
                m = next;
            } else {
                return; // the reader says the section is no mapping
            }
        }
        String last = path.get(path.size() - 1);
        m.entries().put(last, new YamlTree.Entry(last, Pos.COMMAND_LINE, value));
    }
}

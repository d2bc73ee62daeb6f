package io.tideway.engine.config;

import com.fasterxml.jackson.core.JsonToken;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.RowFilter;
import io.tideway.core.project.Step;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import io.tideway.core.settings.SettingValues;
import io.tideway.core.spi.Dialects;
import io.tideway.engine.config.YamlTree.ListNode;
import io.tideway.engine.config.YamlTree.MapNode;
import io.tideway.engine.config.YamlTree.Node;
import io.tideway.engine.config.YamlTree.Pos;
import io.tideway.engine.config.YamlTree.ScalarNode;
import io.tideway.engine.settings.ProjectSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One reading of one project file against the declarations of {@link ProjectSettings}: the keys
 * each section accepts, how each value is read and what a bad one is told, all come from them.
 * Collects every problem as it goes, each with the file, line and key.
 */
final class ProjectFileReader {
    private static final List<String> WHERE_KEYS = List.of("source", "destination");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Problems problems;
    private final Function<String, String> env;
    /** Sections looked at so far: path -> the mapping, or null when absent or not a mapping. */
    private final Map<String, MapNode> sections = new HashMap<>();
    /** Where each value read was, for checks across settings. */
    private final Map<String, Node> nodes = new HashMap<>();

    ProjectFileReader(String sourceName, Function<String, String> env) {
        this.problems = new Problems(sourceName);
        this.env = env;
    }

    ProjectConfig read(String yaml, List<String> overrides) {
        Node root;
        try {
            root = YamlTree.parse(yaml, problems);
        } catch (YamlTree.SyntaxError e) {
            problems.addWithColumn(e.pos, e.getMessage());
            problems.throwIfAny();
            return null;
        }
        String topKeys = String.join(", ", ProjectSettings.keysUnder(""));
        if (root == null) {
            if (overrides.isEmpty()) {
                problems.add(new Pos(1, 1), "the file is empty; expected a mapping with " + topKeys);
                problems.throwIfAny();
            }
            root = new MapNode(new Pos(1, 1), new LinkedHashMap<>());
        }
        if (!(root instanceof MapNode map)) {
            problems.add(root.pos(), "expected a mapping with " + topKeys + ", got " + root.kind());
            problems.throwIfAny();
            return null;
        }
        Overrides.apply(map, overrides, problems);
        sections.put("", map);
        checkKeys(map, "");
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : ProjectSettings.ALL) {
            if (notOfItsType(s, values)) {
                continue;
            }
            Object v = read(s);
            if (v != null) {
                values.put(s.key(), v);
            }
        }
        checkZeroDates(values);
        problems.throwIfAny();
        return ProjectValues.toConfig(SettingValues.ofValues(ProjectSettings.ALL, values));
    }

    /** The value of {@code s} in the file, null when absent or wrong (then with a problem). */
    private Object read(Setting<?> s) {
        int dot = s.key().lastIndexOf('.');
        String sectionPath = dot < 0 ? "" : s.key().substring(0, dot);
        MapNode section = section(sectionPath, s.required());
        if (section == null) {
            return null;
        }
        String key = s.name();
        YamlTree.Entry e = section.entries().get(key);
        if (e != null) {
            nodes.put(s.key(), e.value());
        }
        if (s == ProjectSettings.VERIFY_WHERE) {
            return e == null ? null : where(section);
        }
        if (s.type() instanceof SettingType.ListType<?> list) {
            return list(section, s, list);
        }
        if (s.type() instanceof SettingType.MapType map) {
            return stringMap(section, s, map);
        }
        if (e == null || (e.value() instanceof ScalarNode n && n.isNull() && s != ProjectSettings.FULL_ZERO_DATES)) {
            if (s.required()) {
                required(section, s);
            }
            return null;
        }
        int before = problems.size();
        String text = e.value() instanceof ScalarNode n && n.isNull() ? "null" : scalarText(e.value(), s.key());
        if (text == null || problems.size() > before) {
            return null;
        }
        if (s.required() && text.isBlank()) {
            required(section, s);
            return null;
        }
        try {
            return s.type().parse(text);
        } catch (IllegalArgumentException ex) {
            problems.add(e.value().pos(), s.key() + ": " + ex.getMessage());
            return null;
        }
    }

    /**
     * The mapping at {@code path}, its keys checked against the declarations once; null (with a
     * problem when it is required or not a mapping) when it is absent or not a mapping.
     */
    private MapNode section(String path, boolean required) {
        if (sections.containsKey(path)) {
            return sections.get(path);
        }
        int dot = path.lastIndexOf('.');
        MapNode parent = section(dot < 0 ? "" : path.substring(0, dot), required);
        MapNode m = null;
        if (parent != null) {
            String key = dot < 0 ? path : path.substring(dot + 1);
            YamlTree.Entry e = parent.entries().get(key);
            if (e == null || (e.value() instanceof ScalarNode s && s.isNull())) {
                if (required && e == null) {
                    problems.add(parent.pos(), path + " is required (a mapping with "
                            + String.join(", ", ProjectSettings.keysUnder(path)) + ")");
                }
            } else if (e.value() instanceof MapNode found) {
                m = found;
                checkKeys(m, path);
            } else {
                problems.add(e.value().pos(), path + ": expected a mapping, got " + e.value().kind());
            }
        }
        sections.put(path, m);
        return m;
    }

    // ------------------------------------------------------------ structured values

    private List<?> list(MapNode section, Setting<?> s, SettingType.ListType<?> type) {
        YamlTree.Entry e = section.entries().get(s.name());
        if (e == null || (e.value() instanceof ScalarNode n && n.isNull())) {
            if (s.required()) {
                required(section, s);
            }
            return null;
        }
        if (!(e.value() instanceof ListNode list)) {
            problems.add(e.value().pos(), s.key() + ": expected " + type.name() + ", got " + e.value().kind());
            return null;
        }
        if (s == ProjectSettings.STEPS && list.items().isEmpty()) {
            problems.add(list.pos(), "steps: the list is empty; expected some of " + String.join(", ", stepIds())
                    + ", in that order");
            return null;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            Node item = list.items().get(i);
            String path = s.key() + "[" + i + "]";
            int before = problems.size();
            String text = scalarText(item, path);
            if (problems.size() > before) {
                continue;
            }
            if (text == null || text.isBlank()) {
                problems.add(item.pos(), path + ": expected a non-empty value");
                continue;
            }
            try {
                out.add(type.item().parse(text));
            } catch (IllegalArgumentException ex) {
                problems.add(item.pos(), path + ": " + ex.getMessage());
            }
        }
        if (s == ProjectSettings.STEPS) {
            checkSteps(list);
        }
        return out;
    }

    private static List<String> stepIds() {
        List<String> ids = new ArrayList<>();
        for (Step s : Step.values()) {
            ids.add(s.id());
        }
        return ids;
    }

    /** Steps run in one order, each once. */
    private void checkSteps(ListNode list) {
        List<Step> seen = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            Node item = list.items().get(i);
            if (!(item instanceof ScalarNode n) || n.isNull()) {
                continue;
            }
            Step s;
            try {
                s = Step.fromId(n.text());
            } catch (IllegalArgumentException ex) {
                continue; // told already
            }
            if (seen.contains(s)) {
                problems.add(item.pos(), "steps[" + i + "]: duplicate step '" + s.id() + "'");
                continue;
            }
            if (!seen.isEmpty() && seen.get(seen.size() - 1).ordinal() > s.ordinal()) {
                problems.add(item.pos(), "steps[" + i + "]: '" + s.id() + "' comes after '" + seen.get(seen.size() - 1).id()
                        + "'; steps must be listed in the order they run: " + String.join(", ", stepIds()));
            }
            seen.add(s);
        }
    }

    private Map<String, String> stringMap(MapNode section, Setting<?> s, SettingType.MapType type) {
        YamlTree.Entry entry = section.entries().get(s.name());
        if (entry == null || (entry.value() instanceof ScalarNode n && n.isNull())) {
            return null;
        }
        if (!(entry.value() instanceof MapNode m)) {
            problems.add(entry.value().pos(), s.key() + ": expected a mapping, got " + entry.value().kind());
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (YamlTree.Entry e : m.entries().values()) {
            String p = s.key() + "." + e.key();
            String keyProblem = type.problemOf(e.key());
            if (keyProblem != null) {
                problems.add(e.keyPos(), s.key() + ": key '" + e.key() + "' " + keyProblem);
                continue;
            }
            String v = scalarText(e.value(), p);
            if (v == null && e.value() instanceof ScalarNode) {
                if (type.valueWhat() != null) {
                    problems.add(e.value().pos(), p + ": expected " + type.valueWhat() + ", got nothing");
                    continue;
                }
                v = "";
            }
            if (v != null) {
                out.put(e.key(), v);
            }
        }
        return out;
    }

    /** verify.where: table pattern -> condition, or -> { source: condition, destination: condition }. */
    private Map<String, RowFilter> where(MapNode verify) {
        String key = ProjectSettings.VERIFY_WHERE.key();
        YamlTree.Entry entry = verify.entries().get(ProjectSettings.VERIFY_WHERE.name());
        if (entry.value() instanceof ScalarNode n && n.isNull()) {
            return null;
        }
        if (!(entry.value() instanceof MapNode m)) {
            problems.add(entry.value().pos(), key + ": expected a mapping, got " + entry.value().kind());
            return null;
        }
        Map<String, RowFilter> out = new LinkedHashMap<>();
        for (YamlTree.Entry e : m.entries().values()) {
            String path = key + "." + e.key();
            if (ProjectSettings.dottedProblem(e.key(), 1, 2) != null) {
                problems.add(e.keyPos(), key + ": '" + e.key() + "' is not a table; expected table or schema.table"
                        + " (source names; * and ? match any characters), e.g. orders");
                continue;
            }
            String source;
            String destination = null;
            Pos srcPos = e.value().pos();
            Pos dstPos = e.value().pos();
            if (e.value() instanceof MapNode sides) {
                checkKeys(sides, path, WHERE_KEYS);
                source = string(sides, "source", path + ".source");
                destination = string(sides, "destination", path + ".destination");
                srcPos = valuePos(sides, "source");
                dstPos = valuePos(sides, "destination");
            } else {
                source = scalarText(e.value(), path);
            }
            String problem = RowFilter.problem(source);
            if (problem != null) {
                problems.add(srcPos, path + (e.value() instanceof MapNode ? ".source" : "") + ": " + problem);
                continue;
            }
            if (destination != null && (problem = RowFilter.problem(destination)) != null) {
                problems.add(dstPos, path + ".destination: " + problem);
                continue;
            }
            out.put(e.key(), new RowFilter(source, destination));
        }
        return out;
    }

    /**
     * Whether {@code s} is a connection setting that the type of its end, as read so far, does not
     * have (another plugin's); set in the file, it is a problem naming the settings the type has.
     */
    private boolean notOfItsType(Setting<?> s, Map<String, Object> values) {
        for (ProjectSettings.DataSourceSettings end : List.of(ProjectSettings.SOURCE, ProjectSettings.DESTINATION)) {
            if (end.connection().contains(s) && values.get(end.type().key()) instanceof DataSourceType t
                    && !end.declaredFor(s, t)) {
                MapNode section = section(end.side(), false);
                YamlTree.Entry e = section == null ? null : section.entries().get(s.name());
                if (e != null) {
                    problems.add(e.keyPos(), s.key() + ": type " + t.id() + " has no such setting; expected one of "
                            + String.join(", ", end.connection().stream().filter(c -> end.declaredFor(c, t))
                                    .map(Setting::name).toList()));
                }
                return true;
            }
        }
        return false;
    }

    /** full.zero-dates: keep needs a destination that stores zero dates. */
    private void checkZeroDates(Map<String, Object> values) {
        Object zeroDates = values.get(ProjectSettings.FULL_ZERO_DATES.key());
        Object destination = values.get(ProjectSettings.DESTINATION.type().key());
        if (zeroDates instanceof ZeroDates z && z.mode() == ZeroDates.Mode.KEEP && values.containsKey(
                ProjectSettings.SOURCE.type().key()) && destination instanceof DataSourceType d
                && !Dialects.forType(d).storesZeroDates()) {
            problems.add(nodes.get(ProjectSettings.FULL_ZERO_DATES.key()).pos(), "full.zero-dates: keep needs a MySQL-family"
                    + " destination (" + d.id() + " stores no zero date); use null, fail or a replacement date such as"
                    + " 0001-01-01");
        }
    }

    // ------------------------------------------------------------ scalars and keys

    private void required(MapNode section, Setting<?> s) {
        problems.add(section.pos(), s.key() + " is required (" + s.type().name() + ")");
    }

    private void checkKeys(MapNode m, String path) {
        checkKeys(m, path, ProjectSettings.keysUnder(path));
    }

    private void checkKeys(MapNode m, String path, List<String> known) {
        for (YamlTree.Entry e : m.entries().values()) {
            if (!known.contains(e.key())) {
                String near = Keys.nearest(e.key(), known);
                problems.add(e.keyPos(), "unknown key '" + e.key() + "' " + (path.isEmpty() ? "at the top level" : "in " + path)
                        + "; expected one of " + String.join(", ", known)
                        + (near == null ? "" : " (did you mean '" + near + "'?)"));
            }
        }
    }

    private static Pos valuePos(MapNode m, String key) {
        YamlTree.Entry e = m.entries().get(key);
        return e == null ? m.pos() : e.value().pos();
    }

    private String string(MapNode parent, String key, String path) {
        YamlTree.Entry e = parent.entries().get(key);
        return e == null ? null : scalarText(e.value(), path);
    }

    /** The text of a scalar with ${env:...} replaced; null when null or not a scalar (with a problem). */
    private String scalarText(Node n, String path) {
        if (!(n instanceof ScalarNode s)) {
            problems.add(n.pos(), path + ": expected a single value, got " + n.kind());
            return null;
        }
        if (s.isNull()) {
            return null;
        }
        return s.token() == JsonToken.VALUE_STRING ? substitute(s.text(), s.pos(), path) : s.text();
    }

    private String substitute(String text, Pos pos, String path) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${env:", i) && text.indexOf('}', i) > 0) {
                int end = text.indexOf('}', i);
                String var = text.substring(i + 6, end);
                if (!ENV_NAME.matcher(var).matches()) {
                    problems.add(pos, path + ": '${env:" + var + "}' is not a valid variable reference;"
                            + " expected ${env:NAME} with letters, digits and _");
                } else {
                    String value = env.apply(var);
                    if (value == null) {
                        problems.add(pos, path + ": environment variable " + var + " is not set");
                    } else {
                        out.append(value);
                    }
                }
                i = end + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }
}

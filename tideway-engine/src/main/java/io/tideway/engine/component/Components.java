package io.tideway.engine.component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingValues;
import io.tideway.engine.incremental.Direction;
import io.tideway.metadb.ComponentConfigRecord;
import io.tideway.metadb.ComponentRecord;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.ProjectRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The components of projects: list them, read one, change one's configuration. The CLI and the
 * server make these calls alike. A running step holds its component through {@link ComponentRun}.
 */
public final class Components {
    /** Who wrote the values a component's configuration takes from the project file. */
    public static final String PROJECT_FILE = "project file";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetaDb db;

    public Components(MetaDb db) {
        this.db = db;
    }

    /** The OS user running this process: who a change made from the command line is recorded as. */
    public static String osUser() {
        return System.getProperty("user.name", "unknown");
    }

    /**
     * The components of a project: those its steps have (a Store and Connector with incremental, a
     * Full-Import with full, a Checker with verify), {@link ComponentState#NEW} until a run creates
     * them, and any other it has (the reverse pair after a switchover).
     */
    public List<Component> list(ProjectConfig cfg) {
        Map<String, Component> out = new LinkedHashMap<>();
        for (ComponentId id : expected(cfg)) {
            out.put(id.toString(), new Component(id, ComponentState.NEW, null, null, Component.Figures.NONE,
                    new ComponentConfig(id.kind(), 0, SettingValues.defaults(id.kind().settings()), null, null), null));
        }
        db.projects().find(cfg.name()).ifPresent(p -> {
            for (ComponentRecord r : db.components().list(p.id())) {
                out.put(r.id(), view(p, r));
            }
        });
        return List.copyOf(out.values());
    }

    /** The components a project's steps have. */
    static List<ComponentId> expected(ProjectConfig cfg) {
        List<ComponentId> ids = new ArrayList<>();
        if (cfg.has(Step.INCREMENTAL)) {
            ids.add(ComponentId.of(cfg.name(), ComponentKind.STORE, Direction.FORWARD));
            ids.add(ComponentId.of(cfg.name(), ComponentKind.CONNECTOR, Direction.FORWARD));
        }
        if (cfg.has(Step.FULL)) {
            ids.add(ComponentId.of(cfg.name(), ComponentKind.FULL_IMPORT));
        }
        if (cfg.has(Step.VERIFY)) {
            ids.add(ComponentId.of(cfg.name(), ComponentKind.CHECKER));
        }
        return ids;
    }

    /** One component by id; refused naming the id (and the project's components) when there is none. */
    public Component read(String id) {
        ComponentId cid = ComponentId.parse(id);
        ComponentRecord r = db.components().find(cid.toString()).orElseThrow(() -> notFound(cid));
        ProjectRecord p = db.projects().find(cid.project()).orElseThrow(() -> notFound(cid));
        return view(p, r);
    }

    private TidewayException notFound(ComponentId cid) {
        String known = db.projects().find(cid.project())
                .map(p -> db.components().list(p.id()).stream().map(ComponentRecord::id).collect(Collectors.joining(", ")))
                .orElse("");
        return new TidewayException(ErrorCode.CONFIG_INVALID, "no component " + cid + (known.isEmpty()
                ? " (project " + cid.project() + " has none yet: a run creates them)" : "; project " + cid.project()
                + " has " + known));
    }

    /**
     * Changes a component's configuration: {@code changes} (key -> value as text) are validated
     * against its kind's settings (an unknown key is refused naming it and the expected ones) and
     * stored as a new version, recorded as an event with {@code who}. A running component takes
     * the settings declared live at once, the others at its next start.
     */
    public Update update(String id, Map<String, String> changes, String who) {
        if (changes.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "no change given; expected KEY=VALUE");
        }
        Component c = read(id);
        ComponentConfig before = c.config();
        SettingValues after;
        try {
            after = before.values().with(changes);
        } catch (SettingValues.Invalid e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "component " + c.id() + ": " + e.getMessage(), e);
        }
        String summary = describe(c.kind(), before.values(), after, changes.keySet(), c.state() == ComponentState.RUNNING);
        String message = "component " + c.id() + ": configuration version " + (before.version() + 1) + " by " + who + ": " + summary;
        Optional<Integer> v = db.components().addVersion(c.id().toString(), before.version(), ComponentConfig.toJson(after.explicit()),
                who, c.kind().id(), message);
        if (v.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "the configuration of component " + c.id()
                    + " was changed meanwhile by someone else: show it again and repeat the change");
        }
        return new Update(read(id), message);
    }

    /**
     * What an update did.
     *
     * @param component the component with its new configuration
     * @param summary the event recorded: the version, who, and each key's old and new value and when it takes effect
     */
    public record Update(Component component, String summary) { }

    /** "key old -> new (effective ...)" for each changed key, secrets masked. */
    private static String describe(ComponentKind kind, SettingValues before, SettingValues after, java.util.Set<String> keys,
                                   boolean running) {
        Map<String, String> was = before.masked();
        Map<String, String> now = after.masked();
        return kind.settings().stream().filter(s -> keys.contains(s.key()))
                .map(s -> s.key() + " " + show(was.get(s.key())) + " -> " + show(now.get(s.key()))
                        + (s.live() && running ? " (in effect now)" : " (in effect at its next start)"))
                .collect(Collectors.joining(", "));
    }

    private static String show(String v) {
        return v == null || v.isEmpty() ? "(unset)" : v;
    }

    // ---- used by ComponentRun

    MetaDb db() {
        return db;
    }

    /** The configuration in force of a stored component. */
    ComponentConfig config(ComponentId id) {
        ComponentConfigRecord r = db.components().config(id.toString()).orElseThrow(() -> notFound(id));
        return config(id, r);
    }

    static ComponentConfig config(ComponentId id, ComponentConfigRecord r) {
        Map<String, String> text = ComponentConfig.fromJson(id.toString(), r.sectionsJson());
        try {
            return new ComponentConfig(id.kind(), r.version(), ComponentConfig.validate(id.kind(), text), r.who(), r.at());
        } catch (SettingValues.Invalid e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "the configuration of component " + id + " (version "
                    + r.version() + ") is not valid: " + e.getMessage() + "; correct it with `tideway components set " + id
                    + " KEY=VALUE`", e);
        }
    }

    /**
     * Brings the project-file keys of a component's configuration up to the project file: creates
     * the component with them, or, where the project file changed one since the configuration last
     * took it, writes a new version with the project file's value. A value set by an operator holds
     * until the project file changes that key.
     */
    void seed(ComponentId id, long projectId, Map<String, String> seeds) {
        String key = id.toString();
        ComponentRecord fresh = new ComponentRecord(key, projectId, id.kind().id(),
                id.direction() == null ? null : id.direction().captureName(), null, null, ComponentState.NEW.name(), null, null);
        if (db.components().create(fresh, ComponentConfig.toJson(seeds), PROJECT_FILE)) {
            return;
        }
        List<ComponentConfigRecord> versions = db.components().versions(key);
        Map<String, String> lastSeeded = versions.stream().filter(v -> PROJECT_FILE.equals(v.who())).findFirst()
                .map(v -> ComponentConfig.fromJson(key, v.sectionsJson())).orElse(Map.of());
        Map<String, String> changed = new LinkedHashMap<>();
        seeds.forEach((k, v) -> {
            if (!v.equals(lastSeeded.get(k))) {
                changed.put(k, v);
            }
        });
        if (changed.isEmpty() || versions.isEmpty()) {
            return;
        }
        ComponentConfig current = config(id, versions.get(0));
        SettingValues after = current.values().with(changed);
        db.components().addVersion(key, current.version(), ComponentConfig.toJson(after.explicit()), PROJECT_FILE,
                id.kind().id(), "component " + key + ": configuration version " + (current.version() + 1) + " from the project file: "
                        + describe(id.kind(), current.values(), after, changed.keySet(), false));
    }

    /** A stored component with its figures and position read from its step's latest report. */
    private Component view(ProjectRecord p, ComponentRecord r) {
        ComponentId id = ComponentId.parse(r.id());
        ComponentConfig cfg = config(id);
        String position = r.position();
        Component.Figures figures = Component.Figures.NONE;
        JsonNode progress = progress(p.id(), id);
        switch (id.kind()) {
            case STORE -> {
                position = text(progress, "capturePosition", position);
                figures = new Component.Figures(progress.path("changesSpooled").asLong(-1), "changes spooled", -1, -1);
            }
            case CONNECTOR -> {
                position = db.incremental().applyCheckpoint(p.id(), id.direction().captureName())
                        .map(cp -> cp.position()).orElse(position);
                figures = new Component.Figures(progress.path("eventsApplied").asLong(-1), "changes applied",
                        progress.path("eventsPerSecond").asDouble(-1), progress.path("lagMillis").asLong(-1));
            }
            case FULL_IMPORT -> {
                if (progress.has("rowsDone")) {
                    position = String.format("%,d of %,d rows", progress.path("rowsDone").asLong(), progress.path("rowsTotal").asLong());
                }
                figures = new Component.Figures(progress.path("rowsDone").asLong(-1), "rows copied",
                        progress.path("rowsPerSecond").asDouble(-1), -1);
            }
            case CHECKER -> {
                // recorded by the Checker itself: a `tideway verify` runs it outside any step
                JsonNode f = db.components().figures(r.id()).map(Components::json).orElse(JSON.missingNode());
                figures = new Component.Figures(f.path("rowsCompared").asLong(-1), "rows compared",
                        f.path("rowsPerSecond").asDouble(-1), -1);
            }
            default -> throw new IllegalStateException(id.kind().id());
        }
        Node node = r.nodeHost() == null ? null : new Node(r.nodeHost(), r.nodeIp());
        return new Component(id, ComponentState.valueOf(r.state()), node, position, figures, cfg, r.updatedAt());
    }

    private JsonNode progress(long projectId, ComponentId id) {
        String step = switch (id.kind()) {
            case STORE, CONNECTOR -> id.direction().stepId();
            case FULL_IMPORT -> Step.FULL.id();
            case CHECKER -> Step.VERIFY.id();
        };
        String json = db.projects().step(projectId, step).progressJson();
        try {
            return json == null ? JSON.missingNode() : JSON.readTree(json);
        } catch (java.io.IOException e) {
            return JSON.missingNode();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            return JSON.missingNode();
        }
    }

    private static String text(JsonNode n, String field, String otherwise) {
        String v = n.path(field).asText("");
        return v.isEmpty() ? otherwise : v;
    }

    /** The setting of {@code kind} with this key, if it has one. */
    static Optional<Setting<?>> setting(ComponentKind kind, String key) {
        return kind.settings().stream().filter(s -> s.key().equals(key)).findFirst();
    }
}

package io.tideway.cli;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.settings.Setting;
import io.tideway.engine.component.Component;
import io.tideway.engine.component.ComponentConfig;
import io.tideway.engine.component.Components;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tideway components PROJECT.yaml} lists a project's components; {@code components show ID}
 * prints one with its configuration; {@code components set ID KEY=VALUE...} changes it.
 */
@Command(name = "components", description = "List a project's components (Store, Connector, Full-Import, Checker):"
        + " id, kind, state, node, position, lag.", subcommands = {ComponentsCommand.Show.class, ComponentsCommand.Set.class})
final class ComponentsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT.yaml", description = "The project file.")
    Path projectFile;

    @Override
    public Integer call() {
        if (projectFile == null) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "components: expected PROJECT.yaml, or show ID, or set ID KEY=VALUE...");
        }
        var cfg = ProjectFiles.load(projectFile);
        try (MetaDb db = main.openMetaDb()) {
            List<Component> all = new Components(db).list(cfg);
            int w = Math.max(2, all.stream().mapToInt(c -> c.id().toString().length()).max().orElse(2));
            String row = "%-" + w + "s  %-11s  %-10s  %-30s  %-36s  %s%n";
            System.out.printf(row, "ID", "KIND", "STATE", "NODE", "POSITION", "LAG");
            for (Component c : all) {
                System.out.printf(row, c.id(), c.kind().id(), c.state(), c.node() == null ? "-" : c.node(),
                        c.position() == null ? "-" : c.position(), lag(c.figures()));
            }
            return 0;
        }
    }

    private static String lag(Component.Figures f) {
        return f.lagMillis() < 0 ? "-" : String.format("%.1f s", f.lagMillis() / 1000.0);
    }

    @Command(name = "show", description = "Print one component with its configuration by section (secrets masked).")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        ComponentsCommand parent;

        @Parameters(index = "0", paramLabel = "ID", description = "The component's id, e.g. shop-to-pg.connector.forward.")
        String id;

        @Override
        public Integer call() {
            try (MetaDb db = parent.main.openMetaDb()) {
                print(new Components(db).read(id));
                return 0;
            }
        }
    }

    @Command(name = "set", description = "Change a component's configuration: each KEY (section.name, e.g."
            + " coordinator.batchFill) is checked against the component kind's settings. In effect at the component's next"
            + " start, or at once for the settings marked live. Recorded as an event with the OS user.")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        ComponentsCommand parent;

        @Parameters(index = "0", paramLabel = "ID", description = "The component's id, e.g. shop-to-pg.connector.forward.")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE", description = "The settings to change.")
        List<String> settings;

        @Override
        public Integer call() {
            Map<String, String> changes = new LinkedHashMap<>();
            for (String s : settings) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new TidewayException(ErrorCode.CONFIG_INVALID, "'" + s + "': expected KEY=VALUE, e.g. coordinator.batchFill=5s");
                }
                changes.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
            }
            try (MetaDb db = parent.main.openMetaDb()) {
                Components.Update u = new Components(db).update(id, changes, Components.osUser());
                System.out.println("tideway: " + u.summary());
                return 0;
            }
        }
    }

    static void print(Component c) {
        System.out.println("component " + c.id());
        System.out.printf("   %-10s %s%n", "kind", c.kind().id());
        System.out.printf("   %-10s %s%n", "state", c.state());
        System.out.printf("   %-10s %s%n", "node", c.node() == null ? "-" : c.node());
        System.out.printf("   %-10s %s%n", "position", c.position() == null ? "-" : c.position());
        Component.Figures f = c.figures();
        if (f.count() >= 0) {
            System.out.printf("   %-10s %,d %s%s%s%n", "figures", f.count(), f.unit(),
                    f.perSecond() < 0 ? "" : String.format(", %,.0f/s", f.perSecond()), f.lagMillis() < 0 ? "" : ", lag " + lag(f));
        }
        if (c.updatedAt() != null) {
            System.out.printf("   %-10s %s%n", "updated", c.updatedAt());
        }
        ComponentConfig cfg = c.config();
        System.out.println("configuration " + (cfg.version() == 0 ? "(not stored yet: a run creates it)"
                : "version " + cfg.version() + " by " + cfg.who() + " at " + cfg.at()));
        Map<String, String> shown = cfg.values().masked();
        for (String section : ComponentConfig.SECTIONS) {
            List<Setting<?>> in = c.kind().settings().stream().filter(s -> s.section().equals(section)).toList();
            if (in.isEmpty()) {
                continue;
            }
            System.out.println("   " + section);
            for (Setting<?> s : in) {
                String v = shown.get(s.key());
                boolean set = cfg.explicit().containsKey(s.key());
                System.out.printf("      %-20s %s%s%n", s.name(), v == null || v.isEmpty() ? "(unset)" : v,
                        (set ? "" : "  (default)") + (s.live() ? "  (live)" : "") + (s.unit().isEmpty() ? "" : "  [" + s.unit() + "]"));
            }
        }
    }
}

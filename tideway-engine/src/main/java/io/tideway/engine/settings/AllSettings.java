package io.tideway.engine.settings;

import io.tideway.core.settings.Scope;
import io.tideway.core.settings.Setting;
import java.util.ArrayList;
import java.util.List;

/** Every setting Tideway declares: the source of the settings tables, forms and validation. */
public final class AllSettings {
    private AllSettings() { }

    /** All declarations, project ones first. */
    public static List<Setting<?>> list() {
        List<Setting<?>> all = new ArrayList<>(ProjectSettings.ALL);
        all.addAll(ComponentSettings.ALL);
        return List.copyOf(all);
    }

    /** The declarations of one scope. */
    public static List<Setting<?>> of(Scope scope) {
        return list().stream().filter(s -> s.scope() == scope).toList();
    }
}

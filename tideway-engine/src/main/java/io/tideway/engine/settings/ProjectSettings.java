package io.tideway.engine.settings;

import io.tideway.core.settings.Setting;
import java.util.List;

/** The settings of a project file, by their path in the file. */
public final class ProjectSettings {
    private ProjectSettings() { }

    /** Every project setting, in the order the settings tables list them. */
    public static final List<Setting<?>> ALL = List.of();
}

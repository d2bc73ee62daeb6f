package io.tideway.engine.settings;

import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import java.util.List;

/**
 * The settings of components (Store, Connector, Full-Import, Checker), by section: {@code source}
 * (how the component reads), {@code sink} (how it writes), {@code coordinator} (how it batches,
 * paces and retries).
 */
public final class ComponentSettings {
    private ComponentSettings() { }

    /** The Connector's source database type: tells it how to read the source's schema changes. */
    public static final Setting<String> DB_TYPE = Setting.of("source.dbType", SettingType.text())
            .component("connector")
            .defaultText("none: required")
            .description("The source database's type (e.g. mariadb, postgresql): tells the Connector how to read the"
                    + " source's schema changes. A Connector without it refuses to start.")
            .build();

    /** Every component setting, in the order the settings tables list them. */
    public static final List<Setting<?>> ALL = List.of(DB_TYPE);
}

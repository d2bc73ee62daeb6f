package io.tideway.core.spi;

import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.settings.ConnectionSettings;
import io.tideway.core.settings.Setting;
import java.util.List;

/**
 * A database plugin: the one thing a database module registers (in
 * {@code META-INF/services/io.tideway.core.spi.DatabasePlugin}) and the one place Tideway learns of
 * a database. It declares the types it serves and their connection settings, and provides the
 * dialect and the change capture. Adding a database is adding a module with one of these; nothing
 * else names it.
 */
public interface DatabasePlugin {

    /** A short name of the plugin, e.g. "mysql"; lists of types are ordered by it. */
    String id();

    /** The data source types this plugin serves (ids unique among all installed plugins). */
    List<DataSourceType> types();

    /**
     * The settings of a connection to one of its types, as the {@code source:} and
     * {@code destination:} sections of a project file hold them (keys without the section). By
     * default the common ones ({@link ConnectionSettings#COMMON}); a plugin adds those only its
     * types have.
     */
    default List<Setting<?>> connectionSettings() {
        return ConnectionSettings.COMMON;
    }

    /** A new dialect for its types. */
    Dialect dialect();

    /** A new change capture for its types. */
    ChangeCapture capture();
}

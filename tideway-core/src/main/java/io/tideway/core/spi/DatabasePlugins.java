package io.tideway.core.spi;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The database plugins on the class path, found once through {@link ServiceLoader}, and the
 * registry of the types they declare.
 */
public final class DatabasePlugins {
    private DatabasePlugins() { }

    /** Loaded on first use. */
    private static final class Installed {
        static final List<DatabasePlugin> PLUGINS;
        static final Map<String, DatabasePlugin> BY_TYPE = new LinkedHashMap<>();
        static final List<DataSourceType> TYPES;

        static {
            List<DatabasePlugin> plugins = new ArrayList<>();
            ServiceLoader.load(DatabasePlugin.class, DatabasePlugins.class.getClassLoader()).forEach(plugins::add);
            plugins.sort(Comparator.comparing(DatabasePlugin::id));
            List<DataSourceType> types = new ArrayList<>();
            for (DatabasePlugin p : plugins) {
                for (DataSourceType t : p.types()) {
                    DatabasePlugin other = BY_TYPE.putIfAbsent(t.id(), p);
                    if (other != null) {
                        throw new IllegalStateException("data source type '" + t.id() + "' is declared by two database"
                                + " plugins, " + other.getClass().getName() + " and " + p.getClass().getName()
                                + "; remove one of them from the class path");
                    }
                    types.add(t);
                }
            }
            PLUGINS = List.copyOf(plugins);
            TYPES = List.copyOf(types);
        }
    }

    /** The installed plugins, ordered by {@link DatabasePlugin#id()}. */
    public static List<DatabasePlugin> installed() {
        return Installed.PLUGINS;
    }

    /** The types the installed plugins declare, by plugin, then in the order each declares them. */
    public static List<DataSourceType> types() {
        return Installed.TYPES;
    }

    /** The plugin that serves {@code type}. */
    public static DatabasePlugin forType(DataSourceType type) {
        DatabasePlugin p = Installed.BY_TYPE.get(type.id());
        if (p == null) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "no database plugin for data source type '" + type
                    + "' is on the class path");
        }
        return p;
    }
}

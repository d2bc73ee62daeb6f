package io.tideway.core.model;

import io.tideway.core.spi.DatabasePlugins;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A kind of database Tideway reads from and writes to, as spelled in project files. The types are
 * not listed here: each database plugin ({@link io.tideway.core.spi.DatabasePlugin}) declares the
 * ones it serves, and {@link #fromId} and {@link #all} look them up among the installed plugins.
 *
 * @param id the project-file spelling, e.g. {@code mariadb}
 * @param family the databases that speak the same SQL and share one plugin
 * @param defaultPort the port when a project file gives none
 * @param displayName the name people know, e.g. "MariaDB"
 */
public record DataSourceType(String id, Family family, int defaultPort, String displayName) {

    /** Databases that speak the same SQL and share one dialect module, e.g. {@code mysql}, {@code postgresql}. */
    public record Family(String id) {
        public Family {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String toString() {
            return id;
        }
    }

    public DataSourceType {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(family, "family");
        displayName = displayName == null ? id : displayName;
    }

    /**
     * The type the installed plugins declare under {@code id} (ignoring case and surrounding blanks);
     * the error lists the types they declare.
     */
    public static DataSourceType fromId(String id) {
        if (id != null) {
            String v = id.trim().toLowerCase(Locale.ROOT);
            for (DataSourceType t : all()) {
                if (t.id.equals(v)) {
                    return t;
                }
            }
        }
        List<DataSourceType> all = all();
        throw new IllegalArgumentException("unknown data source type '" + id + "'; expected one of "
                + (all.isEmpty() ? "the types of a database plugin, and none is installed"
                        : all.stream().map(DataSourceType::id).collect(Collectors.joining(", "))));
    }

    /** Every type the installed plugins declare, in a stable order (by plugin, then as each declares them). */
    public static List<DataSourceType> all() {
        return DatabasePlugins.types();
    }

    @Override
    public String toString() {
        return id;
    }
}

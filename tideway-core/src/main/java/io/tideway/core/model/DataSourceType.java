package io.tideway.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of database Tideway reads from and writes to, as spelled in project files. */
public enum DataSourceType {
    MYSQL("mysql", Family.MYSQL, 3306),
    MARIADB("mariadb", Family.MYSQL, 3306),
    OCEANBASE_MYSQL("oceanbase-mysql", Family.MYSQL, 2881),
    POSTGRESQL("postgresql", Family.POSTGRESQL, 5432);

    /** Databases that speak the same SQL and share one dialect module. */
    public enum Family { MYSQL, POSTGRESQL }

    private final String id;
    private final Family family;
    private final int defaultPort;

    DataSourceType(String id, Family family, int defaultPort) {
        this.id = id;
        this.family = family;
        this.defaultPort = defaultPort;
    }

    public String id() {
        return id;
    }

    public Family family() {
        return family;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Parses the project-file spelling; the error lists the accepted values. */
    public static DataSourceType fromId(String id) {
        if (id != null) {
            String v = id.trim().toLowerCase(Locale.ROOT);
            for (DataSourceType t : values()) {
                if (t.id.equals(v)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown data source type '" + id + "'; expected one of "
                + Arrays.stream(values()).map(DataSourceType::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}

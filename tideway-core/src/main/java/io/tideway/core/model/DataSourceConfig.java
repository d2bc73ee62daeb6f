package io.tideway.core.model;

import java.util.Map;
import java.util.Objects;

/**
 * Where a database is and how to log in. {@link #toString()} never shows the password.
 *
 * @param database MySQL family: the database (schema) the project works in; PostgreSQL: the
 *     database to connect to
 * @param properties extra JDBC properties, passed to the driver as they are
 */
public record DataSourceConfig(
        DataSourceType type,
        String host,
        int port,
        String user,
        String password,
        String database,
        Map<String, String> properties) {

    public DataSourceConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        password = password == null ? "" : password;
    }

    public String address() {
        return host + ":" + port;
    }

    public DataSourceConfig withDatabase(String db) {
        return new DataSourceConfig(type, host, port, user, password, db, properties);
    }

    @Override
    public String toString() {
        return type + "://" + user + "@" + host + ":" + port + "/" + (database == null ? "" : database)
                + (password.isEmpty() ? "" : " (password ****)");
    }
}

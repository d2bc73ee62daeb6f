package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedPostgreSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes project files for tests. */
final class Projects {
    private Projects() { }

    static String endpoint(DataSourceType type, String database) {
        if (type == DataSourceType.fromId("postgresql")) {
            EmbeddedPostgreSql pg = io.tideway.test.EmbeddedServers.postgres();
            return "{ type: postgresql, host: " + pg.host() + ", port: " + pg.port() + ", user: " + pg.user()
                    + ", password: \"\", database: " + database + " }";
        }
        EmbeddedMariaDb my = io.tideway.test.EmbeddedServers.mariadb();
        return "{ type: " + type.id() + ", host: " + my.host() + ", port: " + my.port() + ", user: " + my.user()
                + ", password: \"\", database: " + database + " }";
    }

    static Path write(Path dir, String name, String yaml) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, yaml);
        return p;
    }
}

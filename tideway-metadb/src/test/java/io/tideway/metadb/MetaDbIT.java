package io.tideway.metadb;

import io.tideway.test.EmbeddedMariaDb;
import io.tideway.test.EmbeddedPostgreSql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** The MetaDB contract on external MetaDBs: a real MariaDB and a real PostgreSQL, opened by JDBC URL. */
class MetaDbIT {

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Nested
    class OnMariaDb extends MetaDbContract {
        EmbeddedMariaDb server;
        final Path dataDir = tempDir("tideway-metadb-it-");

        @Override
        void startBackend() {
            server = EmbeddedMariaDb.start();
            server.recreateDatabase("tideway_meta");
        }

        @Override
        MetaDb open(String tidewayVersion) {
            return MetaDb.open(server.jdbcUrl("tideway_meta"), server.user(), server.password(), dataDir, tidewayVersion,
                    clock);
        }

        @Override
        void stopBackend() {
            if (server != null) {
                server.close();
            }
        }
    }

    @Nested
    class OnPostgreSql extends MetaDbContract {
        EmbeddedPostgreSql server;
        final Path dataDir = tempDir("tideway-metadb-it-");

        @Override
        void startBackend() {
            server = EmbeddedPostgreSql.start();
            server.recreateDatabase("tideway_meta");
        }

        @Override
        MetaDb open(String tidewayVersion) {
            return MetaDb.open(server.jdbcUrl("tideway_meta"), server.user(), server.password(), dataDir, tidewayVersion,
                    clock);
        }

        @Override
        void stopBackend() {
            if (server != null) {
                server.close();
            }
        }
    }
}

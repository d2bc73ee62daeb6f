package io.tideway.postgresql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Catalog;
import io.tideway.core.spi.CorrectionScripts;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ErrorClassifier;
import io.tideway.core.spi.PrecheckItems;
import io.tideway.core.spi.RowReader;
import io.tideway.core.spi.RowWriter;
import io.tideway.core.spi.SchemaWriter;
import io.tideway.core.spi.VerifyHashing;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;

/**
 * The PostgreSQL dialect: connections, and the parts that speak PostgreSQL's SQL: pg_catalog
 * reading ({@link PostgresCatalog}), DDL ({@link PostgresDdl}), streaming reads ({@link PostgresRows}),
 * COPY FROM STDIN writes ({@link PostgresCopyWriter}), upserts, updates and deletes
 * ({@link PostgresUpserts}), verification ({@link PostgresVerify}), correction scripts
 * ({@link PostgresScripts}), error classification ({@link PostgresErrors}) and the prechecks
 * ({@link PostgresPrecheck}).
 */
public final class PostgresDialect implements Dialect {
    /**
     * Whether the other end of the project is PostgreSQL too: values whose kind's canonical form
     * cannot hold them are then read in PostgreSQL's own text (see {@link PostgresValues}).
     */
    private final boolean verbatim;

    private final PostgresCatalog catalog = new PostgresCatalog();
    private final PostgresDdl schema = new PostgresDdl();
    private final PostgresRows rows;
    private final PostgresUpserts writer = new PostgresUpserts();
    private final PostgresVerify verify = new PostgresVerify();
    private final PostgresScripts scripts = new PostgresScripts();
    private final PostgresErrors errors = new PostgresErrors();
    private final PostgresPrecheck prechecks = new PostgresPrecheck();

    public PostgresDialect() {
        this(false);
    }

    private PostgresDialect(boolean verbatim) {
        this.verbatim = verbatim;
        this.rows = new PostgresRows(verbatim);
    }


    /** To a PostgreSQL peer, numeric NaN/Infinity, intervals with months and arrays (with their bounds) are read verbatim. */
    @Override
    public PostgresDialect withPeer(DataSourceType.Family peer) {
        boolean same = PostgresPlugin.FAMILY.equals(peer);
        return same == verbatim ? this : new PostgresDialect(same);
    }

    /** Whether this dialect reads values verbatim for a PostgreSQL peer ({@link #withPeer}). */
    public boolean verbatim() {
        return verbatim;
    }

    // ---------------------------------------------------------------- connections

    @Override
    public Connection connect(DataSourceConfig cfg) {
        String host = cfg.host().contains(":") && !cfg.host().startsWith("[") ? "[" + cfg.host() + "]" : cfg.host();
        String db = cfg.database() == null || cfg.database().isEmpty() ? "postgres" : cfg.database();
        String url = "jdbc:postgresql://" + host + ":" + cfg.port() + "/"
                + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20");
        Properties p = new Properties();
        p.setProperty("connectTimeout", "10");
        p.setProperty("ApplicationName", "Tideway");
        p.setProperty("tcpKeepAlive", "true");
        p.putAll(cfg.properties());
        if (cfg.user() != null) {
            p.setProperty("user", cfg.user());
        }
        p.setProperty("password", cfg.password());
        Connection c;
        try {
            c = new org.postgresql.Driver().connect(url, p);
        } catch (SQLException e) {
            throw PostgresErrors.connectFailure(cfg.withDatabase(db), e);
        }
        if (c == null) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "host '" + cfg.host() + "' or database '" + db
                    + "' does not form a valid PostgreSQL address");
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'sql_standard'; "
                    + "SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
            c.setAutoCommit(true);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw new TidewayException(PostgresErrors.classify(e), "cannot prepare a session on postgresql at "
                    + cfg.address() + ": " + PostgresErrors.serverText(e), e);
        }
    }

    @Override
    public String serverVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }


    @Override
    public String quote(String identifier) {
        return PostgresDdl.q(identifier);
    }

    // ---------------------------------------------------------------- the parts

    @Override
    public Catalog catalog() {
        return catalog;
    }

    @Override
    public SchemaWriter schema() {
        return schema;
    }

    @Override
    public RowReader rows() {
        return rows;
    }

    @Override
    public RowWriter writer() {
        return writer;
    }

    @Override
    public VerifyHashing verify() {
        return verify;
    }

    @Override
    public CorrectionScripts scripts() {
        return scripts;
    }

    @Override
    public ErrorClassifier errors() {
        return errors;
    }

    @Override
    public PrecheckItems prechecks() {
        return prechecks;
    }
}

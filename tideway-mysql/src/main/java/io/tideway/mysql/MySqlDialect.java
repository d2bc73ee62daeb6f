package io.tideway.mysql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Catalog;
import io.tideway.core.spi.CorrectionScripts;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ErrorClassifier;
import io.tideway.core.spi.PrecheckItems;
import io.tideway.core.spi.RowReader;
import io.tideway.core.spi.RowWriter;
import io.tideway.core.spi.SchemaWriter;
import io.tideway.core.spi.VerifyHashing;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * The dialect of MySQL, MariaDB and OceanBase (MySQL mode), spoken through MariaDB Connector/J.
 * Sessions run in UTC with utf8mb4, a strict sql_mode that keeps 0 in auto-increment columns, and
 * foreign key checks off (tables are loaded in any order). Its parts: information_schema reading
 * ({@link MySqlCatalog}), DDL ({@link MySqlDdl}), streaming reads ({@link MySqlRows}), LOAD DATA and
 * INSERT writes ({@link MySqlInserts}, {@link MySqlLoadData}), verification ({@link MySqlVerify}),
 * correction scripts ({@link MySqlScripts}), error classification ({@link MySqlErrors}) and the
 * prechecks ({@link MySqlPrecheck}).
 */
public final class MySqlDialect implements Dialect {
    static final int CONNECT_TIMEOUT_MS = 10_000;
    static final String SQL_MODE = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

    private final MySqlCatalog catalog = new MySqlCatalog();
    private final MySqlDdl schema = new MySqlDdl();
    private final MySqlRows rows = new MySqlRows();
    private final MySqlInserts writer = new MySqlInserts();
    private final MySqlVerify verify = new MySqlVerify();
    private final MySqlScripts scripts = new MySqlScripts();
    private final MySqlErrors errors = new MySqlErrors();
    private final MySqlPrecheck prechecks = new MySqlPrecheck();


    // ---------------------------------------------------------------- connections

    @Override
    public Connection connect(DataSourceConfig cfg) {
        Properties props = new Properties();
        props.setProperty("allowLocalInfile", "true");
        props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MS));
        for (Map.Entry<String, String> e : cfg.properties().entrySet()) {
            props.setProperty(e.getKey(), e.getValue());
        }
        if (cfg.user() != null) {
            props.setProperty("user", cfg.user());
        }
        props.setProperty("password", cfg.password());
        String url = "jdbc:mariadb://" + cfg.host() + ":" + cfg.port() + "/";
        Connection c;
        try {
            c = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw MySqlErrors.connectFailure(e, cfg);
        }
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = '" + SQL_MODE + "', foreign_key_checks = 0");
                try {
                    st.execute("SET explicit_defaults_for_timestamp = 1");
                } catch (SQLException ignored) {
                    // older servers: TIMESTAMP columns are always declared NULL / NOT NULL explicitly anyway
                }
                if (cfg.database() != null && !cfg.database().isEmpty()) {
                    st.execute("USE " + quote(cfg.database()));
                }
            }
            c.setAutoCommit(true);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
            throw MySqlErrors.connectFailure(e, cfg);
        }
    }

    @Override
    public String serverVersion(Connection c) throws SQLException {
        return MySqlPrecheck.version(c);
    }

    @Override
    public String quote(String identifier) {
        return MySqlDdl.q(identifier);
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

    // ---------------------------------------------------------------- questions the engine asks

    /** Reads the binlog's DDL text (see {@link MySqlDdlStatements}). */
    @Override
    public io.tideway.core.change.DdlStatement parseDdl(String ddl, String schema) {
        return MySqlDdlStatements.parse(ddl, schema);
    }

    @Override
    public boolean logCarriesDdl() {
        return true;
    }

    @Override
    public boolean storesZeroDates() {
        return true;
    }

    @Override
    public String schemaNoun() {
        return "database";
    }

    /** A database is a schema: tables land in the configured database. */
    @Override
    public String destinationSchema(DataSourceConfig destination, TableId source) {
        return destination.database();
    }
}

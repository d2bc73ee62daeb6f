package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.DIALECT;
import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.Role;
import io.tideway.core.spi.WriteResult;
import io.tideway.test.EmbeddedMariaDb;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection errors, session settings and precheck items, on a server of its own with privilege
 * checks turned on (the shared test server runs without grant tables).
 */
class MySqlConnectAndPrecheckIT {
    static EmbeddedMariaDb server;
    static final String DB = "precheck_db";

    @BeforeAll
    static void setUp() throws Exception {
        server = EmbeddedMariaDb.start();
        try (Connection c = server.connect(null)) {
            exec(c, "FLUSH PRIVILEGES", "CREATE DATABASE " + DB);
            for (String host : List.of("%", "localhost", "127.0.0.1")) {
                exec(c, "CREATE USER 'tw_admin'@'" + host + "' IDENTIFIED BY 'admin pw'",
                        "GRANT ALL PRIVILEGES ON *.* TO 'tw_admin'@'" + host + "' WITH GRANT OPTION",
                        "CREATE USER 'tw_reader'@'" + host + "' IDENTIFIED BY 'S3cret!pw'",
                        "GRANT SELECT ON " + DB + ".* TO 'tw_reader'@'" + host + "'");
            }
        }
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    static DataSourceConfig cfg(String user, String password, int port, String db) {
        return new DataSourceConfig(MySqlPlugin.MARIADB, "127.0.0.1", port, user, password, db, Map.of());
    }

    @Test
    void aClosedPortIsUnreachableNamingHostAndPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> DIALECT.connect(cfg("tw_admin", "admin pw", port, DB)))
                .isInstanceOf(TidewayException.class)
                .hasMessage("cannot reach mariadb at 127.0.0.1:" + port + ": connection refused")
                .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.UNREACHABLE);
    }

    @Test
    void aWrongPasswordIsALoginFailureNamingTheUserButNotThePassword() {
        assertThatThrownBy(() -> DIALECT.connect(cfg("tw_reader", "wrong-Pa55", server.port(), DB)))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("tw_reader").hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageNotContaining("wrong-Pa55")
                .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.LOGIN_FAILED);
    }

    @Test
    void anUnknownDatabaseIsAConfigurationErrorNamingIt() {
        assertThatThrownBy(() -> DIALECT.connect(cfg("tw_admin", "admin pw", server.port(), "no_such_db")))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("no_such_db")
                .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
    }

    @Test
    void sessionsRunInUtcWithAStrictModeThatKeepsZeroKeys() throws Exception {
        try (Connection c = DIALECT.connect(cfg("tw_admin", "admin pw", server.port(), DB));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@session.time_zone, @@session.sql_mode, @@character_set_client,"
                        + " @@foreign_key_checks, DATABASE()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("+00:00");
            assertThat(rs.getString(2)).contains("STRICT_ALL_TABLES", "NO_AUTO_VALUE_ON_ZERO");
            assertThat(rs.getString(3)).isEqualTo("utf8mb4");
            assertThat(rs.getInt(4)).isZero();
            assertThat(rs.getString(5)).isEqualTo(DB);
            assertThat(DIALECT.serverVersion(c)).contains("MariaDB");
        }
    }

    @Test
    void aSourceWithBinlogRowAndAllPrivilegesPassesEveryItem() throws Exception {
        DataSourceConfig cfg = cfg("tw_admin", "admin pw", server.port(), DB);
        try (Connection c = DIALECT.connect(cfg)) {
            List<CheckResult> items = DIALECT.prechecks().run(c, cfg, Role.SOURCE, Set.of("schema", "full", "incremental"));
            Map<String, CheckResult> byName = items.stream().collect(Collectors.toMap(CheckResult::item, i -> i));
            assertThat(byName.keySet()).contains("source.version", "source.privileges", "source.log_bin", "source.binlog_format",
                    "source.binlog_row_image", "source.time_zone", "source.lower_case_table_names");
            assertThat(items).allSatisfy(i -> assertThat(i.status()).as(i.toString()).isEqualTo(CheckResult.Status.PASS));
            List<CheckResult> dest = DIALECT.prechecks().run(c, cfg, Role.DESTINATION, Set.of("schema", "full"));
            assertThat(dest).extracting(CheckResult::item).contains("destination.version", "destination.privileges",
                    "destination.local_infile").noneMatch(n -> n.contains("binlog"));
            assertThat(dest).allSatisfy(i -> assertThat(i.status()).as(i.toString()).isEqualTo(CheckResult.Status.PASS));
            List<CheckResult> noCapture = DIALECT.prechecks().run(c, cfg, Role.SOURCE, Set.of("full"));
            assertThat(noCapture).extracting(CheckResult::item).noneMatch(n -> n.contains("binlog"));
        }
    }

    @Test
    void aUserWithoutPrivilegesFailsNamingWhatIsMissingAndHowToGrantIt() throws Exception {
        DataSourceConfig cfg = cfg("tw_reader", "S3cret!pw", server.port(), DB);
        try (Connection c = DIALECT.connect(cfg)) {
            CheckResult src = DIALECT.prechecks().run(c, cfg, Role.SOURCE, Set.of("full", "incremental")).stream()
                    .filter(i -> i.item().equals("source.privileges")).findFirst().orElseThrow();
            assertThat(src.status()).isEqualTo(CheckResult.Status.FAIL);
            assertThat(src.detail()).contains("REPLICATION SLAVE", "REPLICATION CLIENT").doesNotContain("SELECT");
            assertThat(src.fix()).contains("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'tw_reader'");
            CheckResult plain = DIALECT.prechecks().run(c, cfg, Role.SOURCE, Set.of("full")).stream()
                    .filter(i -> i.item().equals("source.privileges")).findFirst().orElseThrow();
            assertThat(plain.status()).isEqualTo(CheckResult.Status.PASS);
            CheckResult dst = DIALECT.prechecks().run(c, cfg, Role.DESTINATION, Set.of("schema", "full")).stream()
                    .filter(i -> i.item().equals("destination.privileges")).findFirst().orElseThrow();
            assertThat(dst.status()).isEqualTo(CheckResult.Status.FAIL);
            assertThat(dst.detail()).contains("CREATE", "ALTER", "INDEX", "INSERT", "UPDATE", "DELETE", "DROP", DB);
            assertThat(dst.fix()).contains("GRANT CREATE, ALTER, INDEX, INSERT, UPDATE, DELETE, DROP ON `" + DB + "`.* TO 'tw_reader'");
        }
    }

    @Test
    void withLocalInfileOffRowsGoThroughBatchedInsertAndThePrecheckWarns() throws Exception {
        DataSourceConfig cfg = cfg("tw_admin", "admin pw", server.port(), DB);
        try (Connection c = DIALECT.connect(cfg)) {
            exec(c, "CREATE TABLE big (id BIGINT NOT NULL PRIMARY KEY, s VARCHAR(64), b VARBINARY(16), d DECIMAL(12,3),"
                    + " t DATETIME(6))", "SET GLOBAL local_infile = 0");
            try {
                Table t = ItSupport.DIALECT.catalog().readTables(c, DB, id -> id.table().equals("big")).get(0);
                assertThat(MySqlLoadData.localInfileOn(c)).isFalse();
                WriteResult w = DIALECT.writer().bulkInsert(c, t, MySqlLoadDataIT.generated(1234));
                assertThat(w.rows()).isEqualTo(1234);
                assertThat(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)).hasSize(1234)
                        .element(1233).satisfies(r -> assertThat(r.get(1)).isEqualTo("row 1234 ü\t\\"));
                CheckResult item = DIALECT.prechecks().run(c, cfg, Role.DESTINATION, Set.of("full")).stream()
                        .filter(i -> i.item().equals("destination.local_infile")).findFirst().orElseThrow();
                assertThat(item.status()).isEqualTo(CheckResult.Status.WARN);
                assertThat(item.detail()).contains("INSERT");
                assertThat(item.fix()).contains("local_infile");
            } finally {
                exec(c, "SET GLOBAL local_infile = 1");
            }
        }
    }
}

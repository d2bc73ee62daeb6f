package io.tideway.metadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.TidewayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MetaDB contract on the embedded H2 MetaDB, plus what only the embedded one does. */
class MetaDbTest extends MetaDbContract {
    @TempDir
    static Path dataDir;

    @Override
    MetaDb open(String tidewayVersion) {
        return MetaDb.openEmbedded(dataDir, tidewayVersion, clock);
    }

    @Test
    void the_embedded_metadb_lives_in_the_data_dir_with_a_private_key_file() throws IOException {
        assertThat(dataDir.resolve("metadb.mv.db")).exists();
        Path key = dataDir.resolve("secret.key");
        assertThat(key).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(key).trim())).hasSize(32);
    }

    @Test
    void a_second_process_on_the_same_data_dir_sees_the_same_project() throws Exception {
        long id = db.projects().upsert("shared", mariadb("pw-of-shared"), postgres(""), null);
        // in this JVM
        try (MetaDb second = MetaDb.openEmbedded(dataDir, "0.1.0-test")) {
            assertThat(second.projects().find("shared").orElseThrow().id()).isEqualTo(id);
        }
        // and in another JVM, through the H2 auto-server of this one
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dh2.bindAddress=127.0.0.1",
                SecondProcess.class.getName(), dataDir.toString(), "shared")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("second process finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("FOUND " + id + " pw-of-shared 10.0.0.5");
        assertThat(db.events().list(id, 10)).extracting(EventRecord::message).contains("hello from the second process");
    }

    @Test
    void the_schema_version_is_the_highest_migration_and_only_a_complete_history_skips_flyway() throws Exception {
        Path migrations = Path.of(MetaDb.class.getClassLoader().getResource("db/migration").toURI());
        int highest;
        try (var files = Files.list(migrations)) {
            highest = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElse(0);
        }
        assertThat(MetaDb.SCHEMA_VERSION).as("MetaDb.SCHEMA_VERSION against the migrations").isEqualTo(highest);
        assertThat(db.schemaVersion()).isEqualTo(highest);
        org.h2.jdbcx.JdbcDataSource fresh = new org.h2.jdbcx.JdbcDataSource();
        fresh.setURL("jdbc:h2:mem:fresh-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        assertThat(MetaDb.upToDate(fresh, MetaDb.Vendor.H2)).as("a database without history").isFalse();
        try (Connection c = fresh.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE \"flyway_schema_history\" (\"version\" VARCHAR(50), \"success\" BOOLEAN)");
            st.execute("INSERT INTO \"flyway_schema_history\" VALUES ('1', TRUE)");
            assertThat(MetaDb.upToDate(fresh, MetaDb.Vendor.H2)).as("a history that lacks a migration").isFalse();
            for (int v = 2; v <= highest; v++) {
                st.execute("INSERT INTO \"flyway_schema_history\" VALUES ('" + v + "', TRUE)");
            }
            assertThat(MetaDb.upToDate(fresh, MetaDb.Vendor.H2)).as("a complete history").isTrue();
            st.execute("INSERT INTO \"flyway_schema_history\" VALUES ('" + (highest + 1) + "', TRUE)");
            assertThat(MetaDb.upToDate(fresh, MetaDb.Vendor.H2)).as("a history with a newer migration").isFalse();
        }
        // and a MetaDB reopened at the current version still works
        try (MetaDb again = MetaDb.openEmbedded(dataDir, "0.1.0-test")) {
            assertThat(again.schemaVersion()).isEqualTo(highest);
        }
    }

    @Test
    void a_metadb_migrated_by_a_newer_tideway_is_refused() throws Exception {
        Path dir = Files.createTempDirectory(dataDir, "future");
        try (MetaDb newer = MetaDb.openEmbedded(dir, "9.0.0");
             Connection c = newer.dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\","
                    + " \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                    + " VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 1, TRUE)");
        }
        assertThatThrownBy(() -> MetaDb.openEmbedded(dir, "0.1.0"))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("99")
                .hasMessageContaining("newer Tideway (9.0.0)");
    }

    @Test
    void a_wrong_key_fails_clearly() throws Exception {
        Path dir = Files.createTempDirectory(dataDir, "wrongkey");
        try (MetaDb m = MetaDb.openEmbedded(dir, "0.1.0")) {
            m.projects().upsert("locked", mariadb("pw"), postgres("pw"), null);
        }
        byte[] other = new byte[32];
        other[0] = 1;
        Files.writeString(dir.resolve("secret.key"), Base64.getEncoder().encodeToString(other));
        try (MetaDb m = MetaDb.openEmbedded(dir, "0.1.0")) {
            assertThatThrownBy(() -> m.projects().find("locked"))
                    .isInstanceOf(TidewayException.class)
                    .hasMessageContaining("secret.key")
                    .hasMessageContaining("not the key");
        }
    }

    @Test
    void an_unknown_jdbc_url_is_refused_with_the_accepted_ones() {
        assertThatThrownBy(() -> MetaDb.open("jdbc:oracle:thin:@x:1521/y?password=hunter2", "u", "p", dataDir, "0.1.0"))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining("hunter2");
    }
}

package io.tideway.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class EmbeddedServersIT {
    @Test
    void mariadbRunsWithRowBinlog() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); Connection c = db.connect(null);
             ResultSet rs = c.createStatement().executeQuery("SELECT @@binlog_format, @@binlog_row_image, @@log_bin")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ROW");
            assertThat(rs.getString(2)).isEqualTo("FULL");
            assertThat(rs.getInt(3)).isEqualTo(1);
        }
    }

    @Test
    void postgresRunsWithLogicalWal() throws Exception {
        try (EmbeddedPostgreSql db = EmbeddedPostgreSql.start(); Connection c = db.connect(null);
             ResultSet rs = c.createStatement().executeQuery("SHOW wal_level")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;

class MariaDbToPostgresIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.MARIADB; }
    @Override DataSourceType destination() { return DataSourceType.POSTGRESQL; }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.mariadb(c);
        SampleData.mariadbShop(c, 6000);
        TypeRichData.mariadbOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "\"" + schema + "\".all_types";
        assertThat(one(d, "SELECT u64::text FROM " + t + " WHERE id = 2")).isEqualTo("18446744073709551615");
        assertThat(one(d, "SELECT tm::text FROM " + t + " WHERE id = 1")).isEqualTo("-838:59:59");
        assertThat(one(d, "SELECT to_char(dtm, 'YYYY-MM-DD HH24:MI:SS.US') FROM " + t + " WHERE id = 2")).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(one(d, "SELECT extract(epoch FROM ts)::text FROM " + t + " WHERE id = 2")).isEqualTo("2147483647.999999");
        assertThat(one(d, "SELECT d65::text FROM " + t + " WHERE id = 2"))
                .isEqualTo("99999999999999999999999999999999999.999999999999999999999999999999");
        assertThat(one(d, "SELECT encode(bl, 'hex') FROM " + t + " WHERE id = 2")).isEqualTo("00000000ff00");
        assertThat(one(d, "SELECT vc FROM " + t + " WHERE id = 2")).startsWith("emoji 😀𝄞 ü tab\there");
        assertThat(one(d, "SELECT js->'a'->>1 FROM " + t + " WHERE id = 2")).isEqualTo("2.5");
        assertThat(one(d, "SELECT count(*) FROM \"" + schema + "\".\"Select Me \"\"q\"\" `b`\" WHERE \"Mixed Case `col` \"\"x\"\"\" = -1"))
                .isEqualTo("1");
    }
}

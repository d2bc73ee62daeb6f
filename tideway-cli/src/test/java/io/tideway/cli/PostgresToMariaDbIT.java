package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;

class PostgresToMariaDbIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.POSTGRESQL; }
    @Override DataSourceType destination() { return DataSourceType.MARIADB; }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.postgres(c);
        SampleData.postgresShop(c, 6000);
        TypeRichData.postgresOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "`" + schema + "`.all_types";
        assertThat(one(d, "SELECT CAST(iv AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("838:59:59.000000");
        assertThat(one(d, "SELECT CAST(tz AS CHAR) FROM " + t + " WHERE id = 4")).isEqualTo("2024-06-30 12:34:56.123456");
        assertThat(one(d, "SELECT CAST(n AS CHAR) FROM " + t + " WHERE id = 2"))
                .isEqualTo("99999999999999999999999999999999999.999999999999999999999999999999");
        assertThat(one(d, "SELECT HEX(`by`) FROM " + t + " WHERE id = 2")).isEqualTo("00FF0010");
        assertThat(one(d, "SELECT mo FROM " + t + " WHERE id = 2")).isEqualTo("happy 😀");
        assertThat(one(d, "SELECT JSON_EXTRACT(tarr, '$[2]') FROM " + t + " WHERE id = 2")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(one(d, "SELECT COUNT(*) FROM `" + schema + "`.`Select Me \"q\" ``b``` WHERE `Mixed Case ``col`` \"x\"` = -1"))
                .isEqualTo("1");
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;

class MariaDbToMariaDbIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.MARIADB; }
    @Override DataSourceType destination() { return DataSourceType.MARIADB; }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.mariadb(c);
        SampleData.mariadbShop(c, 6000);
        TypeRichData.mariadbOddNames(c);
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "`" + schema + "`.all_types";
        assertThat(one(d, "SELECT CAST(u64 AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("18446744073709551615");
        assertThat(one(d, "SELECT CAST(tm AS CHAR) FROM " + t + " WHERE id = 1")).isEqualTo("-838:59:59.000000");
        assertThat(one(d, "SELECT HEX(bit64) FROM " + t + " WHERE id = 2")).isEqualTo("FFFFFFFFFFFFFFFF");
        assertThat(one(d, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + schema
                + "' AND TABLE_NAME = 'all_types' AND COLUMN_NAME = 'en'")).isEqualTo("enum('a','b c','d''e')");
        assertThat(one(d, "SELECT CAST(ts AS CHAR) FROM " + t + " WHERE id = 2")).isEqualTo("2038-01-19 03:14:07.999999");
    }
}

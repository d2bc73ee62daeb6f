package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.sql.SQLException;

class PostgresToPostgresIT extends AbstractMigrationIT {
    @Override DataSourceType source() { return DataSourceType.POSTGRESQL; }
    @Override DataSourceType destination() { return DataSourceType.POSTGRESQL; }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }
    @Override Connection connectDestination(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }

    @Override
    void fill(Connection c) throws SQLException {
        TypeRichData.postgres(c);
        SampleData.postgresShop(c, 6000);
        TypeRichData.postgresOddNames(c);
        c.createStatement().execute("CREATE TABLE net (id integer PRIMARY KEY, addr inet, price money, tags text[])");
        c.createStatement().execute("INSERT INTO net VALUES (1, '192.168.0.1/24', 12.5, '{a,b}'), (2, '::1', NULL, NULL)");
    }

    @Override
    void checkDestinationValues(Connection d, String schema) throws SQLException {
        String t = "\"" + schema + "\".all_types";
        assertThat(one(d, "SELECT pg_typeof(mo)::text FROM " + t + " WHERE id = 2")).endsWith("mood");
        assertThat(one(d, "SELECT iv::text FROM " + t + " WHERE id = 2")).isEqualTo("838:59:59");
        assertThat(one(d, "SELECT tarr[3] FROM " + t + " WHERE id = 2")).isEqualTo("say \"hi\"");
        assertThat(one(d, "SELECT host(addr) FROM \"" + schema + "\".net WHERE id = 1")).isEqualTo("192.168.0.1");
        assertThat(one(d, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"" + schema
                + "\".all_types'::regclass AND attname = 'tz'")).isEqualTo("timestamp(6) with time zone");
    }
}

package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.sql.Connection;
import java.sql.SQLException;

class MariaDbToPostgresIncrementalIT extends AbstractIncrementalIT {
    @Override DataSourceType source() { return DataSourceType.MARIADB; }
    @Override DataSourceType destination() { return DataSourceType.POSTGRESQL; }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.mariadb().connect(db); }
    @Override void fill(Connection c) throws SQLException { SampleData.mariadbSysbench(c, ROWS); }
}

package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import java.sql.Connection;
import java.sql.SQLException;

class PostgresToMariaDbIncrementalIT extends AbstractIncrementalIT {
    @Override DataSourceType source() { return DataSourceType.fromId("postgresql"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("mariadb"); }
    @Override String freshSource() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "src"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectSource(String db) throws SQLException { return EmbeddedServers.postgres().connect(db); }
    @Override void fill(Connection c) throws SQLException { SampleData.postgresSysbench(c, ROWS); }
}

package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.SampleData;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Killed at the start of every sub-step, 1 to 8. */
class MariaDbToPostgresSwitchoverIT extends AbstractSwitchoverIT {
    @Override DataSourceType source() { return DataSourceType.fromId("mariadb"); }
    @Override DataSourceType destination() { return DataSourceType.fromId("postgresql"); }
    @Override int[] killAt() { return new int[] {1, 2, 3, 4, 5, 6, 7, 8}; }
    @Override String onDestination(String srcDb, String table) { return srcDb + "." + table; }

    @Override
    void fill(Connection c) throws SQLException {
        SampleData.mariadbSysbench(c, ROWS);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40))");
            st.execute("INSERT INTO orders (note) VALUES ('a'), ('b'), ('c')");
        }
    }
}

package io.tideway.mysql;

import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.DataSourceType.Family;
import io.tideway.core.spi.DatabasePlugin;
import io.tideway.core.spi.Dialect;
import io.tideway.mysql.capture.MySqlCapture;
import java.util.List;

/** The MySQL family: MySQL, MariaDB and OceanBase (MySQL mode), their common connection settings, dialect and capture. */
public final class MySqlPlugin implements DatabasePlugin {
    public static final Family FAMILY = new Family("mysql");
    public static final DataSourceType MYSQL = new DataSourceType("mysql", FAMILY, 3306, "MySQL");
    public static final DataSourceType MARIADB = new DataSourceType("mariadb", FAMILY, 3306, "MariaDB");
    public static final DataSourceType OCEANBASE_MYSQL = new DataSourceType("oceanbase-mysql", FAMILY, 2881,
            "OceanBase (MySQL mode)");
    public static final List<DataSourceType> TYPES = List.of(MYSQL, MARIADB, OCEANBASE_MYSQL);

    @Override
    public String id() {
        return "mysql";
    }

    @Override
    public List<DataSourceType> types() {
        return TYPES;
    }

    @Override
    public Dialect dialect() {
        return new MySqlDialect();
    }

    @Override
    public ChangeCapture capture() {
        return new MySqlCapture();
    }
}

package io.tideway.postgresql;

import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.DataSourceType.Family;
import io.tideway.core.spi.DatabasePlugin;
import io.tideway.core.spi.Dialect;
import io.tideway.postgresql.capture.PostgresCapture;
import java.util.List;

/** PostgreSQL: its common connection settings, dialect and capture (pgoutput). */
public final class PostgresPlugin implements DatabasePlugin {
    public static final Family FAMILY = new Family("postgresql");
    public static final DataSourceType POSTGRESQL = new DataSourceType("postgresql", FAMILY, 5432, "PostgreSQL");

    @Override
    public String id() {
        return "postgresql";
    }

    @Override
    public List<DataSourceType> types() {
        return List.of(POSTGRESQL);
    }

    @Override
    public Dialect dialect() {
        return new PostgresDialect();
    }

    @Override
    public ChangeCapture capture() {
        return new PostgresCapture();
    }
}

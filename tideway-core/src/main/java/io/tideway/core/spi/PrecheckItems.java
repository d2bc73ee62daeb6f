package io.tideway.core.spi;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The checks of one end of a project that only its database can make ({@link Dialect#prechecks()}). */
public interface PrecheckItems {

    /**
     * Checks of this end that only the dialect can make: version, privileges for the listed steps,
     * log settings for change capture (MySQL family: binlog_format, binlog_row_image; PostgreSQL:
     * wal_level, replication privilege), time zone, lower_case_table_names, bulk-load settings.
     * Item names start with the role id ("source." / "destination.").
     */
    List<CheckResult> run(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException;

    /**
     * Whether the source user may read each of {@code keyless} (source tables without a key, which
     * the full copy of a project with an incremental step reads at a known log place; see
     * {@link io.tideway.core.change.ChangeCapture#beginConsistentRead}) the way that read needs, as
     * an item named {@code source.<what>} that names each table it may not read so and the statement
     * that grants what is missing. Empty where that read needs nothing beyond SELECT (the default).
     */
    default Optional<CheckResult> keylessReadCheck(Connection c, List<TableId> keyless) throws SQLException {
        return Optional.empty();
    }
}

package io.tideway.engine.config;

import static io.tideway.engine.settings.ProjectSettings.DESTINATION;
import static io.tideway.engine.settings.ProjectSettings.SOURCE;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.TableSelection;
import io.tideway.core.project.VerifyOptions;
import io.tideway.core.settings.ConnectionSettings;
import io.tideway.core.settings.SettingValues;
import io.tideway.engine.settings.ProjectSettings;
import io.tideway.engine.settings.ProjectSettings.DataSourceSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A project's declared settings ({@link ProjectSettings}) and the engine's typed view of them
 * ({@link ProjectConfig}), one made from the other.
 */
public final class ProjectValues {
    private ProjectValues() { }

    /** The typed view of validated values (every required setting set). */
    public static ProjectConfig toConfig(SettingValues v) {
        return new ProjectConfig(v.get(ProjectSettings.NAME), dataSource(v, SOURCE), dataSource(v, DESTINATION),
                new TableSelection(v.get(ProjectSettings.TABLES_INCLUDE), v.get(ProjectSettings.TABLES_EXCLUDE),
                        v.get(ProjectSettings.RENAME_SCHEMAS), v.get(ProjectSettings.RENAME_TABLES),
                        v.get(ProjectSettings.RENAME_COLUMNS)),
                v.get(ProjectSettings.STEPS),
                new FullOptions(v.get(ProjectSettings.FULL_PARALLELISM).intValue(),
                        v.get(ProjectSettings.FULL_CHUNK_SIZE).intValue(), v.get(ProjectSettings.FULL_THROTTLE_ROWS),
                        v.get(ProjectSettings.FULL_THROTTLE_MB), v.get(ProjectSettings.FULL_ZERO_DATES)),
                v.get(ProjectSettings.PRECHECK_SKIP),
                new IncrementalOptions(v.get(ProjectSettings.INCREMENTAL_DDL), v.get(ProjectSettings.INCREMENTAL_DROP_TABLES),
                        v.get(ProjectSettings.INCREMENTAL_PARALLELISM).intValue(),
                        v.get(ProjectSettings.INCREMENTAL_THROTTLE_ROWS), v.get(ProjectSettings.INCREMENTAL_RETENTION_HOURS)),
                new VerifyOptions(v.get(ProjectSettings.VERIFY_EXCLUDE_COLUMNS), v.get(ProjectSettings.VERIFY_THROTTLE_ROWS),
                        v.get(ProjectSettings.VERIFY_SAMPLE), v.get(ProjectSettings.VERIFY_RECHECK_ROUNDS).intValue(),
                        Math.round(v.get(ProjectSettings.VERIFY_RECHECK_INTERVAL) * 1000),
                        v.get(ProjectSettings.VERIFY_WHERE)));
    }

    /** The settings of a project, every one set (defaults included). */
    public static SettingValues of(ProjectConfig p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(ProjectSettings.NAME.key(), p.name());
        put(m, SOURCE, p.source());
        put(m, DESTINATION, p.destination());
        TableSelection t = p.tables();
        m.put(ProjectSettings.TABLES_INCLUDE.key(), t.include());
        m.put(ProjectSettings.TABLES_EXCLUDE.key(), t.exclude());
        m.put(ProjectSettings.RENAME_SCHEMAS.key(), t.schemaRenames());
        m.put(ProjectSettings.RENAME_TABLES.key(), t.tableRenames());
        m.put(ProjectSettings.RENAME_COLUMNS.key(), t.columnRenames());
        m.put(ProjectSettings.STEPS.key(), p.steps());
        FullOptions f = p.full();
        m.put(ProjectSettings.FULL_PARALLELISM.key(), (long) f.parallelism());
        m.put(ProjectSettings.FULL_CHUNK_SIZE.key(), (long) f.chunkSize());
        m.put(ProjectSettings.FULL_THROTTLE_ROWS.key(), f.throttleRowsPerSecond());
        m.put(ProjectSettings.FULL_THROTTLE_MB.key(), f.throttleMegabytesPerSecond());
        m.put(ProjectSettings.FULL_ZERO_DATES.key(), f.zeroDates());
        IncrementalOptions i = p.incremental();
        m.put(ProjectSettings.INCREMENTAL_DDL.key(), i.ddl());
        m.put(ProjectSettings.INCREMENTAL_DROP_TABLES.key(), i.dropTables());
        m.put(ProjectSettings.INCREMENTAL_PARALLELISM.key(), (long) i.parallelism());
        m.put(ProjectSettings.INCREMENTAL_THROTTLE_ROWS.key(), i.throttleRowsPerSecond());
        m.put(ProjectSettings.INCREMENTAL_RETENTION_HOURS.key(), i.retentionHours());
        m.put(ProjectSettings.PRECHECK_SKIP.key(), p.precheckSkip());
        VerifyOptions v = p.verify();
        m.put(ProjectSettings.VERIFY_EXCLUDE_COLUMNS.key(), v.excludeColumns());
        m.put(ProjectSettings.VERIFY_THROTTLE_ROWS.key(), v.throttleRowsPerSecond());
        m.put(ProjectSettings.VERIFY_SAMPLE.key(), v.sample());
        m.put(ProjectSettings.VERIFY_RECHECK_ROUNDS.key(), (long) v.recheckRounds());
        m.put(ProjectSettings.VERIFY_RECHECK_INTERVAL.key(), v.recheckIntervalMillis() / 1000.0);
        m.put(ProjectSettings.VERIFY_WHERE.key(), v.where());
        return SettingValues.ofValues(ProjectSettings.ALL, m);
    }

    /** The project's settings as text, secrets masked: what may be printed or logged. */
    public static Map<String, String> masked(ProjectConfig p) {
        return of(p).masked();
    }

    private static DataSourceConfig dataSource(SettingValues v, DataSourceSettings s) {
        DataSourceType type = v.get(s.type());
        Long port = v.get(s.of(ConnectionSettings.PORT));
        return new DataSourceConfig(type, v.get(s.of(ConnectionSettings.HOST)),
                port == null ? type.defaultPort() : port.intValue(), v.get(s.of(ConnectionSettings.USER)),
                v.get(s.of(ConnectionSettings.PASSWORD)), v.get(s.of(ConnectionSettings.DATABASE)),
                v.get(s.of(ConnectionSettings.PROPERTIES)));
    }

    private static void put(Map<String, Object> m, DataSourceSettings s, DataSourceConfig d) {
        m.put(s.type().key(), d.type());
        m.put(s.of(ConnectionSettings.HOST).key(), d.host());
        m.put(s.of(ConnectionSettings.PORT).key(), (long) d.port());
        m.put(s.of(ConnectionSettings.USER).key(), d.user());
        m.put(s.of(ConnectionSettings.PASSWORD).key(), d.password());
        m.put(s.of(ConnectionSettings.DATABASE).key(), d.database());
        m.put(s.of(ConnectionSettings.PROPERTIES).key(), d.properties());
    }
}

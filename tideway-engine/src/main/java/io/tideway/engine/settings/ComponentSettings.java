package io.tideway.engine.settings;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.FullOptions;
import io.tideway.core.project.IncrementalOptions;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The settings of components (Store, Connector, Full-Import, Checker), by section: {@code source}
 * (how the component reads), {@code sink} (how it writes), {@code coordinator} (how it batches,
 * paces and retries). Their defaults are the values the engine has always used; the keys that are
 * also project-file keys (noted in their description) are seeded from the project file when the
 * component is created, and again whenever the project file changes them.
 */
public final class ComponentSettings {
    private ComponentSettings() { }

    static final String STORE = "store";
    static final String CONNECTOR = "connector";
    static final String FULL_IMPORT = "full-import";
    static final String CHECKER = "checker";

    private static SettingType<Duration> duration(Duration min, Duration max) {
        return SettingType.duration(min, max, "s");
    }

    /** The known data source types, as project files spell them. */
    static SettingType<String> dataSourceType() {
        String ids = DataSourceType.all().stream().map(DataSourceType::id).collect(Collectors.joining(", "));
        return new SettingType.Simple<>("one of " + ids, t -> {
            try {
                return DataSourceType.fromId(t).id();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected one of " + ids + ", got '" + t + "'");
            }
        }, v -> v);
    }

    // ---- Store

    /** MySQL family: a capture connection silent this long (not even heartbeats) is probed. */
    public static final Setting<Duration> SILENCE_TIMEOUT = Setting.of("source.silenceTimeout",
                    duration(Duration.ofSeconds(5), Duration.ofHours(1)))
            .component(STORE).defaultValue(CaptureSpec.Watch.DEFAULT.silence())
            .description("MySQL family: when the capture's connection delivers nothing, not even the server's heartbeats,"
                    + " for this long, the Store probes the source on a connection of its own and takes the capture"
                    + " connection as lost (and reconnects) when the source answers.")
            .build();

    /** MySQL family: how long that probe may take. */
    public static final Setting<Duration> PROBE_TIMEOUT = Setting.of("source.probeTimeout",
                    duration(Duration.ofSeconds(1), Duration.ofMinutes(10)))
            .component(STORE).defaultValue(CaptureSpec.Watch.DEFAULT.probeTimeout())
            .description("MySQL family: how long the probe of a silent capture connection may take.")
            .build();

    public static final Setting<Duration> RECONNECT_FOR = Setting.of("coordinator.reconnectFor",
                    duration(Duration.ofSeconds(1), Duration.ofDays(7)))
            .component(STORE).defaultValue(Duration.ofMinutes(10))
            .description("How long the Store tries to reconnect a lost capture before it fails the step.")
            .build();

    public static final Setting<Duration> RECONNECT_MAX_WAIT = Setting.of("coordinator.reconnectMaxWait",
                    duration(Duration.ofSeconds(1), Duration.ofHours(1)))
            .component(STORE).defaultValue(Duration.ofSeconds(30))
            .description("The longest wait between two reconnect attempts (the first waits 1 s, each next one twice as long).")
            .build();

    public static final Setting<Duration> ATTEMPT_TIMEOUT = Setting.of("coordinator.attemptTimeout",
                    duration(Duration.ofSeconds(10), Duration.ofHours(1)))
            .component(STORE).defaultValue(Duration.ofSeconds(60))
            .description("How long one reconnect attempt may take to start streaming.")
            .build();

    public static final Setting<Duration> IDLE_STOP = Setting.of("coordinator.idleStop",
                    duration(Duration.ofSeconds(1), Duration.ofHours(1)))
            .component(STORE).defaultValue(Duration.ofSeconds(30))
            .description("A capture session that stops streaming without a failure for this long is taken as stopped"
                    + " (and reconnected).")
            .build();

    // ---- Connector

    /** The Connector's source database type: tells it how to read the source's schema changes. */
    public static final Setting<String> DB_TYPE = Setting.of("source.dbType", dataSourceType())
            .component(CONNECTOR)
            .defaultText("none: required")
            .description("The source database's type (e.g. mariadb, postgresql): tells the Connector how to read the"
                    + " source's schema changes. A Connector without it refuses to start. Seeded from the project's"
                    + " source type.")
            .build();

    public static final Setting<Long> LANES = Setting.of("sink.lanes", SettingType.integer(1, 1024))
            .component(CONNECTOR).defaultValue((long) IncrementalOptions.DEFAULT_PARALLELISM)
            .description("Destination connections writing a batch at once, each one range of its keys."
                    + " Project file: incremental.parallelism.")
            .build();

    public static final Setting<Long> BATCH_MAX_ROWS = Setting.of("coordinator.batchMaxRows",
                    SettingType.integer(1, 100_000_000))
            .component(CONNECTOR).defaultValue(1_000_000L).unit("changes")
            .description("Changes per batch at most (one destination transaction per lane). Under a throttle, a batch"
                    + " holds about a quarter second's worth.")
            .build();

    public static final Setting<Double> BATCH_MAX_HEAP_SHARE = Setting.of("coordinator.batchMaxHeapShare",
                    SettingType.decimal(0, true, 0.9))
            .component(CONNECTOR).defaultValue(0.3).unit("share of the heap")
            .description("A batch also ends once its changes take this share of the Java heap (at least 16 MB).")
            .build();

    public static final Setting<Duration> BATCH_FILL = Setting.of("coordinator.batchFill",
                    SettingType.duration(Duration.ZERO, Duration.ofMinutes(10), "ms"))
            .component(CONNECTOR).defaultValue(Duration.ofSeconds(20)).live()
            .description("While the capture reads a backlog, how long a batch may fill before it is applied, as long as"
                    + " the capture keeps adding to it. A live change never waits.")
            .build();

    public static final Setting<Duration> BEHIND_AFTER = Setting.of("coordinator.behindAfter",
                    SettingType.duration(Duration.ZERO, Duration.ofHours(1), "ms"))
            .component(CONNECTOR).defaultValue(Duration.ofSeconds(10)).live()
            .description("The capture counts as reading a backlog (batches fill, see coordinator.batchFill) while its"
                    + " newest change is older than this and it has not reached the end of the source's log.")
            .build();

    public static final Setting<Duration> QUIET_AFTER = Setting.of("coordinator.quietAfter",
                    SettingType.duration(Duration.ofMillis(10), Duration.ofMinutes(10), "ms"))
            .component(CONNECTOR).defaultValue(Duration.ofSeconds(1)).live()
            .description("A filling batch is applied once the spool has not grown for this long.")
            .build();

    public static final Setting<Duration> LAG_THRESHOLD = Setting.of("coordinator.lagThreshold",
                    SettingType.duration(Duration.ofMillis(100), Duration.ofHours(1), "s"))
            .component(CONNECTOR).defaultValue(Duration.ofSeconds(5)).live()
            .description("The lag under which the Connector's step is MONITORING (synced); it is RUNNING again above"
                    + " twice this.")
            .build();

    public static final Setting<Long> THROTTLE_ROWS = Setting.of("coordinator.throttleRows",
                    SettingType.integer(0, Long.MAX_VALUE))
            .component(CONNECTOR, FULL_IMPORT).defaultValue(0L).unit("rows/s")
            .description("Rows (changes for the Connector) per second at most; 0 = unlimited."
                    + " Project file: full.throttle-rows, incremental.throttle-rows.")
            .build();

    public static final Setting<Duration> RETRY_MAX_BACKOFF = Setting.of("coordinator.retryMaxBackoff",
                    duration(Duration.ofSeconds(1), Duration.ofHours(1)))
            .component(CONNECTOR, FULL_IMPORT).defaultValue(Duration.ofSeconds(30))
            .description("The longest wait between two attempts after a failure that may pass (a lost connection,"
                    + " a deadlock); the waits double from a second or less up to this.")
            .build();

    // ---- Full-Import

    public static final Setting<Long> CHUNK_SIZE = Setting.of("source.chunkSize", SettingType.integer(1, Integer.MAX_VALUE))
            .component(FULL_IMPORT).defaultValue((long) FullOptions.DEFAULT_CHUNK_SIZE).unit("rows")
            .description("Rows per key-range chunk of a table. Project file: full.chunk-size.")
            .build();

    public static final Setting<Long> PARALLELISM = Setting.of("coordinator.parallelism", SettingType.integer(1, 1024))
            .component(FULL_IMPORT).defaultValue((long) FullOptions.DEFAULT_PARALLELISM)
            .defaultText("this machine's cores, at least 2 and at most 4")
            .description("Chunks copied at once across all tables. Project file: full.parallelism.")
            .build();

    public static final Setting<Double> THROTTLE_MB = Setting.of("coordinator.throttleMb",
                    SettingType.decimal(0, false, Double.MAX_VALUE))
            .component(FULL_IMPORT).defaultValue(0.0).unit("MB/s")
            .description("Megabytes per second at most; 0 = unlimited. Project file: full.throttle-mb.")
            .build();

    public static final Setting<Duration> RETRY_FOR = Setting.of("coordinator.retryFor",
                    duration(Duration.ofSeconds(1), Duration.ofDays(7)))
            .component(FULL_IMPORT).defaultValue(Duration.ofMinutes(10))
            .description("How long a chunk keeps being retried after failures that may pass before the step fails.")
            .build();

    // ---- Checker

    public static final Setting<Long> KEY_BATCH = Setting.of("coordinator.keyBatch", SettingType.integer(1, 100_000))
            .component(CHECKER).defaultValue(500L).unit("rows")
            .description("Rows read again by key at once when the Checker drills into a differing chunk or rechecks rows.")
            .build();

    /** Every component setting, in the order the settings tables list them. */
    public static final List<Setting<?>> ALL = List.of(SILENCE_TIMEOUT, PROBE_TIMEOUT, RECONNECT_FOR, RECONNECT_MAX_WAIT,
            ATTEMPT_TIMEOUT, IDLE_STOP, DB_TYPE, LANES, BATCH_MAX_ROWS, BATCH_MAX_HEAP_SHARE, BATCH_FILL, BEHIND_AFTER,
            QUIET_AFTER, LAG_THRESHOLD, THROTTLE_ROWS, RETRY_MAX_BACKOFF, CHUNK_SIZE, PARALLELISM, THROTTLE_MB, RETRY_FOR,
            KEY_BATCH);

    /** The settings of one kind of component (its id: store, connector, full-import, checker), in table order. */
    public static List<Setting<?>> of(String kind) {
        return ALL.stream().filter(s -> s.components().contains(kind)).toList();
    }
}

package io.tideway.core.change;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a capture reads and where it keeps its state.
 *
 * @param name a stable name for this capture, unique per source (e.g. "tideway_shop_to_pg"): the
 *     PostgreSQL replication slot and publication are named after it; MySQL uses it as the client name
 * @param serverId MySQL family: the replica server id the capture presents (unique per source server)
 * @param tables the source tables whose changes are wanted
 * @param state offsets and schema history
 * @param workDir a directory the capture may use for scratch files (never for state)
 * @param patterns the project's table patterns, or null: a capture that reads a DDL log also
 *     delivers the changes of tables they select that are created or renamed while it runs, and the
 *     DDL of every table of the databases they cover (so a table renamed away can be told); null =
 *     the listed tables only
 * @param peer the family of the database the changes are applied to, or null when unknown: within a
 *     family values are delivered as {@link io.tideway.core.spi.Dialect#withPeer} reads them
 * @param zeroDatesAsNull MySQL family: the project writes zero dates as NULL, so a NULL the log gives
 *     for a nullable DATE or DATETIME column (where the log cannot tell a zero date from NULL) needs
 *     no look-up of the row's stored value; false = look it up and deliver a zero date verbatim
 * @param watch how the capture watches its connection (the Store's settings source.silenceTimeout and source.probeTimeout)
 */
public record CaptureSpec(String name, long serverId, DataSourceConfig source, List<TableId> tables, CaptureState state,
                          Path workDir, TablePatterns patterns, DataSourceType.Family peer, boolean zeroDatesAsNull,
                          Watch watch) {
    public CaptureSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        tables = List.copyOf(tables);
        Objects.requireNonNull(state, "state");
        watch = watch == null ? Watch.DEFAULT : watch;
    }

    /**
     * How a capture watches its connection (MySQL family).
     *
     * @param silence a connection that delivers nothing, not even the server's heartbeats, for this
     *     long is probed and taken as lost when the source answers the probe
     * @param probeTimeout how long a query of that probe may wait for the server
     */
    public record Watch(java.time.Duration silence, java.time.Duration probeTimeout) {
        public static final Watch DEFAULT = new Watch(java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(10));
    }

    /** With the default {@link Watch}. */
    public CaptureSpec(String name, long serverId, DataSourceConfig source, List<TableId> tables, CaptureState state,
                       Path workDir, TablePatterns patterns, DataSourceType.Family peer, boolean zeroDatesAsNull) {
        this(name, serverId, source, tables, state, workDir, patterns, peer, zeroDatesAsNull, Watch.DEFAULT);
    }

    /** A capture of the listed tables only. */
    public CaptureSpec(String name, long serverId, DataSourceConfig source, List<TableId> tables, CaptureState state,
                       Path workDir) {
        this(name, serverId, source, tables, state, workDir, null);
    }

    /**
     * A capture whose changes go to a database of unknown family (values canonical), looking up every
     * value the log cannot tell from a zero date.
     */
    public CaptureSpec(String name, long serverId, DataSourceConfig source, List<TableId> tables, CaptureState state,
                       Path workDir, TablePatterns patterns) {
        this(name, serverId, source, tables, state, workDir, patterns, null, false);
    }
}

package io.tideway.core.project;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Options of the incremental step.
 *
 * @param ddl what a schema change on the source does to the destination
 * @param dropTables whether a table dropped on the source is dropped on the destination (else the
 *     step stops, so that data is never dropped unasked)
 * @param parallelism the Connector's lanes: destination connections that write a batch at once,
 *     each one range of its keys (at least 1)
 * @param throttleRowsPerSecond source changes applied per second at most; 0 = unlimited
 * @param retentionHours how long spooled changes are kept after they were written (hours, at least
 *     1): a segment of the spool is deleted once every consumer has applied it and it is older
 */
public record IncrementalOptions(Ddl ddl, boolean dropTables, int parallelism, long throttleRowsPerSecond,
                                 long retentionHours) {

    /** How schema changes on the source are handled. */
    public enum Ddl {
        /** Converted to the destination's dialect and applied in order with the row changes. */
        FOLLOW,
        /** Logged as warnings and not applied; row changes still are (a row with unknown columns stops the step). */
        IGNORE,
        /** Every schema change stops the step, for the DBA to apply by hand. */
        STOP;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static String ids() {
            return Arrays.stream(values()).map(Ddl::id).collect(Collectors.joining(", "));
        }

        public static Ddl fromId(String id) {
            for (Ddl d : values()) {
                if (d.id().equals(id == null ? "" : id.trim().toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw new IllegalArgumentException("expected one of " + ids() + ", got '" + id + "'");
        }
    }

    /** Lanes by default (see docs/BENCHMARKS.md). */
    public static final int DEFAULT_PARALLELISM = 4;

    /** Spool retention by default: 7 days. */
    public static final long DEFAULT_RETENTION_HOURS = 7 * 24;

    public static final IncrementalOptions DEFAULT = new IncrementalOptions(Ddl.FOLLOW, false);

    public IncrementalOptions {
        Objects.requireNonNull(ddl, "ddl");
        if (parallelism < 1) {
            throw new IllegalArgumentException("incremental.parallelism must be at least 1, got " + parallelism);
        }
        if (throttleRowsPerSecond < 0) {
            throw new IllegalArgumentException("incremental.throttle-rows must be 0 or more, got " + throttleRowsPerSecond);
        }
        if (retentionHours < 1) {
            throw new IllegalArgumentException("incremental.retention-hours must be at least 1, got " + retentionHours);
        }
    }

    /** With the default retention. */
    public IncrementalOptions(Ddl ddl, boolean dropTables, int parallelism, long throttleRowsPerSecond) {
        this(ddl, dropTables, parallelism, throttleRowsPerSecond, DEFAULT_RETENTION_HOURS);
    }

    /** The default lanes, unthrottled. */
    public IncrementalOptions(Ddl ddl, boolean dropTables) {
        this(ddl, dropTables, DEFAULT_PARALLELISM, 0);
    }
}

package io.tideway.core.model;

/**
 * One list of failure kinds for the CLI (exit codes) and, later, the REST API (HTTP status).
 */
public enum ErrorCode {
    /** A project file or option is wrong: exit 2. */
    CONFIG_INVALID(2, false),
    /** The host:port does not answer. */
    UNREACHABLE(1, true),
    /** The server refused the user name or password. */
    LOGIN_FAILED(1, false),
    /** The user lacks a privilege a step needs. */
    PRIVILEGE_MISSING(1, false),
    /** A precheck item failed and the project does not skip it. */
    PRECHECK_FAILED(1, false),
    /** A column type has no mapping to the destination. */
    UNSUPPORTED_TYPE(1, false),
    /** A destination table exists and does not match, or is not empty. */
    TABLE_CONFLICT(1, false),
    /** A source table was dropped while the project ran. */
    TABLE_VANISHED(1, false),
    /** A value cannot be stored in the destination (e.g. NUL in PostgreSQL text). */
    DATA_INVALID(1, false),
    /** A schema change on the source that Tideway cannot apply to the destination by itself. */
    DDL_UNSUPPORTED(1, false),
    /** Verification found rows that differ between source and destination. */
    DATA_DIFFERENT(1, false),
    /** Verification found rows different that it could not confirm: the sync beside it lagged (changes in flight). */
    DATA_UNCONFIRMED(1, false),
    /** The spool lacks changes the Connector has not applied (lost with a disk, a moved data directory, a node). */
    SPOOL_LOST(1, false),
    /**
     * The destination holds a newer writer's epoch than this Connector's: another run of the project
     * (another process or node) took over, and this one stops without writing.
     */
    SINK_FENCED(1, false),
    /** A connection dropped or a lock wait timed out: worth a bounded retry. */
    TRANSIENT(1, true),
    /** Anything else. */
    INTERNAL(1, false);

    private final int exitCode;
    private final boolean retriable;

    ErrorCode(int exitCode, boolean retriable) {
        this.exitCode = exitCode;
        this.retriable = retriable;
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean retriable() {
        return retriable;
    }
}

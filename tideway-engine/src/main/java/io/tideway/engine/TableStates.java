package io.tideway.engine;

/** States of one table in table_mapping, in the order a table goes through them. */
public final class TableStates {
    private TableStates() { }

    /** Selected, nothing done on the destination yet. */
    public static final String PENDING = "PENDING";
    /** The destination table exists (created by the schema step or found). */
    public static final String CREATED = "CREATED";
    /** The full copy of this table has begun. */
    public static final String COPYING = "COPYING";
    /** Every row is copied; secondary indexes are next. */
    public static final String COPIED = "COPIED";
    /** Copied and indexed. */
    public static final String DONE = "DONE";
}

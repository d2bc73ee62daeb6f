package io.tideway.core.model;

/**
 * A column's default. LITERAL holds the value in the column kind's canonical text form;
 * CURRENT_TIMESTAMP is portable; EXPRESSION is the source's own SQL, which another dialect may not
 * understand (the schema step reports those).
 */
public record ColumnDefault(Kind kind, String value) {
    public enum Kind { LITERAL, CURRENT_TIMESTAMP, EXPRESSION }

    public static ColumnDefault literal(String v) {
        return new ColumnDefault(Kind.LITERAL, v);
    }

    public static ColumnDefault currentTimestamp() {
        return new ColumnDefault(Kind.CURRENT_TIMESTAMP, null);
    }

    public static ColumnDefault expression(String sql) {
        return new ColumnDefault(Kind.EXPRESSION, sql);
    }
}

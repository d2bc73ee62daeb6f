package io.tideway.core.spi;

import java.util.function.Consumer;

/**
 * How a dialect reads rows and turns stored values into canonical ones.
 *
 * @param zeroDates what to do with MySQL zero dates ('0000-00-00'), which no other database stores
 * @param warnings receives one message per kind of lossy conversion (the dialect may repeat)
 * @param filter a SQL boolean condition of this dialect that the rows read must also meet (put in
 *     parentheses after the key conditions), or null for all rows; see {@link Dialect#checkRowFilter}
 */
public record ReadOptions(ZeroDates zeroDates, Consumer<String> warnings, String filter) {
    public enum ZeroDates { NULL, FAIL }

    public static final ReadOptions DEFAULT = new ReadOptions(ZeroDates.NULL, w -> { });

    public ReadOptions(ZeroDates zeroDates, Consumer<String> warnings) {
        this(zeroDates, warnings, null);
    }

    public ReadOptions withFilter(String condition) {
        return new ReadOptions(zeroDates, warnings, condition);
    }
}

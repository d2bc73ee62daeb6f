package io.tideway.core.spi;

import io.tideway.core.model.ZeroDates;
import java.util.function.Consumer;

/**
 * How a dialect reads rows and turns stored values into canonical ones.
 *
 * @param zeroDates what MySQL zero dates ('0000-00-00') become; a resolved choice (not
 *     {@link ZeroDates.Mode#DEFAULT}, read as KEEP)
 * @param warnings receives one message per kind of lossy conversion (the dialect may repeat)
 * @param filter a SQL boolean condition of this dialect that the rows read must also meet (put in
 *     parentheses after the key conditions), or null for all rows; see {@link VerifyHashing#checkRowFilter}
 */
public record ReadOptions(ZeroDates zeroDates, Consumer<String> warnings, String filter) {
    /** Values as stored: zero dates verbatim. */
    public static final ReadOptions DEFAULT = new ReadOptions(ZeroDates.KEEP, w -> { });

    public ReadOptions(ZeroDates zeroDates, Consumer<String> warnings) {
        this(zeroDates, warnings, null);
    }

    public ReadOptions withFilter(String condition) {
        return new ReadOptions(zeroDates, warnings, condition);
    }
}

package io.tideway.core.spi;

import java.util.function.Consumer;

/**
 * How a dialect turns stored values into canonical ones.
 *
 * @param zeroDates what to do with MySQL zero dates ('0000-00-00'), which no other database stores
 * @param warnings receives one message per kind of lossy conversion (the dialect may repeat)
 */
public record ReadOptions(ZeroDates zeroDates, Consumer<String> warnings) {
    public enum ZeroDates { NULL, FAIL }

    public static final ReadOptions DEFAULT = new ReadOptions(ZeroDates.NULL, w -> { });
}

package io.tideway.engine.verify;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The order of row keys whose types sort the same way in every database (integers, decimals,
 * dates and times in canonical text, booleans, and within one family bytes), on canonical
 * values. Used to merge two key-ordered row streams; where it would disagree with a database's
 * order, the merge sees a row on each side instead of a pair, and the table-wide matching puts
 * the pair together again.
 */
final class KeyOrder {
    private KeyOrder() { }

    static int compare(Object[] a, Object[] b) {
        for (int i = 0; i < a.length && i < b.length; i++) {
            int c = compareValues(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    static int compareValues(Object x, Object y) {
        if (x == y) {
            return 0;
        }
        if (x == null) {
            return -1;
        }
        if (y == null) {
            return 1;
        }
        if (x instanceof Long a && y instanceof Long b) {
            return Long.compare(a, b);
        }
        if (x instanceof Number a && y instanceof Number b) {
            return decimal(a).compareTo(decimal(b));
        }
        if (x instanceof Boolean a && y instanceof Boolean b) {
            return Boolean.compare(a, b);
        }
        if (x instanceof byte[] a && y instanceof byte[] b) {
            return Arrays.compareUnsigned(a, b);
        }
        return String.valueOf(x).compareTo(String.valueOf(y));
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof Double || n instanceof Float) {
            return new BigDecimal(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }
}

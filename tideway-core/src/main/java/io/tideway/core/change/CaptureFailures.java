package io.tideway.core.change;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a capture's failure for signs that it may pass by itself (see
 * {@link ChangeCapture#worthRetrying(Throwable)}): the common part, for every database.
 */
public final class CaptureFailures {
    /** Words of connection failures in messages of exceptions that carry no better type. */
    private static final String[] TRANSIENT_WORDS = {
        "connection refused", "connection reset", "broken pipe", "communications link failure", "server shutdown in progress",
        "lost connection", "connection closed", "connection was closed", "the database system is starting up",
        "the database system is shutting down", "terminating connection due to administrator command",
        "database connection failed", "an i/o error occurred", "timed out", "unable to connect", "failed to connect",
    };

    private CaptureFailures() { }

    /**
     * True when the failure looks like a lost or refused connection or a server going down or coming
     * up: a {@link TidewayException} of a retriable code (one of a non-retriable code other than
     * INTERNAL, anywhere in the chain, says no at once); a connect, socket, end-of-stream or timeout
     * exception; an SQLException of SQLSTATE class 08 or 57P01..57P03 (shutdown, crash, starting
     * up) or MySQL error 1053 (server shutdown), 2006 or 2013 (server gone, connection lost); or,
     * for exceptions without a telling type, a message with such words.
     */
    public static boolean looksTransient(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof TidewayException te && !te.code().retriable() && te.code() != ErrorCode.INTERNAL) {
                return false;
            }
        }
        seen.clear();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof TidewayException te && te.code().retriable()) {
                return true;
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.io.EOFException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState() == null ? "" : s.getSQLState();
                int code = s.getErrorCode();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || code == 1053 || code == 2006 || code == 2013) {
                    return true;
                }
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            for (String w : TRANSIENT_WORDS) {
                if (m.contains(w)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every message of the chain, lower case, joined by " | ": for a dialect's own checks. */
    public static String allMessages(Throwable failure) {
        StringBuilder b = new StringBuilder();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            b.append(" | ").append(t.getMessage());
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}

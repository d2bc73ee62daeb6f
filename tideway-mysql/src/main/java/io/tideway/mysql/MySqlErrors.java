package io.tideway.mysql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ErrorClassifier;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies the server's errors by their error code: what a DBA must fix (fatal) and what is
 * worth a bounded retry (transient). Messages never contain a password.
 */
public final class MySqlErrors implements ErrorClassifier {
    private static final Pattern COLUMN_IN_MESSAGE =
            Pattern.compile("for column (?:'([^']*)'|`[^`]*`\\.`[^`]*`\\.`([^`]*)`|`([^`]*)`)");

    MySqlErrors() { }

    /** MariaDB/MySQL error codes first (lock wait timeout, full disk, missing privilege ...), then SQLSTATE classes. */
    @Override
    public TidewayException classify(SQLException e, String what) {
        if (e.getCause() instanceof TidewayException t) {
            return t;
        }
        TidewayException t = translate(e, null);
        return t == null ? ErrorClassifier.super.classify(e, what) : new TidewayException(t.code(), what + ": " + t.getMessage(), e);
    }

    /** The error codes of values a column cannot hold. */
    static boolean isDataError(int code) {
        return switch (code) {
            // data too long, truncated, out of range, incorrect value, null into not null, bad datetime,
            // incorrect string, duplicate key, check constraint violated, invalid JSON text
            case 1406, 1265, 1264, 1366, 1048, 1292, 1367, 1411, 1062, 3819, 4025, 3140, 1690, 1263, 1261, 1262 -> true;
            default -> false;
        };
    }

    /**
     * Out of disk space: disk full (1021), a table that cannot grow (1114, what InnoDB says when its
     * disk is full), or a write that failed with ENOSPC (errno 28, in 3 / 1030 and others).
     */
    static boolean isDiskFull(SQLException e) {
        int code = e.getErrorCode();
        String m = e.getMessage() == null ? "" : e.getMessage();
        return code == 1021 || code == 1114 || m.contains("No space left on device") || m.contains("(Errcode: 28")
                || (code == 1030 && m.contains("error 28 "));
    }

    static boolean isTransient(SQLException e) {
        int code = e.getErrorCode();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return code == 1205 || code == 1213 || code == 2006 || code == 2013 || code == 1927 || code == 1053
                || state.startsWith("08") || state.equals("40001");
    }

    /**
     * A Tideway error for failures this dialect recognises, or the exception itself otherwise.
     *
     * @param table the table being worked on, for the message (may be null)
     */
    public static SQLException orRethrow(SQLException e, TableId table) {
        TidewayException t = translate(e, table);
        if (t != null) {
            throw t;
        }
        return e;
    }

    /** The Tideway error for a failure, or null when it has no specific kind. */
    public static TidewayException translate(SQLException e, TableId table) {
        int code = e.getErrorCode();
        String where = table == null ? "" : " (table " + table + ")";
        if (isDataError(code)) {
            String col = columnOf(e.getMessage());
            return new TidewayException(ErrorCode.DATA_INVALID, "cannot store a value in " + (table == null ? "the table" : table)
                    + (col == null ? "" : ", column " + col) + ": " + e.getMessage(), e);
        }
        if (code == 1146) {
            return new TidewayException(ErrorCode.TABLE_VANISHED, "the table no longer exists" + where + ": " + e.getMessage(), e);
        }
        if (code == 1142 || code == 1143 || code == 1227 || code == 1044 || code == 1370) {
            return new TidewayException(ErrorCode.PRIVILEGE_MISSING, e.getMessage() + where, e);
        }
        if (isDiskFull(e)) {
            return new TidewayException(ErrorCode.TRANSIENT, "the server's disk is full" + where + " (" + e.getMessage()
                    + "); free space on it: Tideway retries from its last checkpoint", e);
        }
        if (isTransient(e)) {
            return new TidewayException(ErrorCode.TRANSIENT, e.getMessage() + where, e);
        }
        return null;
    }

    /** The column a server message names ("... for column 'c' at row 1"), or null. */
    static String columnOf(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = COLUMN_IN_MESSAGE.matcher(message);
        if (m.find()) {
            for (int g = 1; g <= 3; g++) {
                if (m.group(g) != null) {
                    return m.group(g);
                }
            }
        }
        return null;
    }

    /** The error for a failed connection attempt: UNREACHABLE, LOGIN_FAILED or CONFIG_INVALID. */
    static TidewayException connectFailure(SQLException e, DataSourceConfig cfg) {
        int code = e.getErrorCode();
        String server = cfg.type().id() + " at " + cfg.address();
        if (code == 1045) {
            return new TidewayException(ErrorCode.LOGIN_FAILED, "login to " + server + " failed for user '" + cfg.user()
                    + "' from this host: access denied; check the user name and password", e);
        }
        if (code == 1049) {
            return new TidewayException(ErrorCode.CONFIG_INVALID, "database '" + cfg.database() + "' does not exist on "
                    + server + "; create it or correct the 'database' setting", e);
        }
        if (code == 1044) {
            return new TidewayException(ErrorCode.PRIVILEGE_MISSING, "user '" + cfg.user() + "' may not use database '"
                    + cfg.database() + "' on " + server + "; grant it access to that database", e);
        }
        if (code == 1130) {
            return new TidewayException(ErrorCode.LOGIN_FAILED, "user '" + cfg.user() + "' may not connect to " + server
                    + " from this host; grant it access from Tideway's host", e);
        }
        if (code == 0 || isTransient(e)) {
            return new TidewayException(ErrorCode.UNREACHABLE, "cannot reach " + server + ": " + reason(e), e);
        }
        return new TidewayException(ErrorCode.INTERNAL, "cannot connect to " + server + ": " + e.getMessage(), e);
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
                return m.contains("refused") ? "connection refused" : "cannot connect (" + m + ")";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof SocketTimeoutException) {
                return "connection timed out";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("connection refused")) {
            return "connection refused";
        }
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return "connection timed out";
        }
        return m;
    }
}

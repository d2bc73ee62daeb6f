package io.tideway.postgresql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ErrorClassifier;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns PostgreSQL errors (by SQLState) into {@link TidewayException}s a DBA can act on. */
final class PostgresErrors implements ErrorClassifier {
    PostgresErrors() { }

    /** A failure while opening a connection. Never includes the password. */
    static TidewayException connectFailure(DataSourceConfig cfg, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "postgresql at " + cfg.address();
        switch (state) {
            case "28P01", "28000":
                return new TidewayException(ErrorCode.LOGIN_FAILED, where + " refused the login of user '" + cfg.user()
                        + "' from this host: " + serverText(e) + " (check the user name and password, and pg_hba.conf)", e);
            case "08004":
                // the driver's own refusal, e.g. the server asks for a password and none was given
                return new TidewayException(ErrorCode.LOGIN_FAILED, where + " refused the login of user '" + cfg.user()
                        + "': " + e.getMessage(), e);
            case "3D000":
                return new TidewayException(ErrorCode.CONFIG_INVALID, "database '" + cfg.database() + "' does not exist on "
                        + where + " (check the 'database' of the data source)", e);
            case "53300":
                return new TidewayException(ErrorCode.TRANSIENT, where + " has no free connection slot: " + serverText(e), e);
            default:
                break;
        }
        Throwable root = rootCause(e);
        if (state.startsWith("08") || root instanceof java.io.IOException) {
            String why;
            if (root instanceof ConnectException) {
                why = "connection refused";
            } else if (root instanceof UnknownHostException) {
                why = "unknown host";
            } else if (root instanceof SocketTimeoutException) {
                why = "connection timed out";
            } else if (root instanceof NoRouteToHostException) {
                why = "no route to host";
            } else {
                why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            }
            return new TidewayException(ErrorCode.UNREACHABLE, "cannot reach postgresql at " + cfg.address() + ": " + why, e);
        }
        return new TidewayException(ErrorCode.INTERNAL, "cannot connect to " + where + " as user '" + cfg.user() + "': "
                + serverText(e), e);
    }

    /**
     * The error kind of a failure during work, by SQLState: lost connections, serialization
     * failures, deadlocks, lock and statement timeouts, admin shutdowns, full connection slots and a
     * full disk (space may be freed) are TRANSIENT (retried); an undefined table or schema is TABLE_VANISHED; a duplicate key
     * TABLE_CONFLICT (the destination already holds the row); other data exceptions and integrity
     * violations DATA_INVALID; insufficient privilege PRIVILEGE_MISSING.
     */
    static ErrorCode classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        switch (state) {
            case "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300", "53200", "53100":
                return ErrorCode.TRANSIENT;
            case "42P01", "3F000":
                return ErrorCode.TABLE_VANISHED;
            case "42501":
                return ErrorCode.PRIVILEGE_MISSING;
            case "23505":
                return ErrorCode.TABLE_CONFLICT;
            case "28P01", "28000":
                return ErrorCode.LOGIN_FAILED;
            case "3D000":
                return ErrorCode.CONFIG_INVALID;
            default:
                break;
        }
        if (state.startsWith("08")) {
            return ErrorCode.TRANSIENT;
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            return ErrorCode.DATA_INVALID;
        }
        return ErrorCode.INTERNAL;
    }

    /** A failure of a statement about {@code what}, classified, with the server's words and SQLState. */
    @Override
    public TidewayException classify(SQLException e, String what) {
        if (e.getCause() instanceof TidewayException t) {
            return t;
        }
        String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
        if ("53100".equals(e.getSQLState())) {
            return new TidewayException(ErrorCode.TRANSIENT, what + ": the server's disk is full (" + serverText(e) + state
                    + "); free space on it: Tideway retries from its last checkpoint", e);
        }
        return new TidewayException(classify(e), what + ": " + serverText(e) + state, e);
    }

    /** The server's primary message and its detail ("Key (id)=(1) already exists."), if any. */
    static String serverTextWithDetail(SQLException e) {
        String detail = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getDetail() : null;
        return serverText(e) + (detail == null ? "" : " (" + detail + ")");
    }

    /** The server's primary message, without the driver's decorations. */
    static String serverText(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return e.getMessage();
    }

    /** The "column X" of a COPY error's context ("COPY t, line 3, column c: ..."), or null. */
    static String copyColumn(SQLException e) {
        if (!(e instanceof PSQLException p)) {
            return null;
        }
        ServerErrorMessage m = p.getServerErrorMessage();
        if (m == null) {
            return null;
        }
        if (m.getColumn() != null) {
            return m.getColumn();
        }
        String w = m.getWhere();
        if (w == null) {
            return null;
        }
        int i = w.indexOf(", column ");
        if (i < 0) {
            return null;
        }
        String rest = w.substring(i + ", column ".length());
        int colon = rest.indexOf(": ");
        return colon < 0 ? rest.trim() : rest.substring(0, colon);
    }

    /**
     * The 1-based number of the parameter an error points at (from the error's context for a value
     * rejected while binding, else from the server's error position inside the statement as sent,
     * where each '?' outside quoted identifiers became $n), or -1.
     */
    static int parameterAt(String sql, SQLException e) {
        if (!(e instanceof PSQLException p) || p.getServerErrorMessage() == null) {
            return -1;
        }
        String where = p.getServerErrorMessage().getWhere();
        if (where != null) {
            // an input function failing at bind time: "unnamed portal parameter $18 = '...'"
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("parameter \\$(\\d+)").matcher(where);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        if (p.getServerErrorMessage().getPosition() <= 0) {
            return -1;
        }
        int target = p.getServerErrorMessage().getPosition() - 1;
        StringBuilder nativeSql = new StringBuilder(sql.length() + 64);
        int n = 0;
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == '?' && !quoted) {
                int start = nativeSql.length();
                nativeSql.append('$').append(++n);
                if (target >= start && target < nativeSql.length()) {
                    return n;
                }
            } else {
                nativeSql.append(ch);
            }
        }
        return -1;
    }

    /** The line number of a COPY error's context, or -1. */
    static long copyLine(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null && p.getServerErrorMessage().getWhere() != null) {
            String w = p.getServerErrorMessage().getWhere();
            java.util.regex.Matcher mm = java.util.regex.Pattern.compile("line (\\d+)").matcher(w);
            if (mm.find()) {
                return Long.parseLong(mm.group(1));
            }
        }
        return -1;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}

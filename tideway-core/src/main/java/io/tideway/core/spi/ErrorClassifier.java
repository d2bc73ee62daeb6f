package io.tideway.core.spi;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.SQLException;

/** Classifies a database's failures into Tideway's error codes ({@link Dialect#errors()}). */
public interface ErrorClassifier {

    /**
     * Classifies a failure of a statement about {@code what} (e.g. a table name): a dropped table
     * is TABLE_VANISHED, a lost connection or deadlock TRANSIENT (retried), anything else as the
     * dialect decides. The default reads standard SQLSTATE classes; dialects refine it by error code.
     */
    default TidewayException classify(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        ErrorCode code;
        if (state.equals("42S02") || state.equals("42P01")) {
            code = ErrorCode.TABLE_VANISHED;
        } else if (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.equals("57P01")) {
            code = ErrorCode.TRANSIENT;
        } else if (state.startsWith("22")) {
            code = ErrorCode.DATA_INVALID;
        } else {
            code = ErrorCode.INTERNAL;
        }
        return new TidewayException(code, what + ": " + e.getMessage(), e);
    }
}

package io.tideway.metadb;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import javax.sql.DataSource;

/** Short JDBC transactions against the MetaDB, with SQL errors turned into Tideway errors. */
final class Sql {
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource ds;
    private final Clock clock;

    Sql(DataSource ds, Clock clock) {
        this.ds = ds;
        this.clock = clock;
    }

    long now() {
        return clock.millis();
    }

    /** Runs {@code work} in one transaction; {@code what} names the operation in error messages. */
    <T> T tx(String what, Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Like {@link #tx}, retried once when a concurrent writer inserted the same key first. */
    <T> T txRetryOnConflict(String what, Work<T> work) {
        try {
            return tx(what, work);
        } catch (TidewayException e) {
            if (isConflict(e.getCause())) {
                return tx(what, work);
            }
            throw e;
        }
    }

    static TidewayException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean transientError = e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || state.startsWith("08") || state.startsWith("40");
        return new TidewayException(transientError ? ErrorCode.TRANSIENT : ErrorCode.INTERNAL,
                "MetaDB: " + what + " failed: " + e.getMessage(), e);
    }

    static boolean isConflict(Throwable t) {
        if (!(t instanceof SQLException e)) {
            return false;
        }
        return e instanceof SQLIntegrityConstraintViolationException
                || (e.getSQLState() != null && e.getSQLState().startsWith("23"));
    }

    static void setNullableLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}

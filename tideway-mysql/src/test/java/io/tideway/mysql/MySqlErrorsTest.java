package io.tideway.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** How server errors a destination can raise while it is written to are classified (retried or not) and worded. */
class MySqlErrorsTest {
    private final MySqlDialect dialect = new MySqlDialect();

    @Test
    void aFullDiskIsRetriedAndSaysWhatToDo() {
        for (SQLException e : new SQLException[] {
                new SQLException("The table 'sbtest1' is full", "HY000", 1114),
                new SQLException("Disk full (/var/tmp/#sql_1.MAI); waiting for someone to free some space...", "HY000", 1021),
                new SQLException("Error writing file './db/t.ibd' (Errcode: 28 \"No space left on device\")", "HY000", 3)}) {
            TidewayException t = dialect.errors().classify(e, "applying changes to the destination");
            assertThat(t.code()).as(e.getMessage()).isEqualTo(ErrorCode.TRANSIENT);
            assertThat(t.getMessage()).startsWith("applying changes to the destination: the server's disk is full (")
                    .contains(e.getMessage()).endsWith("free space on it: Tideway retries from its last checkpoint");
        }
    }

    @Test
    void aLockWaitTimeoutIsRetriedAndAMissingTableIsNot() {
        assertThat(dialect.errors().classify(new SQLException("Lock wait timeout exceeded; try restarting transaction", "HY000", 1205), "x").code())
                .isEqualTo(ErrorCode.TRANSIENT);
        assertThat(dialect.errors().classify(new SQLException("Table 'db.t' doesn't exist", "42S02", 1146), "x").code())
                .isEqualTo(ErrorCode.TABLE_VANISHED);
        assertThat(dialect.errors().classify(new SQLException("Unknown column 'x' in 'field list'", "42S22", 1054), "x").code())
                .isEqualTo(ErrorCode.INTERNAL);
    }
}

package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** How server errors a destination can raise while it is written to are classified (retried or not) and worded. */
class PostgresErrorsTest {
    @Test
    void aFullDiskIsRetriedAndSaysWhatToDo() {
        SQLException e = new SQLException("could not extend file \"base/16384/16385\": No space left on device", "53100");
        TidewayException t = new PostgresDialect().errors().classify(e, "applying changes to the destination");
        assertThat(t.code()).isEqualTo(ErrorCode.TRANSIENT);
        assertThat(t.getMessage()).isEqualTo("applying changes to the destination: the server's disk is full (could not extend file "
                + "\"base/16384/16385\": No space left on device [SQLState 53100]); free space on it: Tideway retries from its last checkpoint");
    }

    @Test
    void aDeadlockIsRetriedAndAMissingTableIsNot() {
        assertThat(new PostgresDialect().errors().classify(new SQLException("deadlock detected", "40P01"), "x").code()).isEqualTo(ErrorCode.TRANSIENT);
        assertThat(new PostgresDialect().errors().classify(new SQLException("relation \"t\" does not exist", "42P01"), "x").code())
                .isEqualTo(ErrorCode.TABLE_VANISHED);
    }
}

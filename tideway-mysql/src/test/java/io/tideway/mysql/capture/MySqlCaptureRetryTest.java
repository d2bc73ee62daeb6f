package io.tideway.mysql.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.mysql.MySqlPlugin;
import java.io.EOFException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the MySQL capture deems worth a reconnect, and that the binlog client never reconnects by itself. */
class MySqlCaptureRetryTest {
    private final MySqlCapture capture = new MySqlCapture();

    @Test
    void lostConnectionsAndServerShutdownsAreWorthAReconnect() {
        assertThat(capture.worthRetrying(new TidewayException(ErrorCode.TRANSIENT,
                "capture tideway_x: the binlog connection to 127.0.0.1:3306 was closed"))).isTrue();
        assertThat(capture.worthRetrying(new RuntimeException("An exception occurred in the change event producer.",
                new RuntimeException("Server shutdown in progress Error code: 1053; SQLSTATE: 08S01.")))).isTrue();
        assertThat(capture.worthRetrying(new RuntimeException("Unable to connect to the database at 127.0.0.1:3306",
                new java.io.IOException("Failed to connect to MySQL on 127.0.0.1:3306", new ConnectException("Connection refused")))))
                .isTrue();
        assertThat(capture.worthRetrying(new RuntimeException("producer failure", new EOFException()))).isTrue();
        assertThat(capture.worthRetrying(new TidewayException(ErrorCode.UNREACHABLE, "capture x of 127.0.0.1:3306: cannot connect")))
                .isTrue();
    }

    @Test
    void aPurgedPositionARefusedLoginOrATakenServerIdFailsAtOnce() {
        assertThat(capture.worthRetrying(new RuntimeException("producer failure", new RuntimeException(
                "Could not find first log file name in binary log index file Error code: 1236; SQLSTATE: HY000.",
                new EOFException())))).isFalse();
        assertThat(capture.worthRetrying(new TidewayException(ErrorCode.INTERNAL, "capture x of h:1: the binlog position"
                + " the capture saved is no longer on the server (its binlog files were purged ...)"))).isFalse();
        assertThat(capture.worthRetrying(new RuntimeException("Failed to authenticate to the database at h:1 with user 'u'",
                new java.io.IOException("Access denied for user 'u'@'h'")))).isFalse();
        assertThat(capture.worthRetrying(new RuntimeException("A slave with the same server_uuid/server_id as this slave"
                + " has connected to the master Error code: 1236", new java.net.SocketException("Connection reset"))))
                .isFalse();
    }

    @Test
    void theBinlogClientDoesNotReconnectByItself() {
        DataSourceConfig src = new DataSourceConfig(MySqlPlugin.MARIADB, "127.0.0.1", 3306, "root", "", "shop", Map.of());
        CaptureState none = new CaptureState() {
            @Override
            public Map<String, String> loadOffsets() {
                return Map.of();
            }

            @Override
            public void saveOffsets(Map<String, String> offsets) {
            }

            @Override
            public List<String> loadHistory() {
                return List.of();
            }

            @Override
            public void appendHistory(String record) {
            }
        };
        CaptureSpec spec = new CaptureSpec("tideway_x", 1_000_001, src, List.of(new TableId("shop", "t")), none, Path.of("tmp"));
        Properties p = MySqlCapture.properties(spec, "id", "tideway_x");
        assertThat(p.getProperty("connect.keep.alive")).isEqualTo("false");
        assertThat(p.getProperty("errors.max.retries")).isEqualTo("0");
    }
}

package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.spi.ChunkChecksum;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chunk checksums of the same-family verification, with CRC32 + CRC32C and with the MD5 + CRC32
 * of servers without CRC32C: equal rows agree, and rows that differ only where a separator, NULL
 * or a length could hide it do not.
 */
class MySqlChunkChecksumIT {
    static String db;
    static Connection c;

    @BeforeAll
    static void setUp() throws Exception {
        db = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlChunkChecksumIT.class, "db");
        c = ItSupport.connect(db);
        for (String t : new String[] {"a", "b"}) {
            exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, n INT NULL, s VARCHAR(20) NULL, s2 VARCHAR(20) NOT NULL,"
                    + " f FLOAT NULL, d DATETIME(6) NOT NULL, k BIGINT NOT NULL)");
            exec(c, "INSERT INTO " + t + " SELECT seq, seq % 7, CONCAT('v', seq), CONCAT('w#', seq), seq / 3, '2024-01-02 03:04:05.123456',"
                    + " seq * 1000 FROM seq_1_to_100");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        c.close();
    }

    private static Optional<ChunkChecksum> sum(String table, MySqlVerify.RowHash hash) throws Exception {
        Table t = ItSupport.table(c, db, table);
        return MySqlVerify.chunkChecksum(c, t, KeyRange.ALL, null, hash);
    }

    private static void assertDiffers(String change, MySqlVerify.RowHash hash) throws Exception {
        exec(c, "UPDATE b SET " + change + " WHERE id = 42");
        assertThat(sum("a", hash)).as(change).isNotEqualTo(sum("b", hash));
        exec(c, "UPDATE b, a SET b.n = a.n, b.s = a.s, b.s2 = a.s2, b.f = a.f, b.d = a.d, b.k = a.k WHERE a.id = b.id AND b.id = 42");
        assertThat(sum("a", hash)).as("after undoing " + change).isEqualTo(sum("b", hash));
    }

    @ParameterizedTest
    @EnumSource(MySqlVerify.RowHash.class)
    void equalRowsAgreeAndEveryKindOfDifferenceShows(MySqlVerify.RowHash hash) throws Exception {
        assertThat(MySqlVerify.rowHash(c)).as("the embedded MariaDB builds the row text once").isEqualTo(MySqlVerify.RowHash.CRC_ONE_TEXT);
        assertThat(sum("a", hash)).isEqualTo(sum("b", hash));
        assertThat(sum("a", hash).orElseThrow().rows()).isEqualTo(100);
        assertDiffers("n = NULL", hash);
        assertDiffers("s = NULL", hash);
        assertDiffers("s = ''", hash);
        // a separator moved from one value into the next: the same text joined by '#'
        assertDiffers("s = 'v42#w', s2 = '42'", hash);
        assertDiffers("f = f + 0.0001", hash);
        assertDiffers("d = '2024-01-02 03:04:05.123457'", hash);
        assertDiffers("k = k + 1", hash);
        assertThat(sum("a", MySqlVerify.RowHash.CRC)).as("MD5 and CRC never look alike").isNotEqualTo(sum("a", MySqlVerify.RowHash.MD5));
        // the row text built once gives the checksum of the text built twice, so servers that differ here still agree
        assertThat(sum("a", MySqlVerify.RowHash.CRC_ONE_TEXT)).isEqualTo(sum("a", MySqlVerify.RowHash.CRC));
        assertThat(sum("b", MySqlVerify.RowHash.CRC_ONE_TEXT)).isEqualTo(sum("b", MySqlVerify.RowHash.CRC));
    }
}

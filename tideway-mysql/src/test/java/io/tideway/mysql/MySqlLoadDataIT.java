package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.DIALECT;
import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.WriteResult;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bulk writer: data errors are not swallowed, rows stream, and the INSERT fallback works. */
class MySqlLoadDataIT {
    static String db;
    static Connection c;

    @BeforeAll
    static void setUp() throws Exception {
        db = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlLoadDataIT.class, "db");
        c = ItSupport.connect(db);
        exec(c, "CREATE TABLE narrow (id INT NOT NULL PRIMARY KEY, name VARCHAR(3), n TINYINT)",
                "CREATE TABLE auto (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))",
                "CREATE TABLE big (id BIGINT NOT NULL PRIMARY KEY, s VARCHAR(64), b VARBINARY(16), d DECIMAL(12,3), t DATETIME(6))");
    }

    @AfterAll
    static void tearDown() throws Exception {
        c.close();
    }

    @Test
    void aValueTooLongForItsColumnFailsNamingTheTableAndColumn() throws Exception {
        Table t = ItSupport.table(c, db, "narrow");
        exec(c, "DELETE FROM narrow");
        Iterator<Object[]> rows = List.of(new Object[] {1L, "abc", 1L}, new Object[] {2L, "abcd", 2L}).iterator();
        assertThatThrownBy(() -> DIALECT.writer().bulkInsert(c, t, rows))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("narrow").hasMessageContaining("column name").hasMessageContaining("'name' at row 2")
                .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.DATA_INVALID);
        exec(c, "DELETE FROM narrow");
        Iterator<Object[]> outOfRange = List.<Object[]>of(new Object[] {1L, "a", 1000L}).iterator();
        assertThatThrownBy(() -> DIALECT.writer().bulkInsert(c, t, outOfRange)).isInstanceOf(TidewayException.class)
                .hasMessageContaining("column n");
        exec(c, "DELETE FROM narrow");
        Iterator<Object[]> upserts = List.<Object[]>of(new Object[] {1L, "abcd", 1L}).iterator();
        assertThatThrownBy(() -> DIALECT.writer().upsert(c, t, upserts)).isInstanceOf(TidewayException.class)
                .hasMessageContaining("narrow").hasMessageContaining("column name");
    }

    @Test
    void aFailingSourceStopsTheLoadWithItsOwnError() throws Exception {
        Table t = ItSupport.table(c, db, "narrow");
        exec(c, "DELETE FROM narrow");
        Iterator<Object[]> rows = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Object[] next() {
                if (++i > 1000) {
                    throw new TidewayException(ErrorCode.TRANSIENT, "source connection lost");
                }
                return new Object[] {(long) i, "x", 1L};
            }
        };
        assertThatThrownBy(() -> DIALECT.writer().bulkInsert(c, t, rows)).hasMessage("source connection lost");
    }

    @Test
    void zeroInAnAutoIncrementKeyIsKept() throws Exception {
        Table t = ItSupport.table(c, db, "auto");
        DIALECT.writer().bulkInsert(c, t, List.of(new Object[] {0L, "zero"}, new Object[] {5L, "five"}).iterator());
        DIALECT.writer().upsert(c, t, List.<Object[]>of(new Object[] {0L, "zero again"}).iterator());
        assertThat(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT))
                .containsExactly(Arrays.asList(0L, "zero again"), Arrays.asList(5L, "five"));
    }

    @Test
    void rowsStreamFromAnIteratorWithoutBeingHeldInMemory() throws Exception {
        Table t = ItSupport.table(c, db, "big");
        exec(c, "TRUNCATE TABLE big");
        int n = 300_000;
        Iterator<Object[]> rows = generated(n);
        long t0 = System.nanoTime();
        WriteResult w = DIALECT.writer().bulkInsert(c, t, rows);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("bulkInsert: %d rows, %d bytes in %d ms (%.0f rows/s)%n", w.rows(), w.bytes(), ms, n * 1000.0 / ms);
        assertThat(w.rows()).isEqualTo(n);
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(id), SUM(LENGTH(s)), SUM(LENGTH(b)) FROM big")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(n);
            assertThat(rs.getLong(2)).isEqualTo((long) n * (n + 1) / 2);
        }
        long t1 = System.nanoTime();
        long count = 0;
        try (Connection r = ItSupport.connect(db); RowCursor cur = DIALECT.rows().openRows(r, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
            while (cur.next()) {
                count++;
            }
        }
        System.out.printf("openRows: %d rows in %d ms%n", count, (System.nanoTime() - t1) / 1_000_000);
        assertThat(count).isEqualTo(n);
    }

    static Iterator<Object[]> generated(int n) {
        return new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Object[] next() {
                i++;
                return new Object[] {i, "row " + i + " ü\t\\", new byte[] {(byte) i, 0, (byte) (i >> 8)},
                    java.math.BigDecimal.valueOf(i, 3), "2024-01-02 03:04:05.123456"};
            }
        };
    }
}

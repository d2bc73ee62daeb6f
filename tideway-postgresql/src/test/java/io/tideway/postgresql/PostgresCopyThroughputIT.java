package io.tideway.postgresql;

import static io.tideway.postgresql.PgIt.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.core.spi.WriteResult;
import io.tideway.test.EmbeddedPostgreSql;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tideway's read-then-COPY path against the database's own pipe (COPY TO STDOUT piped into COPY
 * FROM STDIN by two threads, what a shell pipe of two clients does).
 */
class PostgresCopyThroughputIT {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCopyThroughputIT.class);
    static final int ROWS = 300_000;
    static EmbeddedPostgreSql pg;
    static final PostgresDialect D = new PostgresDialect();
    static Connection a;
    static Connection b;
    static Table t;

    @BeforeAll
    static void start() throws SQLException {
        pg = EmbeddedPostgreSql.start();
        pg.recreateDatabase("tp_a");
        pg.recreateDatabase("tp_b");
        a = D.connect(PgIt.cfg(pg, "tp_a"));
        b = D.connect(PgIt.cfg(pg, "tp_b"));
        exec(a, "CREATE TABLE orders (id bigint PRIMARY KEY, customer int NOT NULL, title text, amount numeric(12,2),"
                        + " at timestamptz(6), score double precision, paid boolean, note varchar(100))",
                "INSERT INTO orders SELECT g, g % 5000, 'Order \"' || g || '\" for Zoë 😀 \\ tab' || chr(9) || 'end',"
                        + " (g % 100000) / 100.0, timestamptz '2020-01-01 00:00:00+00' + g * interval '1.000001 s',"
                        + " g / 7.0, g % 2 = 0, CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END"
                        + " FROM generate_series(1, " + ROWS + ") g",
                "ANALYZE orders");
        t = D.catalog().readTables(a, "public", id -> id.table().equals("orders")).get(0);
        exec(b, D.schema().createTable(t, PostgresPlugin.FAMILY).statements());
    }

    @AfterAll
    static void stop() throws SQLException {
        if (a != null) {
            a.close();
            b.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static long tideway() throws SQLException {
        exec(b, D.schema().truncateSql(t.id()));
        long t0 = System.nanoTime();
        b.setAutoCommit(false);
        WriteResult w;
        try (RowCursor cur = D.rows().openRows(a, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
            w = D.writer().bulkInsert(b, t, PgIt.iterate(cur));
        }
        b.commit();
        b.setAutoCommit(true);
        assertThat(w.rows()).isEqualTo(ROWS);
        return System.nanoTime() - t0;
    }

    static long pipe() throws Exception {
        exec(b, D.schema().truncateSql(t.id()));
        long t0 = System.nanoTime();
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            try (out) {
                return a.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY orders TO STDOUT", out);
            } catch (SQLException | IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long n = b.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY orders FROM STDIN", in);
        reader.get();
        assertThat(n).isEqualTo(ROWS);
        return System.nanoTime() - t0;
    }

    @Test
    void readingAndCopyingKeepsUpWithTheDatabasesOwnPipe() throws Exception {
        long best = Long.MAX_VALUE;
        long bestPipe = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            bestPipe = Math.min(bestPipe, pipe());
            best = Math.min(best, tideway());
        }
        double ratio = (double) bestPipe / best;
        LOG.info("{} rows: Tideway read + COPY {} ms ({} rows/s), COPY TO | COPY FROM pipe {} ms; Tideway speed = {}x the pipe",
                ROWS, best / 1_000_000, ROWS * 1_000_000_000L / best, bestPipe / 1_000_000, String.format("%.2f", ratio));
        // the target is 0.9x (measured 0.7x..1.4x on a busy 2-core machine); the bound leaves room for noise
        assertThat(ratio).isGreaterThan(0.4);
    }
}

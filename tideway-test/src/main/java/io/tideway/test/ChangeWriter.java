package io.tideway.test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A writer thread that keeps changing a sysbench-style table {@code sbtest1} the way an
 * application would: single-row inserts, updates, deletes, updates of the primary key, and
 * transactions of several rows. Plain SQL that MariaDB and PostgreSQL both accept.
 */
public final class ChangeWriter implements AutoCloseable {
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile Throwable failure;

    /**
     * @param connect opens a connection to the source database
     * @param existingRows ids 1..existingRows exist when it starts
     * @param perSecond changes per second at most
     */
    public ChangeWriter(Supplier<Connection> connect, String table, int existingRows, int perSecond, long seed) {
        thread = new Thread(() -> run(connect, table, existingRows, perSecond, seed), "test-change-writer");
        thread.setDaemon(true);
    }

    public ChangeWriter start() {
        thread.start();
        return this;
    }

    public long changes() {
        return changes.get();
    }

    /** Stops the writer and waits for it; rethrows its failure. */
    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the change writer failed: " + failure, failure);
        }
    }

    private void run(Supplier<Connection> connect, String table, int existingRows, int perSecond, long seed) {
        Random rnd = new Random(seed);
        int nextId = existingRows + 1;
        long t0 = System.nanoTime();
        try (Connection c = connect.get();
             PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " (id, k, c, pad) VALUES (?, ?, ?, ?)");
             PreparedStatement upd = c.prepareStatement("UPDATE " + table + " SET k = k + 1, c = ? WHERE id = ?");
             PreparedStatement del = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?");
             PreparedStatement key = c.prepareStatement("UPDATE " + table + " SET id = ? WHERE id = ?")) {
            while (!stop.get()) {
                int op = rnd.nextInt(100);
                boolean tx = op >= 90;
                if (tx) {
                    c.setAutoCommit(false);
                }
                int n = tx ? 2 + rnd.nextInt(5) : 1;
                for (int i = 0; i < n; i++) {
                    int kind = tx ? rnd.nextInt(90) : op;
                    int id = 1 + rnd.nextInt(nextId);
                    if (kind < 30) {
                        ins.setInt(1, nextId++);
                        ins.setInt(2, rnd.nextInt(1000));
                        ins.setString(3, "ins " + rnd.nextLong() + " ü😀");
                        ins.setString(4, "pad");
                        ins.executeUpdate();
                    } else if (kind < 70) {
                        upd.setString(1, "upd " + rnd.nextLong());
                        upd.setInt(2, id);
                        upd.executeUpdate();
                    } else if (kind < 82) {
                        del.setInt(1, id);
                        del.executeUpdate();
                    } else {
                        key.setInt(1, nextId++);
                        key.setInt(2, id);
                        key.executeUpdate();
                    }
                    changes.incrementAndGet();
                }
                if (tx) {
                    c.commit();
                    c.setAutoCommit(true);
                }
                long due = t0 + changes.get() * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            failure = e;
        }
    }
}

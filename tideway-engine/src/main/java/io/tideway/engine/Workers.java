package io.tideway.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadFactory;

/** What the steps' worker pools share: their threads, and dropping a worker's broken connection. */
public final class Workers {
    private Workers() { }

    /** Daemon threads of this name (a stuck worker never keeps the process alive). */
    public static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Closes {@code c} if there is one, ignoring a failure (it is being discarded); returns null for the caller's field. */
    public static Connection closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // discarded anyway
            }
        }
        return null;
    }
}

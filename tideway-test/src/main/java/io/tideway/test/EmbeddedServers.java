package io.tideway.test;

import java.util.Locale;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one embedded MariaDB and one embedded PostgreSQL for the whole test run
 * (started on first use, on free ports, stopped when the run ends), and a fresh database per
 * test class ({@link #freshDatabase}).
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedServers.class)
 * class MyIT {
 *     @BeforeAll static void setUp() { String db = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), MyIT.class, "src"); }
 * }
 * }</pre>
 */
public final class EmbeddedServers implements BeforeAllCallback {
    private static EmbeddedMariaDb mariadb;
    private static EmbeddedPostgreSql postgres;

    public static synchronized EmbeddedMariaDb mariadb() {
        if (mariadb == null) {
            mariadb = EmbeddedMariaDb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(mariadb::close, "tideway-test-mariadb-stop"));
        }
        return mariadb;
    }

    public static synchronized EmbeddedPostgreSql postgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgreSql.start();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "tideway-test-postgres-stop"));
        }
        return postgres;
    }

    /** Drops and creates the database {@code <class>_<suffix>} (lower case) and returns its name. */
    public static String freshDatabase(EmbeddedMariaDb db, Class<?> testClass, String suffix) {
        String name = name(testClass, suffix);
        db.recreateDatabase(name);
        return name;
    }

    public static String freshDatabase(EmbeddedPostgreSql db, Class<?> testClass, String suffix) {
        String name = name(testClass, suffix);
        db.recreateDatabase(name);
        return name;
    }

    private static String name(Class<?> c, String suffix) {
        return (c.getSimpleName() + "_" + suffix).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // servers start lazily on first use and stop with the JVM that runs the tests
    }
}

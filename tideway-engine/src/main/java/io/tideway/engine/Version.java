package io.tideway.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The running Tideway version (from the build). */
public final class Version {
    private static final String VERSION = load();

    private Version() { }

    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/io/tideway/engine/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "development");
        } catch (IOException e) {
            return "development";
        }
    }
}

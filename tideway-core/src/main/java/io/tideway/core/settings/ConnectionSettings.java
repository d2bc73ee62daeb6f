package io.tideway.core.settings;

import java.util.List;
import java.util.Map;

/**
 * The connection settings every database plugin has, declared once (keys without the section: a
 * project file holds them under {@code source:} and {@code destination:}). A plugin's
 * {@link io.tideway.core.spi.DatabasePlugin#connectionSettings()} returns these, and adds any only
 * its types have.
 */
public final class ConnectionSettings {
    private ConnectionSettings() { }

    public static final Setting<String> HOST = Setting.of("host", SettingType.text("a host name or IP address"))
            .required().description("its host name or IP address.").build();
    public static final Setting<Long> PORT = Setting.of("port", SettingType.integer(1, 65535))
            .defaultText("the type's port").description("its port.").build();
    public static final Setting<String> USER = Setting.of("user", SettingType.text("the user name to log in with"))
            .required().description("the user name to log in with.").build();
    public static final Setting<String> PASSWORD = Setting.of("password", SettingType.text())
            .defaultValue("").defaultText("empty").secret()
            .description("the password; write `${env:NAME}` to take it from the environment variable NAME.").build();
    public static final Setting<String> DATABASE = Setting.of("database", SettingType.text("the database to work in"))
            .required().description("the database to work in (where a database holds schemas: the database to connect"
                    + " to).").build();
    public static final Setting<Map<String, String>> PROPERTIES = Setting.of("properties",
                    SettingType.mapOf("a mapping of JDBC property to value", null, null))
            .defaultValue(Map.of()).defaultText("none")
            .description("extra JDBC properties, passed to the driver as they are.").build();

    /** The common settings, in the order of a project file. */
    public static final List<Setting<?>> COMMON = List.of(HOST, PORT, USER, PASSWORD, DATABASE, PROPERTIES);
}

package io.tideway.engine.config;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.settings.ProjectSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and writes project files.
 *
 * <h2>Project files</h2>
 * A project file is one YAML document whose keys are declared in {@link ProjectSettings} (type,
 * default, unit, description of each; README.md's settings table lists them):
 * <pre>{@code
 * name: shop-to-pg
 * source:      { type: mariadb, host: 127.0.0.1, user: root, password: "${env:SRC_PASS}", database: shop }
 * destination: { type: postgresql, host: 127.0.0.1, user: postgres, password: "${env:PGPASS}", database: shop }
 * tables:
 *   include: ["shop.*"]
 *   rename: { tables: { "shop.orders": orders_v2 } }
 * steps: [schema, full, incremental, verify]
 * full: { chunk-size: 10000 }
 * verify:
 *   where:
 *     orders: "created_at >= '2024-01-01'"                 # one condition for both ends
 *     "shop.flags": { source: "f = 1", destination: "f" }  # or one per end
 * }</pre>
 *
 * <p>{@code ${env:NAME}} anywhere in a value is replaced by the environment variable NAME (an
 * unset variable is an error; write {@code $${env:NAME}} for the literal text). Use it for
 * passwords, which are then never written into the file.
 *
 * <p>Command-line overrides ({@code --set KEY=VALUE}, see {@link Overrides}) are applied to the
 * file before it is read, and checked alike.
 *
 * <p>Unknown keys are errors. Every problem of a file is reported at once, one per line, each
 * with the file name, the line and the key, for example
 * {@code shop.yaml: line 4: unknown key 'hots' in source; expected one of type, host, ...}.
 */
public final class ProjectFiles {
    private ProjectFiles() { }

    /** Reads a project file, taking {@code ${env:NAME}} from the process environment. */
    public static ProjectConfig load(Path file) {
        return load(file, List.of());
    }

    /**
     * Reads a project file with command-line overrides, taking {@code ${env:NAME}} from the process
     * environment.
     *
     * @param overrides {@code KEY=VALUE} each, applied in order
     */
    public static ProjectConfig load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, file + ": cannot read the project file ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        return load(text, file.toString(), System::getenv, overrides);
    }

    /**
     * Reads a project file's text.
     *
     * @param sourceName the file name that starts every message
     * @param env looks up environment variables for {@code ${env:NAME}}; null when unset
     */
    public static ProjectConfig load(String yaml, String sourceName, Function<String, String> env) {
        return load(yaml, sourceName, env, List.of());
    }

    /** {@link #load(String, String, Function)} with command-line overrides ({@code KEY=VALUE} each). */
    public static ProjectConfig load(String yaml, String sourceName, Function<String, String> env, List<String> overrides) {
        return new ProjectFileReader(sourceName, env).read(yaml, overrides);
    }

    /**
     * The configuration as a project file without any password, every default written out; {@link #load}
     * reads it back to the same configuration with empty passwords.
     */
    public static String toYamlWithoutSecrets(ProjectConfig p) {
        return ProjectFileWriter.toYamlWithoutSecrets(p);
    }
}

package io.tideway.engine;

import java.nio.file.Path;

/**
 * A command that a module of the distribution adds to the {@code tideway} command line, found
 * through {@link java.util.ServiceLoader} so that the CLI needs no compile dependency on it:
 * tideway-demo's {@code demo}, which brings embedded servers the CLI itself must not carry. The
 * implementation is a picocli command ({@code @Command}, {@code Callable<Integer>}); the CLI adds
 * it as a subcommand and, before it runs, hands it what the invocation chose.
 */
public interface CommandExtension {

    /** Called once, after the command line was parsed and before the command runs. */
    void prepare(Invocation invocation);

    /**
     * What the CLI hands a command it did not compile against.
     *
     * @param dataDir the invocation's {@code --data-dir}
     * @param console shows the engine's progress on the console as the CLI's own commands do
     */
    record Invocation(Path dataDir, ProgressListener console) { }
}

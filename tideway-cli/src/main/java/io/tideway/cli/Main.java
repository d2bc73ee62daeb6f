package io.tideway.cli;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.engine.CommandExtension;
import io.tideway.engine.Version;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tideway}: the command line. Exit codes: 0 done, 1 failed (one line on stderr says why),
 * 2 bad usage or configuration. Commands of other modules of the distribution (tideway-demo's
 * {@code demo}) are added through {@link CommandExtension}.
 */
@Command(name = "tideway", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Tideway: migrate and synchronize databases (MySQL, MariaDB, OceanBase-MySQL, PostgreSQL).",
        subcommands = {RunCommand.class, VerifyCommand.class, PrecheckCommand.class, StatusCommand.class, ControlCommand.Pause.class,
                ControlCommand.Resume.class, LifecycleCommands.Retry.class,
                LifecycleCommands.Skip.class, LifecycleCommands.Release.class, SwitchoverCommand.class, SkipDdlCommand.class,
                ComponentsCommand.class, TrainCommand.class})
public final class Main implements Callable<Integer> {

    @Option(names = "--data-dir", description = "Directory of the embedded MetaDB, secrets and logs (default: ${DEFAULT-VALUE}).",
            defaultValue = "./tideway-data", scope = CommandLine.ScopeType.INHERIT)
    Path dataDir;

    @Option(names = "--metadb-url", paramLabel = "JDBC_URL", scope = CommandLine.ScopeType.INHERIT,
            description = "Keep the MetaDB in MariaDB/MySQL or PostgreSQL (e.g. jdbc:postgresql://db:5432/tideway) instead of"
                    + " the embedded H2 file in the data directory; needed when several nodes share one MetaDB.")
    String metaDbUrl;

    @Option(names = "--metadb-user", paramLabel = "USER", scope = CommandLine.ScopeType.INHERIT,
            description = "User of --metadb-url; the password comes from the environment variable TIDEWAY_METADB_PASSWORD.")
    String metaDbUser;

    /** Opens the MetaDB this invocation names: --metadb-url, else the embedded one in the data directory. */
    io.tideway.metadb.MetaDb openMetaDb() {
        if (metaDbUrl == null) {
            return io.tideway.metadb.MetaDb.openEmbedded(dataDir, Version.current());
        }
        String password = System.getenv().getOrDefault("TIDEWAY_METADB_PASSWORD", "");
        return io.tideway.metadb.MetaDb.open(metaDbUrl, metaDbUser == null ? "" : metaDbUser, password, dataDir, Version.current());
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        Logging.configure(dataDirOf(args));
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        for (CommandExtension extension : ServiceLoader.load(CommandExtension.class)) {
            cl.addSubcommand(extension);
        }
        cl.addSubcommand(new CommandLine.HelpCommand()); // last in the list of commands, after the extensions
        cl.setExecutionStrategy(parsed -> {
            for (CommandLine c : parsed.asCommandLineList()) {
                if (c.getCommand() instanceof CommandExtension extension) {
                    extension.prepare(new CommandExtension.Invocation(main.dataDir, ConsoleProgress.forStdout()));
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof TidewayException te) {
                System.err.println("tideway: " + te.getMessage());
                org.slf4j.LoggerFactory.getLogger(Main.class).error("failed: {}", te.getMessage(), te);
                return te.code() == ErrorCode.CONFIG_INVALID ? 2 : 1;
            }
            org.slf4j.LoggerFactory.getLogger(Main.class).error("failed", ex);
            System.err.println("tideway: internal error: " + ex + " (see the log in the data directory)");
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("tideway: " + ex.getMessage());
            ex.getCommandLine().usage(System.err);
            return 2;
        });
        return cl.execute(args);
    }

    /** The data dir is needed before picocli runs, to put the log file there. */
    static Path dataDirOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data-dir") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--data-dir=")) {
                return Path.of(args[i].substring("--data-dir=".length()));
            }
        }
        return Path.of("./tideway-data");
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tideway " + Version.current()};
        }
    }
}

package io.tideway.cli;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.Switchover;
import io.tideway.engine.result.SwitchoverResult;
import io.tideway.metadb.MetaDb;
import java.io.Console;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tideway switchover PROJECT.yaml}: the forward switchover, sub-step by sub-step (see
 * {@link Switchover}); a rerun resumes at the first sub-step not done. Exit 0 when every sub-step
 * is done (the report is printed), 1 when one failed or was not confirmed (one line says which and
 * why; run again to retry it), 2 on bad usage or configuration.
 */
@Command(name = "switchover", description = "Switch a synced project over to its destination and start the reverse sync"
        + " (destination -> source) as the way back: 8 sub-steps, each recorded; a rerun resumes at the first one not done."
        + " `tideway run PROJECT.yaml` must run meanwhile (it applies the last changes, then runs the reverse sync).")
final class SwitchoverCommand extends ProjectCommand implements Callable<Integer> {

    @Option(names = "--yes", description = "Confirm every question up front (for scripts): the switchover itself, and that"
            + " the application has stopped writing to the source once sub-step 3 is reached.")
    boolean yes;

    @Option(names = "--quiet", paramLabel = "SECONDS", defaultValue = "10",
            description = "Sub-step 3: how long no new change of the source may arrive (default: ${DEFAULT-VALUE}).")
    long quietSeconds;

    @Option(names = "--max-lag", paramLabel = "SECONDS", defaultValue = "5",
            description = "Sub-step 1: the forward lag must be under this (default: ${DEFAULT-VALUE}).")
    long maxLagSeconds;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long sub-steps 3, 4, 5 and 7 wait for the source to go quiet, the last changes to be applied,"
                    + " the forward apply to stop and the reverse sync to start (default: ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Option(names = "--waive-verify", paramLabel = "REASON",
            description = "Switch over although no verification passed (the reason is kept in the project's history).")
    String waiveVerify;

    @Option(names = "--skip", paramLabel = "N", split = ",",
            description = "Skip these sub-steps (only 1 precheck, 6 destination-finished, 8 report may be skipped; with --reason).")
    List<Integer> skip;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why sub-steps are skipped.")
    String reason;

    @Override
    public Integer call() {
        if (quietSeconds < 0 || maxLagSeconds <= 0 || waitSeconds <= 0) {
            System.err.println("tideway: --quiet must be 0 or more, --max-lag and --wait more than 0 seconds");
            return 2;
        }
        ProjectConfig cfg = loadProject();
        Console console = System.console();
        if (!yes && console == null) {
            System.err.println("tideway: switchover asks for confirmations and there is no terminal to ask on;"
                    + " give --yes to confirm them up front");
            return 2;
        }
        Switchover.Confirmer confirmer = question -> {
            if (yes) {
                System.out.println("tideway: " + question + " yes (--yes)");
                return true;
            }
            String answer = console.readLine("tideway: %s [y/N] ", question);
            return answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
        };
        if (!confirmer.confirm("Switch project " + cfg.name() + " over from " + cfg.source().address() + " to "
                + cfg.destination().address() + "?")) {
            System.err.println("tideway: switchover not confirmed; nothing was done");
            return 1;
        }
        try (MetaDb db = openMetaDb()) {
            Engine engine = new Engine(db, main.dataDir);
            Switchover.Options options = new Switchover.Options(Duration.ofSeconds(maxLagSeconds), Duration.ofSeconds(quietSeconds),
                    Duration.ofSeconds(waitSeconds), waiveVerify, skip == null ? null : new HashSet<>(skip), reason);
            SwitchoverResult report = engine.switchover(cfg, options, confirmer, new ProgressListener() {
                @Override
                public void info(String message) {
                    System.out.println("tideway: " + message);
                }

                @Override
                public void warn(String message) {
                    System.out.println("tideway: WARNING: " + message);
                }
            });
            report.lines().forEach(System.out::println);
            System.out.println("tideway: point the application at " + cfg.destination().address() + "; keep `tideway run "
                    + projectFile + "` running for the reverse sync (the way back)");
            return 0;
        }
    }
}

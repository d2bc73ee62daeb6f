package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tideway demo}, the README's first command, as a user runs it: a child process that starts
 * its own servers, migrates and syncs while an application writes, and compares every row; run a
 * second time on the same data directory, it starts afresh. The command comes from tideway-demo,
 * which the CLI finds on its class path; the distribution that carries it carries no test library.
 */
class DemoIT {
    @TempDir
    Path tmp;

    @Test
    void theDemoMigratesVerifiesAndCanRunAgain() throws Exception {
        Path data = tmp.resolve("data");
        for (int run = 1; run <= 2; run++) {
            File log = tmp.resolve("demo-" + run + ".log").toFile();
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--data-dir", data.toString(), "demo",
                    "--orders", "3000")).redirectErrorStream(true).redirectOutput(log).start();
            boolean ended = p.waitFor(8, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = Files.readString(log.toPath());
            assertThat(ended).as("demo run %d ended in time; output:%n%s", run, out).isTrue();
            assertThat(p.exitValue()).as("demo run %d exit code; output:%n%s", run, out).isZero();
            assertThat(out).contains("every row equal").contains("incremental").doesNotContain(", different");
        }
    }

    @Test
    void theDistributionCarriesTheDemoButNoTestLibrary() throws Exception {
        Path lib = Path.of("target", "lib");
        assertThat(lib).as("the distribution's lib/ (built by package, before the ITs)").isDirectory();
        List<String> jars;
        try (var files = Files.list(lib)) {
            jars = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(j -> j.startsWith("tideway-demo-"))
                .noneMatch(j -> j.matches("(junit|assertj|awaitility|archunit|opentest4j|hamcrest|apiguardian|mockito).*"));
    }
}

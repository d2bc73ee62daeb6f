package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Endpoints;
import io.tideway.engine.Engine;
import io.tideway.engine.ProgressListener;
import io.tideway.engine.TableMapper;
import io.tideway.engine.verify.TableCompare;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** How the end-to-end tests run Tideway (a child process or an engine thread) and check its outcome. */
final class Runs {
    private static final Map<Process, Path> LOGS = new ConcurrentHashMap<>();

    private Runs() { }

    /** `tideway run PROJECT` in a child JVM (so it can be killed), optionally with a fault point. */
    static Process child(Path project, Path data, String fault, String xmx) throws Exception {
        return command(data, fault, xmx, "run", project.toString());
    }

    /** `tideway --data-dir DATA ARGS...` in a child JVM, optionally with a fault point. */
    static Process command(Path data, String fault, String xmx, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        if (fault != null) {
            cmd.add("-Dtideway.fault=" + fault);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of("--data-dir", data.toString()));
        cmd.addAll(List.of(args));
        File log = Files.createTempFile("tideway-child", ".log").toFile();
        log.deleteOnExit();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        LOGS.put(p, log.toPath());
        return p;
    }

    /** What `tideway ARGS...` run in this JVM returned and printed (standard output and error together). */
    record Printed(int exit, String output) { }

    /** Runs `tideway ARGS...` in this JVM, keeping what it prints. */
    static synchronized Printed printed(String... args) {
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream oldErr = System.err;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream both = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            int exit = Main.execute(args);
            return new Printed(exit, out.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** What a child printed. */
    static String output(Process p) {
        try {
            return Files.readString(LOGS.get(p));
        } catch (Exception e) {
            return "(no output: " + e + ")";
        }
    }

    /**
     * A project run in this JVM, started by {@link #synced}: its MetaDB, engine and run thread, and the
     * run's failure, if any. Closing it stops the run (final checkpoints) and checks that it did not fail.
     */
    record InProcess(String name, ProjectConfig cfg, io.tideway.metadb.MetaDb db, Engine engine, Thread thread,
                     AtomicReference<Throwable> failure) implements AutoCloseable {
        long projectId() {
            return db.projects().find(name).orElseThrow().id();
        }

        @Override
        public void close() throws Exception {
            try {
                engine.requestStop();
                thread.join(60_000);
                assertThat(thread.isAlive()).as("the run stops").isFalse();
                assertThat(failure.get()).as("the run failed").isNull();
            } finally {
                db.close();
            }
        }
    }

    /** Starts {@code project} (steps up to incremental) in this JVM with its data in {@code data}; returns once it is synced. */
    static InProcess synced(Path project, Path data) throws Exception {
        ProjectConfig cfg = io.tideway.engine.config.ProjectFiles.load(project);
        io.tideway.metadb.MetaDb db = io.tideway.metadb.MetaDb.openEmbedded(data, io.tideway.engine.Version.current());
        Engine engine = new Engine(db, data);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        InProcess run = new InProcess(cfg.name(), cfg, db, engine, engine(engine, cfg, failure), failure);
        try {
            awaitMonitoring(db, cfg.name(), Duration.ofSeconds(120));
            return run;
        } catch (RuntimeException | Error e) {
            try {
                run.close();
            } catch (Exception | Error closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Runs the project in this JVM until {@link Engine#requestStop()}; a failure lands in {@code failure}. */
    static Thread engine(Engine engine, ProjectConfig cfg, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                engine.run(cfg, ProgressListener.NONE, Engine.RunOptions.FOREVER);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "test-engine-run");
        t.start();
        return t;
    }

    /** Every table of the project holds the same rows on both sides, now. */
    static void assertEqualNow(ProjectConfig cfg) throws Exception {
        assertEqualNow(cfg, 1);
    }

    /** Like {@link #assertEqualNow(ProjectConfig)}, for a project of at least {@code minTables} tables. */
    static void assertEqualNow(ProjectConfig cfg, int minTables) throws Exception {
        Endpoints ends = Endpoints.of(cfg);
        List<TableMapper.MappedTable> tables;
        try (Connection c = ends.connectSource()) {
            tables = TableMapper.map(cfg, ends.sourceDialect(), c);
        }
        assertThat(tables).hasSizeGreaterThanOrEqualTo(minTables);
        for (TableMapper.MappedTable m : tables) {
            TableCompare.Result r = TableCompare.compare(ends, m, cfg.zeroDates());
            assertThat(r.equal()).as(r.toString()).isTrue();
            assertThat(r.destinationRows()).as(m.label()).isEqualTo(r.sourceRows());
        }
    }

    /** Waits until the project's incremental step is MONITORING (synced). */
    static void awaitMonitoring(io.tideway.metadb.MetaDb db, String name, Duration atMost) {
        await().atMost(atMost).until(() -> db.projects().find(name)
                .map(p -> db.projects().step(p.id(), "incremental").state()).orElse("").equals("MONITORING"));
    }

    /** Waits until every table is equal, failing at once if the run reports a failure. */
    static void awaitEqual(ProjectConfig cfg, AtomicReference<Throwable> failure, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(failure.get()).as("the run failed").isNull();
            assertEqualNow(cfg);
        });
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.metadb.MetaDb;
import io.tideway.test.ChangeWriter;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database the application keeps writing to is migrated and kept in sync: a writer changes
 * the source during the whole full copy and after it; once it stops, the destination becomes
 * equal to the source, and `tideway run --until synced` then exits 0 at once.
 */
@ExtendWith(EmbeddedServers.class)
abstract class AbstractIncrementalIT {
    static final int ROWS = 30_000;

    @TempDir
    Path tmp;

    abstract DataSourceType source();

    abstract DataSourceType destination();

    abstract String freshSource();

    abstract String freshDestination();

    abstract Connection connectSource(String db) throws SQLException;

    abstract void fill(Connection source) throws SQLException;

    @Test
    void aWrittenToSourceEndsEqualAfterFullCopyAndIncremental() throws Exception {
        String srcDb = freshSource();
        String dstDb = freshDestination();
        try (Connection c = connectSource(srcDb); java.sql.Statement st = c.createStatement()) {
            fill(c);
            // a table without any key: its changes apply by matching all columns
            st.execute("CREATE TABLE notes (n INT, txt VARCHAR(40))");
            st.execute("INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (2, 'two'), (3, NULL)");
            if (source() == DataSourceType.POSTGRESQL) {
                // PostgreSQL logs whole old rows of a keyless table only with this (the capture says so if missing)
                st.execute("ALTER TABLE notes REPLICA IDENTITY FULL");
            }
        }
        String srcSchema = source() == DataSourceType.POSTGRESQL ? "public" : srcDb;
        Path project = Projects.write(tmp, "inc", "name: inc-" + getClass().getSimpleName().toLowerCase() + "\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcSchema + ".*\"] }\n"
                + "steps: [schema, full, incremental]\n"
                + "full: { parallelism: 2, chunk-size: 2000, throttle-rows: 15000 }\n");
        ProjectConfig cfg = ProjectFiles.load(project);
        Path data = tmp.resolve("data");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ChangeWriter writer = new ChangeWriter(() -> {
            try {
                return connectSource(srcDb);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "sbtest1", ROWS, 400, 42);
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            Engine engine = new Engine(db, data);
            Thread run = Runs.engine(engine, cfg, failure);
            // writes start once the capture is up (T0), and go on during and after the copy
            Thread.sleep(1500);
            writer.start();
            Thread.sleep(8000);
            try (Connection c = connectSource(srcDb); java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO notes VALUES (4, 'four'), (5, NULL)");
                st.execute("UPDATE notes SET txt = 'TWO' WHERE n = 2");
                st.execute("DELETE FROM notes WHERE n = 1");
                st.execute("UPDATE notes SET txt = 'three' WHERE n = 3");
            }
            writer.close();
            assertThat(writer.changes()).isGreaterThan(500);
            Runs.awaitEqual(cfg, failure, Duration.ofSeconds(180));
            engine.requestStop();
            run.join(60_000);
            assertThat(run.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
        }
        // a rerun resumes from the checkpoints and reports synced at once
        assertThat(Main.execute("--data-dir", data.toString(), "run", project.toString(), "--until", "synced")).isZero();
    }
}

package io.tideway.engine;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.incremental.Store;
import io.tideway.engine.result.ReleaseResult;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The release of a project ({@code tideway release}, see {@link Engine#release}): under the run
 * lease, the project becomes RELEASING, what Tideway made on either end is dropped (change
 * captures, its own tables), the spool is deleted, and the project becomes RELEASED.
 */
final class Release {
    private final MetaDb metaDb;
    private final Path dataDir;

    Release(MetaDb metaDb, Path dataDir) {
        this.metaDb = metaDb;
        this.dataDir = dataDir;
    }

    /** Releases project {@code pid} (stored, not running, not released yet); what was done. */
    ReleaseResult release(ProjectConfig cfg, long pid) {
        RunLease lease = RunLease.take(metaDb, pid, null);
        try {
            List<String> done = new ArrayList<>();
            metaDb.projects().setState(pid, State.RELEASING);
            metaDb.events().add(pid, "INFO", null, "release started");
            boolean captured = cfg.has(Step.INCREMENTAL)
                    || !metaDb.incremental().captureState(pid, Store.FORWARD).loadOffsets().isEmpty();
            if (captured) {
                RunContext ctx = new RunContext(cfg, Endpoints.of(cfg), metaDb, pid, List.of(), ProgressListener.NONE);
                var spec = Store.spec(ctx, dataDir);
                Store.captureFor(cfg.source().type()).release(spec);
                done.add("change capture " + spec.name() + " released on the source");
            }
            if (!metaDb.incremental().captureState(pid, Store.REVERSE).loadOffsets().isEmpty()
                    || !metaDb.switchovers().steps(pid).isEmpty()) {
                RunContext ctx = Direction.REVERSE.context(new RunContext(cfg, Endpoints.of(cfg), metaDb, pid, List.of(),
                        ProgressListener.NONE));
                var spec = Store.spec(ctx, dataDir, Direction.REVERSE);
                Store.captureFor(cfg.destination().type()).release(spec);
                done.add("reverse change capture " + spec.name() + " released on the destination");
            }
            done.addAll(dropOwnTables(cfg));
            metaDb.switchovers().clearMarkers(pid);
            Path spool = dataDir.resolve("spool").resolve(cfg.name());
            if (java.nio.file.Files.exists(spool)) {
                deleteTree(spool);
                done.add("spool " + spool + " deleted");
            }
            metaDb.projects().setState(pid, State.RELEASED);
            metaDb.events().add(pid, "INFO", null, "released: " + (done.isEmpty() ? "nothing to drop" : String.join("; ", done)));
            return new ReleaseResult(cfg.name(), State.RELEASED.name(), false, List.copyOf(done));
        } catch (RuntimeException e) {
            metaDb.events().add(pid, "ERROR", null, "release failed (ask again once fixed): "
                    + (e instanceof TidewayException ? e.getMessage() : e.toString()));
            throw e;
        } finally {
            lease.close();
        }
    }

    /**
     * Drops the tables Tideway created on either end ({@link io.tideway.core.project.TidewayTables}: the
     * marker table, the positions of tables without a key), in the schema where each direction writes
     * them; what was dropped.
     */
    private List<String> dropOwnTables(ProjectConfig cfg) {
        Endpoints ends = Endpoints.of(cfg);
        List<MappedTable> tables = TableMapper.map(cfg, ends);
        List<String> done = new ArrayList<>();
        var dst = Direction.markerOf(tables);
        var src = Direction.markerOf(tables.stream().map(m -> new MappedTable(m.destination(), m.source())).toList());
        for (String name : io.tideway.core.project.TidewayTables.NAMES) {
            if (dst != null && dropIfPresent(ends.destinationDialect(), ends::connectDestination,
                    new io.tideway.core.model.TableId(dst.schema(), name))) {
                done.add(dst.schema() + "." + name + " dropped on the destination");
            }
            if (src != null && dropIfPresent(ends.sourceDialect(), ends::connectSource,
                    new io.tideway.core.model.TableId(src.schema(), name))) {
                done.add(src.schema() + "." + name + " dropped on the source");
            }
        }
        return done;
    }

    private static boolean dropIfPresent(io.tideway.core.spi.Dialect d, java.util.function.Supplier<java.sql.Connection> connect,
                                         io.tideway.core.model.TableId id) {
        try (java.sql.Connection c = connect.get()) {
            if (SchemaStep.find(d, c, id).isEmpty()) {
                return false;
            }
            try (java.sql.Statement st = c.createStatement()) {
                st.execute(d.schema().dropTableSql(id));
            }
            return true;
        } catch (java.sql.SQLException e) {
            throw d.errors().classify(e, "dropping " + id);
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path f : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(f);
            }
        } catch (java.io.IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "deleting " + root + ": " + e.getMessage()
                    + "; delete it by hand, then release again", e);
        }
    }
}

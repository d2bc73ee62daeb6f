package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Table;
import io.tideway.engine.Endpoints;
import io.tideway.engine.TableMapper;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.schema.SchemaStep;
import io.tideway.engine.verify.TableCompare;
import io.tideway.test.EmbeddedServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One migration pair end to end through the CLI: type-rich tables, the sample shop (chunked,
 * composite and CHAR keys, a keyless table, secondary indexes) and odd identifiers go through
 * `tideway run`; then every value of every row is compared between source and destination,
 * and a few values are read back with plain SQL on the destination.
 */
@ExtendWith(EmbeddedServers.class)
abstract class AbstractMigrationIT {
    @TempDir
    Path tmp;

    abstract DataSourceType source();

    abstract DataSourceType destination();

    /** Fills the source database. */
    abstract void fill(Connection source) throws SQLException;

    abstract Connection connectSource(String db) throws SQLException;

    abstract Connection connectDestination(String db) throws SQLException;

    abstract String freshSource();

    abstract String freshDestination();

    /** Plain-SQL checks of values on the destination. */
    abstract void checkDestinationValues(Connection dst, String schema) throws SQLException;

    @Test
    void everyRowOfEveryTableArrivesEqual() throws Exception {
        String srcDb = freshSource();
        String dstDb = freshDestination();
        try (Connection c = connectSource(srcDb)) {
            fill(c);
        }
        String srcSchema = source() == DataSourceType.fromId("postgresql") ? "public" : srcDb;
        Path project = Projects.write(tmp, "p", "name: it-" + getClass().getSimpleName().toLowerCase() + "\n"
                + "source: " + Projects.endpoint(source(), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcSchema + ".*\"] }\n"
                + "steps: [schema, full]\n"
                + "full: { parallelism: 3, chunk-size: 700 }\n");
        int exit = Main.execute("--data-dir", tmp.resolve("data").toString(), "run", project.toString(), "--until", "synced");
        assertThat(exit).as("tideway run exit code").isZero();

        var cfg = ProjectFiles.load(project);
        Endpoints ends = Endpoints.of(cfg);
        List<TableMapper.MappedTable> tables;
        try (Connection c = ends.connectSource()) {
            tables = TableMapper.map(cfg, ends.sourceDialect(), c);
        }
        assertThat(tables).extracting(m -> m.source().id().table())
                .contains("all_types", "customers", "products", "orders", "order_lines", "audit_log");
        long rows = 0;
        for (TableMapper.MappedTable m : tables) {
            TableCompare.Result r = TableCompare.compare(ends, m, cfg.zeroDates());
            assertThat(r.equal()).as(r.toString()).isTrue();
            assertThat(r.destinationRows()).isEqualTo(r.sourceRows());
            rows += r.sourceRows();
        }
        assertThat(rows).isGreaterThan(10_000);

        String dstSchema = destination() == DataSourceType.fromId("postgresql") ? srcSchema : dstDb;
        try (Connection d = ends.connectDestination()) {
            Table orders = SchemaStep.find(ends.destinationDialect(), d, new io.tideway.core.model.TableId(dstSchema, "orders")).orElseThrow();
            assertThat(orders.indexes()).as("secondary index created after the copy")
                    .anySatisfy(i -> assertThat(i.columns()).containsExactly("customer_id"));
            Table customers = SchemaStep.find(ends.destinationDialect(), d, new io.tideway.core.model.TableId(dstSchema, "customers")).orElseThrow();
            assertThat(customers.indexes()).anySatisfy(i -> {
                assertThat(i.unique()).isTrue();
                assertThat(i.columns()).containsExactly("email");
            });
            assertThat(customers.primaryKey()).containsExactly("id");
        }
        try (Connection d = connectDestination(dstDb)) {
            checkDestinationValues(d, dstSchema);
        }

        // a second run finds everything done and changes nothing
        assertThat(Main.execute("--data-dir", tmp.resolve("data").toString(), "run", project.toString())).isZero();
        for (TableMapper.MappedTable m : tables) {
            assertThat(TableCompare.compare(ends, m, cfg.zeroDates()).equal()).isTrue();
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}

package io.tideway.engine.incremental;

import io.tideway.core.change.HeldPositions;
import io.tideway.core.change.HeldPositions.Held;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.engine.TableMapper.MappedTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link HeldPositions} table of one project direction on the database it writes to: where it
 * lives (beside the marker table, in the schema of the first table written), made when missing, read
 * and written through the dialect in the caller's transaction.
 *
 * @param id the table
 * @param model its definition
 * @param sink this direction's rows ({@link HeldPositions#sink})
 */
public record HeldTable(TableId id, Table model, String sink) {

    /** The held-positions table of a direction writing {@code tables}, or null when it writes none. */
    public static HeldTable of(String project, String direction, List<MappedTable> tables) {
        TableId marker = Direction.markerOf(tables);
        if (marker == null) {
            return null;
        }
        TableId id = HeldPositions.in(marker.schema());
        return new HeldTable(id, HeldPositions.model(id), HeldPositions.sink(project, direction));
    }

    /** Whether any of {@code tables} lands in a destination table without a row key. */
    public static boolean anyKeyless(Collection<MappedTable> tables) {
        return tables.stream().anyMatch(m -> m.destination().rowKey().isEmpty());
    }

    /** Creates the table where it is missing (auto-commit). */
    public void ensure(Dialect d, Connection c, DataSourceType.Family sourceFamily) {
        ensureTable(d, c, id, model, sourceFamily, "positions of tables without a key");
    }

    /** Creates one of Tideway's own tables where it is missing (auto-commit); {@code what} says what it holds. */
    static void ensureTable(Dialect d, Connection c, TableId id, Table model, DataSourceType.Family sourceFamily, String what) {
        try {
            if (io.tideway.engine.schema.SchemaStep.find(d, c, id).isPresent()) {
                return;
            }
            var plan = d.schema().createTable(model, sourceFamily);
            if (!plan.problems().isEmpty()) {
                throw new TidewayException(ErrorCode.INTERNAL, "creating " + id + ": " + String.join("; ", plan.problems()));
            }
            try (Statement st = c.createStatement()) {
                for (String q : plan.statements()) {
                    st.execute(q);
                }
            }
        } catch (SQLException e) {
            // another worker may have made it meanwhile
            try {
                if (io.tideway.engine.schema.SchemaStep.find(d, c, id).isPresent()) {
                    return;
                }
            } catch (SQLException ignored) {
                // report the first failure
            }
            throw d.errors().classify(e, "creating " + id + " (" + what + ")");
        }
    }

    /** What the destination holds of each of {@code sources} (source tables); a table with no row is absent. */
    public Map<TableId, Held> load(Dialect d, Connection c, Collection<TableId> sources) throws SQLException {
        Map<TableId, Held> held = new HashMap<>();
        if (sources.isEmpty() || io.tideway.engine.schema.SchemaStep.find(d, c, id).isEmpty()) {
            return held;
        }
        Map<String, TableId> byName = new HashMap<>();
        List<List<Object>> keys = new ArrayList<>();
        for (TableId t : sources) {
            byName.put(t.toString(), t);
            keys.add(List.of(sink, t.toString()));
        }
        try (RowCursor cur = d.rows().openRowsByKeys(c, model, keys, ReadOptions.DEFAULT)) {
            while (cur.next()) {
                Object[] r = cur.row();
                TableId t = byName.get((String) r[1]);
                if (t != null) {
                    held.put(t, new Held((String) r[2], (String) r[3]));
                }
            }
        }
        return held;
    }

    /** Writes what the destination holds of {@code source}, in the caller's transaction. */
    public void write(Dialect d, Connection c, TableId source, Held held) throws SQLException {
        d.writer().upsert(c, model, List.<Object[]>of(new Object[] {sink, source.toString(), held.snapshotPoint(),
                held.appliedPosition()}).iterator());
    }
}

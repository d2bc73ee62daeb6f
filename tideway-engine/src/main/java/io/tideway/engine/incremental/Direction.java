package io.tideway.engine.incremental;

import io.tideway.core.change.ApplyMarker;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.engine.Endpoints;
import io.tideway.engine.RunContext;
import io.tideway.engine.TableMapper;
import io.tideway.engine.TableMapper.MappedTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Which way changes flow. FORWARD: captured on the project's source, applied to its destination.
 * REVERSE (after a switchover, the way back): captured on the destination, applied to the source,
 * the same Store and Connector with the ends and the tables swapped. Each direction has its own
 * capture name (MetaDB offsets, history and apply checkpoint), spool directory, slot/publication
 * (PostgreSQL) and step row in the MetaDB ({@code incremental} / {@code reverse}).
 */
public enum Direction {
    FORWARD(Store.FORWARD, "incremental"),
    REVERSE(Store.REVERSE, "reverse");

    private final String captureName;
    private final String stepId;

    Direction(String captureName, String stepId) {
        this.captureName = captureName;
        this.stepId = stepId;
    }

    /** The MetaDB name of this direction's capture state and apply checkpoint. */
    public String captureName() {
        return captureName;
    }

    /** The MetaDB step row this direction's figures are kept in. */
    public String stepId() {
        return stepId;
    }

    /**
     * The context this direction's Store and Connector run in: the project's own for FORWARD; for
     * REVERSE its ends swapped (the destination is read, the source written) and each table pair
     * swapped (a destination table, and the source table its changes land in).
     */
    public RunContext context(RunContext forward) {
        if (this == FORWARD) {
            return forward;
        }
        Endpoints e = forward.ends();
        Endpoints swapped = new Endpoints(e.destination(), e.destinationDialect(), e.source(), e.sourceDialect());
        List<MappedTable> tables = forward.tables().stream().map(m -> new MappedTable(m.destination(), m.source())).toList();
        return new RunContext(forward.config(), swapped, forward.metaDb(), forward.projectId(), tables, forward.listener());
    }

    /** Where a table read by this direction's capture lands (renames applied, or undone for REVERSE). */
    public UnaryOperator<Table> landing(RunContext ctx) {
        if (this == FORWARD) {
            return t -> TableMapper.destinationOf(ctx.config(), t);
        }
        // ctx is the reverse context: its tables are (destination table, source table) pairs
        Map<TableId, MappedTable> byId = new HashMap<>();
        Map<String, String> schemas = new HashMap<>();
        for (MappedTable m : ctx.tables()) {
            byId.put(m.source().id(), m);
            schemas.putIfAbsent(m.source().id().schema(), m.destination().id().schema());
        }
        return t -> {
            MappedTable m = byId.get(t.id());
            if (m == null) {
                return t.renamed(new TableId(schemas.getOrDefault(t.id().schema(), t.id().schema()), t.id().table()), Map.of());
            }
            Map<String, String> cols = new HashMap<>();
            for (int i = 0; i < Math.min(m.source().columns().size(), m.destination().columns().size()); i++) {
                cols.put(m.source().columns().get(i).name(), m.destination().columns().get(i).name());
            }
            return t.renamed(m.destination().id(), cols);
        };
    }

    /** Which tables read by this direction's capture it carries: the project's patterns (FORWARD), its tables (REVERSE). */
    public Predicate<TableId> selects(RunContext ctx) {
        if (this == FORWARD) {
            return TableMapper.patterns(ctx.config(), ctx.ends().sourceDialect())::selects;
        }
        Set<TableId> ids = ctx.tables().stream().map(m -> m.source().id()).collect(Collectors.toSet());
        return ids::contains;
    }

    /** The name of this direction's capture (PostgreSQL slot and publication, MySQL client name). */
    public String captureSpecName(String project) {
        String name = ("tideway_" + project).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        int max = this == FORWARD ? 60 : 56;
        if (name.length() > max) {
            name = name.substring(0, max);
        }
        return this == FORWARD ? name : name + "_rev";
    }

    /** MySQL family: the replica server id this direction's capture presents. */
    public long serverId(String project) {
        return (this == FORWARD ? 1_000_000L : 2_000_000L) + Math.floorMod(project.hashCode(), 1_000_000);
    }

    /**
     * The marker table this direction's Connector writes in each of its transactions: in the schema
     * of the first (by name) table it writes to. Null when it writes to none.
     */
    public static TableId markerOf(List<MappedTable> tables) {
        List<TableId> written = new ArrayList<>();
        for (MappedTable m : tables) {
            written.add(m.destination().id());
        }
        return written.stream().min(Comparator.comparing(TableId::toString)).map(t -> ApplyMarker.in(t.schema())).orElse(null);
    }
}

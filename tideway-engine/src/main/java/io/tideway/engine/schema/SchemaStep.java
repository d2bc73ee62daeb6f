package io.tideway.engine.schema;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.Dialect;
import io.tideway.engine.RunContext;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.engine.TableStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema step: plans every destination table first (so a type that cannot be converted stops
 * the step before anything is created), then creates schemas and tables with their primary keys.
 * Unique keys and secondary indexes come after the full copy ({@link #createIndexes}).
 */
public final class SchemaStep {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaStep.class);

    private SchemaStep() { }

    public static String run(RunContext ctx) {
        Dialect dd = ctx.ends().destinationDialect();
        // 1. plan all tables; refuse before creating anything if one cannot be converted
        List<String> problems = new ArrayList<>();
        Map<TableId, CreateTablePlan> plans = new java.util.LinkedHashMap<>();
        for (MappedTable m : ctx.tables()) {
            CreateTablePlan plan = dd.schema().createTable(m.destination(), ctx.ends().sourceFamily());
            plan.problems().forEach(p -> problems.add(m.destination().id() + ": " + p));
            for (String w : plan.warnings()) {
                ctx.event("WARN", "schema", m.destination().id() + ": " + w);
            }
            for (String w : io.tideway.engine.TableMapper.zeroDateDefaultNotes(m, ctx.zeroDates())) {
                ctx.event("WARN", "schema", m.destination().id() + ": " + w);
            }
            plans.put(m.destination().id(), plan);
        }
        if (!problems.isEmpty()) {
            throw new TidewayException(ErrorCode.UNSUPPORTED_TYPE, "cannot convert the schema: " + String.join("; ", problems));
        }
        // 2. create what is missing; a failure drops the tables this run created, naming the table it failed on
        int existing = 0;
        List<TableId> made = new ArrayList<>();
        try (Connection c = ctx.ends().connectDestination()) {
            Set<String> schemas = new LinkedHashSet<>();
            ctx.tables().forEach(m -> schemas.add(m.destination().id().schema()));
            List<String> have = dd.catalog().listSchemas(c);
            for (String s : schemas) {
                if (!have.contains(s)) {
                    execute(c, dd.schema().createSchemaSql(s));
                    LOG.info("created schema {}", s);
                }
            }
            List<MappedTable> toRecord = new ArrayList<>();
            for (MappedTable m : ctx.tables()) {
                TableId dst = m.destination().id();
                if (find(dd, c, dst).isPresent()) {
                    existing++;
                } else {
                    try {
                        execute(c, plans.get(dst).statements());
                        made.add(dst);
                        createKeyIndex(dd, c, m.destination());
                    } catch (SQLException e) {
                        if (!made.contains(dst)) {
                            made.add(dst);   // a statement after CREATE TABLE may have failed: drop it too
                        }
                        dropMade(dd, c, made);
                        throw dd.errors().classify(e, "creating destination table " + dst + " (of source table " + m.label() + "); the "
                                + (made.size() - 1) + " tables created before it in this run were dropped again");
                    }
                    LOG.info("created table {}", dst);
                }
                toRecord.add(m);
            }
            for (MappedTable m : toRecord) {
                var rec = ctx.metaDb().checkpoints().table(ctx.projectId(), m.source().id());
                if (rec.isEmpty() || TableStates.PENDING.equals(rec.get().state())) {
                    ctx.metaDb().checkpoints().upsertTable(ctx.projectId(), m.source().id(), m.destination().id(), TableStates.CREATED,
                            m.source().estimatedRows());
                }
            }
        } catch (SQLException e) {
            throw dd.errors().classify(e, "creating destination tables");
        }
        int created = made.size();
        return created + " tables created, " + existing + " already present";
    }

    /** Drops the tables of {@code made}, newest first; what cannot be dropped is logged, the original failure matters. */
    private static void dropMade(Dialect dd, Connection c, List<TableId> made) {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                execute(c, List.of(dd.schema().dropTableSql(made.get(i))));
            } catch (SQLException e) {
                LOG.warn("could not drop {} after the schema step failed: {}", made.get(i), e.toString());
            }
        }
    }

    /**
     * A table without a primary key is identified by a not-null unique key: that one is created
     * with the table, since redoing a chunk as upserts needs it from the start.
     */
    private static void createKeyIndex(Dialect dd, Connection c, Table t) throws SQLException {
        if (!t.primaryKey().isEmpty() || t.rowKey().isEmpty()) {
            return;
        }
        List<Index> key = t.indexes().stream().filter(i -> i.unique() && i.columns().equals(t.rowKey())).limit(1).toList();
        execute(c, dd.schema().createIndexesSql(new Table(t.id(), t.columns(), t.primaryKey(), key, t.comment(), 0, 0)).stream()
                // only the index statements: anything the dialect does after a copy waits for the copy
                .filter(sql -> sql.toUpperCase(java.util.Locale.ROOT).startsWith("CREATE")
                        || sql.toUpperCase(java.util.Locale.ROOT).startsWith("ALTER")).toList());
    }

    /**
     * Creates the unique keys and secondary indexes a table lacks on the destination (matched by
     * columns and uniqueness, so a rerun after a crash does not fail on an index it made).
     */
    public static int createIndexes(RunContext ctx, MappedTable m) {
        Dialect dd = ctx.ends().destinationDialect();
        Table want = m.destination();
        try (Connection c = ctx.ends().connectDestination()) {
            Table have = find(dd, c, want.id()).orElseThrow(() -> new TidewayException(ErrorCode.TABLE_VANISHED,
                    "destination table " + want.id() + " disappeared before its indexes were created"));
            Set<String> present = have.indexes().stream().map(SchemaStep::signature).collect(Collectors.toSet());
            List<Index> missing = want.indexes().stream().filter(i -> !present.contains(signature(i))).toList();
            // called even with no index missing: the dialect may have work to do once rows are in
            // (PostgreSQL moves identity sequences past the copied keys)
            Table subset = new Table(want.id(), want.columns(), want.primaryKey(), missing, want.comment(),
                    want.estimatedRows(), want.estimatedBytes());
            execute(c, dd.schema().createIndexesSql(subset));
            return missing.size();
        } catch (SQLException e) {
            throw dd.errors().classify(e, "creating indexes of " + want.id());
        }
    }

    private static String signature(Index i) {
        return (i.unique() ? "U:" : "I:") + String.join("\u0000", i.columns());
    }

    public static Optional<Table> find(Dialect d, Connection c, TableId id) throws SQLException {
        if (!d.catalog().listSchemas(c).contains(id.schema())) {
            return Optional.empty();
        }
        return d.catalog().readTables(c, id.schema(), id::equals).stream().findFirst();
    }

    static void execute(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                LOG.debug("DDL: {}", sql);
                s.execute(sql);
            }
        }
    }
}

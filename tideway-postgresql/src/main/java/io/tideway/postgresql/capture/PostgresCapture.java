package io.tideway.postgresql.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.postgresql.PostgresDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change capture for PostgreSQL through the engine's pgoutput connector.
 *
 * <p>Start, in numbered steps: (1) wal_level must be logical; (2) the spec's tables are read from the
 * catalog (their neutral types drive the value conversion); (3) REPLICA IDENTITY is checked (see
 * below); (4) the publication named after the capture is created FOR the spec's tables, or set to them;
 * (5) the logical replication slot (pgoutput) named after the capture is created, and its consistent
 * point is T0 — or, on later starts, the existing slot is checked to be idle and the engine resumes
 * from the offsets saved in the {@link io.tideway.core.change.CaptureState}; (6) the engine is started
 * with publication.autocreate.mode=disabled and that slot; {@code start} returns once the slot is
 * streaming to it.
 *
 * <p>Names: slot and publication are {@code spec.name()} in lower case with every character outside
 * [a-z0-9_] replaced by '_', at most 63 characters.
 *
 * <p>REPLICA IDENTITY: a table whose identity is not FULL logs only the key in before images, and an
 * UPDATE that leaves a TOASTed (large, out-of-line) value unchanged does not log that value. With
 * {@link ReplicaIdentity#SET_FULL} (opt-in: constructor, or system property {@value #REPLICA_IDENTITY_PROPERTY}=true)
 * the capture runs {@code ALTER TABLE ... REPLICA IDENTITY FULL} on each captured table that is not FULL
 * (it needs to own the table; otherwise it fails naming the table and the statement). With the default
 * {@link ReplicaIdentity#KEEP} it logs a warning per table; an unchanged TOASTed value is then filled from
 * the before image when it has one, else by reading the row's current value by key from the source
 * (the row may by then hold a later value, which the later change events carry as well, so the
 * destination converges); a table with no identity at all (no primary key, identity DEFAULT or NOTHING)
 * fails the start, because publishing it would make the source reject UPDATE and DELETE.
 *
 * <p>DDL: pgoutput carries no DDL, so no {@code Op.DDL} events come from PostgreSQL; a column added
 * later appears in the next change's images (the catalog is re-read). TRUNCATE comes as {@code Op.TRUNCATE}.
 * An UPDATE that changes the key comes as one UPDATE with the old key in {@code before} and the new row in {@code after}.
 */
public final class PostgresCapture implements ChangeCapture {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCapture.class);

    /** System property that opts in to {@link ReplicaIdentity#SET_FULL} for captures found by ServiceLoader. */
    public static final String REPLICA_IDENTITY_PROPERTY = "tideway.capture.postgresql.replica-identity-full";

    /** What the capture does with captured tables whose REPLICA IDENTITY is not FULL. */
    public enum ReplicaIdentity {
        /** Leave them, warn, and fill unchanged TOASTed values from the before image or the current row. */
        KEEP,
        /** ALTER TABLE ... REPLICA IDENTITY FULL on each of them (needs ownership). */
        SET_FULL
    }

    private static final int MAX_NAME = 63;

    private final ReplicaIdentity replicaIdentity;

    public PostgresCapture() {
        this(Boolean.getBoolean(REPLICA_IDENTITY_PROPERTY) ? ReplicaIdentity.SET_FULL : ReplicaIdentity.KEEP);
    }

    public PostgresCapture(ReplicaIdentity replicaIdentity) {
        this.replicaIdentity = replicaIdentity;
    }

    @Override
    public Set<DataSourceType> types() {
        return Set.of(DataSourceType.POSTGRESQL);
    }

    /** The slot and publication name for a capture name: lower case, [a-z0-9_], at most 63 characters. */
    public static String slotName(String captureName) {
        StringBuilder b = new StringBuilder();
        for (char ch : captureName.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_');
        }
        String s = b.length() == 0 ? "tideway" : b.toString();
        return s.length() > MAX_NAME ? s.substring(0, MAX_NAME) : s;
    }

    // ---------------------------------------------------------------- start

    @Override
    public Session start(CaptureSpec spec, CaptureSink sink, Duration startTimeout) {
        if (spec.tables().isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "capture " + spec.name() + ": no tables to capture");
        }
        PostgresDialect dialect = new PostgresDialect().withPeer(spec.peer());
        String slot = slotName(spec.name());
        boolean hasOffsets = !spec.state().loadOffsets().isEmpty();
        Map<TableId, Table> tables;
        long startLsn;
        try (Connection c = dialect.connect(spec.source())) {
            LOG.info("capture {}: 1. checking wal_level", slot);
            checkWalLevel(c, spec);
            LOG.info("capture {}: 2. reading {} table(s)", slot, spec.tables().size());
            tables = readTables(dialect, c, spec.tables());
            LOG.info("capture {}: 3. checking replica identity", slot);
            replicaIdentity(c, dialect, tables.values());
            LOG.info("capture {}: 4. publication {}", slot, slot);
            List<TableId> published = new ArrayList<>(spec.tables());
            published.addAll(markers(c, spec.tables()));
            publication(c, dialect, slot, published);
            LOG.info("capture {}: 5. replication slot {}", slot, slot);
            startLsn = slot(c, spec, slot, hasOffsets);
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "capture " + spec.name() + " on " + spec.source().address()
                    + ": cannot prepare the publication and slot " + slot + ": " + e.getMessage(), e);
        }
        if (hasOffsets) {
            Long saved = savedCommitLsn(spec.state().loadOffsets());
            if (saved != null) {
                startLsn = saved;
            }
        }
        LOG.info("capture {}: 6. starting the engine from {}", slot, PgPosition.of(startLsn, 0, 0));
        return new PgSession(spec, sink, dialect, slot, tables, startLsn, startTimeout);
    }

    /**
     * Tideway's marker tables ({@link io.tideway.core.change.ApplyMarker}) that exist in the schemas of
     * the captured tables: published too, so that the changes of Tideway's own apply transactions can be
     * told and dropped (loop prevention).
     */
    private static List<TableId> markers(Connection c, List<TableId> tables) throws SQLException {
        List<TableId> out = new ArrayList<>();
        for (String schema : tables.stream().map(TableId::schema).distinct().toList()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                    + " WHERE n.nspname = ? AND t.relname = ? AND t.relkind IN ('r', 'p')")) {
                ps.setString(1, schema);
                ps.setString(2, io.tideway.core.change.ApplyMarker.TABLE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.add(io.tideway.core.change.ApplyMarker.in(schema));
                    }
                }
            }
        }
        return out;
    }

    private static void checkWalLevel(Connection c, CaptureSpec spec) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            String level = rs.getString(1);
            if (!"logical".equals(level)) {
                throw new TidewayException(ErrorCode.PRECHECK_FAILED, "postgresql at " + spec.source().address()
                        + " has wal_level=" + level + "; change capture needs wal_level=logical (set it in "
                        + "postgresql.conf or with ALTER SYSTEM SET wal_level = logical, then restart the server)");
            }
        }
    }

    private static Map<TableId, Table> readTables(PostgresDialect d, Connection c, List<TableId> ids) throws SQLException {
        Map<TableId, Table> out = new LinkedHashMap<>();
        Map<String, Set<TableId>> bySchema = new LinkedHashMap<>();
        for (TableId id : ids) {
            bySchema.computeIfAbsent(id.schema(), k -> new HashSet<>()).add(id);
        }
        for (Map.Entry<String, Set<TableId>> e : bySchema.entrySet()) {
            for (Table t : d.readTables(c, e.getKey(), e.getValue()::contains)) {
                out.put(t.id(), t);
            }
        }
        List<TableId> missing = ids.stream().filter(id -> !out.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            throw new TidewayException(ErrorCode.TABLE_VANISHED, "cannot capture " + missing
                    + ": no such table in the source database");
        }
        return out;
    }

    private void replicaIdentity(Connection c, PostgresDialect d, java.util.Collection<Table> tables) throws SQLException {
        List<String> noIdentity = new ArrayList<>();
        for (Table t : tables) {
            String ident;
            try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident FROM pg_class c JOIN pg_namespace n "
                    + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                ps.setString(1, t.id().schema());
                ps.setString(2, t.id().table());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ident = rs.getString(1);
                }
            }
            if ("f".equals(ident)) {
                continue;
            }
            String alter = "ALTER TABLE " + d.quote(t.id()) + " REPLICA IDENTITY FULL";
            if (replicaIdentity == ReplicaIdentity.SET_FULL) {
                try (Statement s = c.createStatement()) {
                    s.execute(alter);
                    LOG.info("table {}: REPLICA IDENTITY set to FULL", t.id());
                } catch (SQLException e) {
                    throw new TidewayException(ErrorCode.PRIVILEGE_MISSING, "table " + t.id()
                            + ": cannot set REPLICA IDENTITY FULL (" + e.getMessage().trim() + "); run '" + alter
                            + "' as the table's owner, or capture without that option", e);
                }
                continue;
            }
            boolean noKey = "n".equals(ident) || ("d".equals(ident) && t.primaryKey().isEmpty());
            if (noKey) {
                noIdentity.add(t.id() + " (fix: " + alter + ")");
            } else {
                LOG.warn("table {}: REPLICA IDENTITY is not FULL, so before images carry only the key and values of "
                        + "large columns left unchanged by an UPDATE are read back from the table; for exact before "
                        + "images run '{}'", t.id(), alter);
            }
        }
        if (!noIdentity.isEmpty()) {
            throw new TidewayException(ErrorCode.PRECHECK_FAILED, "tables without a replica identity cannot be captured "
                    + "(publishing them would make the source reject UPDATE and DELETE): "
                    + String.join(", ", noIdentity));
        }
    }

    private static void publication(Connection c, PostgresDialect d, String name, List<TableId> ids) throws SQLException {
        String tableList = ids.stream().map(d::quote).collect(Collectors.joining(", "));
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        try (Statement s = c.createStatement()) {
            if (exists) {
                s.execute("ALTER PUBLICATION " + d.quote(name) + " SET TABLE " + tableList);
            } else {
                s.execute("CREATE PUBLICATION " + d.quote(name) + " FOR TABLE " + tableList);
            }
        } catch (SQLException e) {
            throw new TidewayException("42501".equals(e.getSQLState()) ? ErrorCode.PRIVILEGE_MISSING : ErrorCode.INTERNAL,
                    "cannot " + (exists ? "alter" : "create") + " publication " + name + " for " + ids + ": "
                            + e.getMessage().trim() + " (the capture user must own the tables, or have CREATE on the database)", e);
        }
    }

    /**
     * When resuming: a slot held by a server process that has had no reply from its reader for as
     * long as a lost connection is allowed ({@link PgSession#stallMillis()}) is held for a
     * connection that is gone (a network partition ended it without telling the server): that
     * process is ended, and true is returned once the slot is free. A live reader replies every few
     * seconds and is never ended.
     */
    private static boolean endStaleHolder(Connection c, String slot, int pid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXTRACT(EPOCH FROM (clock_timestamp()"
                + " - GREATEST(reply_time, backend_start)))::float8 FROM pg_stat_replication WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getDouble(1) * 1000 < PgSession.stallMillis()) {
                    return false;
                }
                LOG.warn("capture {}: replication slot {} is held by server process {}, which has had no reply from its"
                        + " reader for {} s: ending it (its connection is gone)", slot, slot, pid, Math.round(rs.getDouble(1)));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            ps.execute();
        } catch (SQLException e) {
            LOG.warn("capture {}: ending server process {}: {}", slot, pid, e.getMessage());
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            for (int i = 0; i < 50; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return true;
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** Checks or creates the slot; returns its consistent point (new slot) or confirmed flush LSN. */
    private static long slot(Connection c, CaptureSpec spec, String slot, boolean hasOffsets) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database, active, active_pid, "
                + "confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String plugin = rs.getString(1);
                    String db = rs.getString(2);
                    if (!"pgoutput".equals(plugin) || !db.equals(currentDatabase(c))) {
                        throw new TidewayException(ErrorCode.CONFIG_INVALID, "replication slot " + slot + " exists for "
                                + "plugin " + plugin + " in database " + db + ", not for this capture; give the project "
                                + "another name or drop the slot (SELECT pg_drop_replication_slot('" + slot + "'))");
                    }
                    if (rs.getBoolean(3)) {
                        int pid = rs.getInt(4);
                        if (hasOffsets && endStaleHolder(c, slot, pid)) {
                            return slot(c, spec, slot, hasOffsets);   // released: read it again
                        }
                        throw slotInUse(slot, pid, spec);
                    }
                    String flushed = rs.getString(5);
                    return flushed == null ? 0 : PgPosition.parseLsn(flushed);
                }
            }
        }
        if (hasOffsets) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "replication slot " + slot + " is missing on "
                    + spec.source().address() + " although capture " + spec.name() + " has saved positions: changes "
                    + "since then are no longer retained; release the project and run it again from the full copy");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String lsn = rs.getString(1);
                LOG.info("replication slot {} created, consistent point (T0) {}", slot, lsn);
                return PgPosition.parseLsn(lsn);
            }
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                throw slotInUse(slot, 0, spec);
            }
            throw new TidewayException("42501".equals(e.getSQLState()) ? ErrorCode.PRIVILEGE_MISSING : ErrorCode.INTERNAL,
                    "cannot create replication slot " + slot + ": " + e.getMessage().trim()
                            + " (the capture user needs the REPLICATION attribute: ALTER ROLE ... REPLICATION)", e);
        }
    }

    /** The server process using the slot, 0 when the slot is inactive or absent. */
    private static int slotActivePid(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    static TidewayException slotInUse(String slot, int pid, CaptureSpec spec) {
        return new TidewayException(ErrorCode.CONFIG_INVALID, "replication slot " + slot + " on " + spec.source().address()
                + " is in use by another consumer" + (pid > 0 ? " (server process " + pid + ")" : "")
                + "; stop that consumer (another Tideway run of project " + spec.name() + "?"
                + (pid > 0 ? ", or SELECT pg_terminate_backend(" + pid + ")" : "") + ") or give this project another name");
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The commit LSN in the saved offsets (the position re-delivered events sort from). */
    static Long savedCommitLsn(Map<String, String> offsets) {
        for (String v : offsets.values()) {
            Long commit = jsonLong(v, "lsn_commit");
            if (commit != null) {
                return commit;
            }
            Long lsn = jsonLong(v, "lsn");
            if (lsn != null) {
                return lsn;
            }
        }
        return null;
    }

    private static Long jsonLong(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    /**
     * Adds to the common reading: when resuming after a lost connection, the slot may still be held
     * by the server process of the lost session until the server notices (wal_sender_timeout), so a
     * slot in use is worth another try there (a first start still refuses it at once).
     */
    @Override
    public boolean worthRetrying(Throwable failure) {
        if (io.tideway.core.change.CaptureFailures.allMessages(failure).contains("in use by another consumer")) {
            return true;
        }
        return ChangeCapture.super.worthRetrying(failure);
    }

    // ---------------------------------------------------------------- release

    @Override
    public void release(CaptureSpec spec) {
        PostgresDialect d = new PostgresDialect();
        String slot = slotName(spec.name());
        try (Connection c = d.connect(spec.source())) {
            // a session of this process that just stopped leaves its server process behind for a moment
            long until = System.currentTimeMillis() + 10_000;
            while (slotActivePid(c, slot) > 0 && System.currentTimeMillis() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getBoolean(1)) {
                            throw slotInUse(slot, rs.getInt(2), spec);
                        }
                        try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                            drop.setString(1, slot);
                            drop.execute();
                        }
                        LOG.info("replication slot {} dropped", slot);
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP PUBLICATION IF EXISTS " + d.quote(slot));
            }
        } catch (SQLException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot drop replication slot or publication " + slot + " on "
                    + spec.source().address() + ": " + e.getMessage().trim(), e);
        }
    }

    // ---------------------------------------------------------------- consistent reads

    /**
     * A brief {@code SHARE} lock on the table, taken on a second connection (it waits for open writes
     * on the table to commit and holds new ones back, for at most {@value #LOCK_WAIT_SECONDS} s), while
     * the reader's REPEATABLE READ snapshot is taken together with the WAL's insert position; then the
     * lock is let go and the reader reads at leisure. Every write of the table that the snapshot holds
     * was logged before that position, every later one after it. The snapshot point is that LSN.
     */
    @Override
    public String beginConsistentRead(DataSourceType type, Connection reader, java.util.function.Supplier<Connection> locker,
                                      TableId table) throws SQLException {
        PostgresDialect d = new PostgresDialect();
        try (Connection lock = locker.get()) {
            lock.setAutoCommit(false);
            try (Statement ls = lock.createStatement(); Statement st = reader.createStatement()) {
                ls.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT_SECONDS + "s'");
                try {
                    ls.execute("LOCK TABLE " + d.quote(table) + " IN SHARE MODE");
                } catch (SQLException e) {
                    if ("55P03".equals(e.getSQLState())) {
                        throw new TidewayException(ErrorCode.TRANSIENT, "reading " + table + " at a known WAL position: a"
                                + " transaction kept writing to it for " + LOCK_WAIT_SECONDS + " s while Tideway waited to"
                                + " lock it briefly; trying again", e);
                    }
                    if ("42501".equals(e.getSQLState())) {
                        throw new TidewayException(ErrorCode.PRIVILEGE_MISSING, "reading " + table + ", a table without a"
                                + " key, at a known WAL position needs a brief SHARE lock on it, which the source user may"
                                + " not take: GRANT UPDATE ON " + d.quote(table) + " TO the source user (it writes nothing),"
                                + " or give the table a primary key", e);
                    }
                    throw e;
                }
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                    rs.next();
                    return rs.getString(1);
                }
            } finally {
                lock.rollback();
            }
        }
    }

    /** How long a consistent read waits for the brief lock on its table. */
    static final int LOCK_WAIT_SECONDS = 10;

    /** A change is in the snapshot when its own LSN (the middle field of its position) is before the snapshot's. */
    @Override
    public boolean seenBy(String snapshotPoint, String position) {
        int a = position.indexOf('/');
        int b = position.indexOf('/', a + 1);
        long lsn = Long.parseUnsignedLong(position.substring(a + 1, b < 0 ? position.length() : b), 16);
        return Long.compareUnsigned(lsn, PgPosition.parseLsn(snapshotPoint)) < 0;
    }

    // ---------------------------------------------------------------- the engine

    /** Escapes a name for the engine's comma-separated regular-expression lists. */
    static String regex(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch < 128 && !Character.isLetterOrDigit(ch) && ch != '_') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }

    static Properties engineProperties(CaptureSpec spec, String slot, String stateId) {
        Properties p = new Properties();
        p.setProperty("name", "tideway-" + slot);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", StateOffsetStore.class.getName());
        p.setProperty(StateOffsetStore.STATE_ID, stateId);
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("offset.flush.timeout.ms", "10000");
        p.setProperty("topic.prefix", slot);
        // the __debezium.context.* headers of every record: Tideway reads none of them
        p.setProperty("extended.headers.enabled", "false");
        p.setProperty("database.hostname", spec.source().host());
        p.setProperty("database.port", Integer.toString(spec.source().port()));
        p.setProperty("database.user", spec.source().user() == null ? "" : spec.source().user());
        p.setProperty("database.password", spec.source().password());
        String db = spec.source().database();
        p.setProperty("database.dbname", db == null || db.isEmpty() ? "postgres" : db);
        String ssl = spec.source().properties().get("sslmode");
        if (ssl != null) {
            p.setProperty("database.sslmode", ssl);
        }
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", slot);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("slot.max.retries", "2");
        p.setProperty("slot.retry.delay.ms", "1000");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("table.include.list", java.util.stream.Stream.concat(spec.tables().stream(),
                        spec.tables().stream().map(TableId::schema).distinct().map(io.tideway.core.change.ApplyMarker::in))
                .map(t -> regex(t.schema()) + "\\." + regex(t.table())).collect(Collectors.joining(",")));
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("include.unknown.datatypes", "true");
        // bit varying as the text of its bits (the connector's bytes lose leading zeros); to PostgreSQL, values also go
        // as PostgreSQL's own text where Debezium's forms lose something
        p.setProperty("converters", VarbitAsText.NAME
                + (spec.peer() == DataSourceType.Family.POSTGRESQL ? "," + PgVerbatimConverter.NAME : ""));
        p.setProperty(VarbitAsText.NAME + ".type", VarbitAsText.class.getName());
        if (spec.peer() == DataSourceType.Family.POSTGRESQL) {
            p.setProperty(PgVerbatimConverter.NAME + ".type", PgVerbatimConverter.class.getName());
        }
        // each field's schema names its source type, length and scale: a column whose type changes gets a new
        // schema, which PgRecords tells the Connector about (PostgreSQL logs no DDL)
        p.setProperty("column.propagate.source.type", ".*");
        p.setProperty("unavailable.value.placeholder", PgSession.UNAVAILABLE);
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("skipped.operations", "none");
        p.setProperty("heartbeat.interval.ms", "1000");
        // the replies that tell the server (and PgSession's watch) that this reader is alive
        p.setProperty("status.update.interval.ms", Long.toString(Math.max(500, Math.min(10_000, PgSession.stallMillis() / 4))));
        p.setProperty("max.batch.size", "4096");
        p.setProperty("max.queue.size", "16384");
        p.setProperty("poll.interval.ms", "50");
        // one reconnect path: a lost connection stops the engine, and the Store starts a new session from the
        // saved offsets (with backoff, events and a time limit) instead of the engine retrying on its own
        p.setProperty("errors.max.retries", "0");
        p.setProperty("record.processing.threads", "1");
        return p;
    }

    /** One running capture: the engine on its own thread, and the translation of its batches. */
    static final class PgSession implements Session {
        static final String UNAVAILABLE = "__tideway_unavailable_value";

        private final String slot;
        private final String stateId = UUID.randomUUID().toString();
        private final String startPosition;
        private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
        private final ExecutorService executor;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicBoolean polling = new AtomicBoolean();
        private final PgRecords records;
        private final CaptureSpec spec;
        private final PostgresDialect dialect;
        private volatile java.util.concurrent.ScheduledExecutorService watch;
        private Connection probe;
        private boolean probeWarned;

        /**
         * System property: how long the server may go without a reply from the replication connection
         * before Tideway takes it as lost (milliseconds, default 60 s, PostgreSQL's own
         * wal_sender_timeout default). For tests.
         */
        static final String STALL_PROPERTY = "tideway.capture.postgresql.stall-millis";

        static long stallMillis() {
            return Math.max(2_000, Long.getLong(STALL_PROPERTY, 60_000));
        }

        PgSession(CaptureSpec spec, CaptureSink sink, PostgresDialect dialect, String slot, Map<TableId, Table> tables,
                  long startLsn, Duration startTimeout) {
            this.slot = slot;
            this.spec = spec;
            this.dialect = dialect;
            this.startPosition = PgPosition.of(startLsn, 0, 0);
            this.records = new PgRecords(spec, dialect, tables, startLsn, startPosition, UNAVAILABLE);
            StateOffsetStore.REGISTRY.put(stateId, spec.state());
            Properties props = engineProperties(spec, slot, stateId);
            this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(props)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void pollingStarted() {
                            polling.set(true);
                        }
                    })
                    .using((success, message, error) -> {
                        if (!success && !stopped.get()) {
                            failure.compareAndSet(null, new TidewayException(ErrorCode.INTERNAL, "capture " + slot
                                    + " stopped: " + describe(message, error), error));
                        }
                        stopped.set(true);
                    })
                    .notifying((List<RecordChangeEvent<SourceRecord>> batch,
                                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) ->
                            records.handle(batch, committer, sink))
                    .build();
            this.executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tideway-capture-" + slot);
                t.setDaemon(true);
                return t;
            });
            executor.execute(engine);
            try {
                awaitStreaming(spec, dialect, startTimeout);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            long every = Math.max(1_000, stallMillis() / 6);
            watch = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tideway-capture-watch-" + slot);
                t.setDaemon(true);
                return t;
            });
            watch.scheduleWithFixedDelay(this::watchReplies, every, every, TimeUnit.MILLISECONDS);
        }

        /**
         * A replication connection that a network device dropped without telling either end looks
         * alive from here: reads find nothing and the connector's own heartbeats go on. The server
         * sees it: no reply arrives. Asked on a connection of its own, when the server has had no
         * reply from this slot's reader for {@link #stallMillis()} (PostgreSQL's wal_sender_timeout
         * rule, applied even where the server's is off), or the slot has had no reader that long,
         * the session ends with a TRANSIENT failure, so the Store starts it again from the saved
         * offsets; the server process still holding the slot for the dead connection is ended
         * first, so that the new session can take the slot. Nothing is lost: offsets cover only
         * what the sink accepted. A source that no new connection reaches for as long is taken
         * the same way (the reconnect then reports why it cannot connect).
         */
        private void watchReplies() {
            if (stopped.get() || failure.get() != null) {
                return;
            }
            long stall = stallMillis();
            try {
                if (probe == null || probe.isClosed()) {
                    // every step bounded, so that a dead network path fails the check instead of hanging it
                    Map<String, String> props = new LinkedHashMap<>(spec.source().properties());
                    props.putIfAbsent("loginTimeout", "10");
                    props.putIfAbsent("socketTimeout", "10");
                    var src = spec.source();
                    probe = dialect.connect(new io.tideway.core.model.DataSourceConfig(src.type(), src.host(), src.port(),
                            src.user(), src.password(), src.database(), props));
                }
                Integer pid = null;
                Double replyAge = null;
                try (PreparedStatement ps = probe.prepareStatement("SELECT s.active_pid,"
                        // before its first reply the server shows a zero reply_time: count from the process start then
                        + " EXTRACT(EPOCH FROM (clock_timestamp() - GREATEST(r.reply_time, r.backend_start)))::float8"
                        + " FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid"
                        + " WHERE s.slot_name = ?")) {
                    ps.setString(1, slot);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return;   // the slot is gone: the reader fails by itself, naming it
                        }
                        int p = rs.getInt(1);
                        pid = rs.wasNull() ? null : p;
                        double a = rs.getDouble(2);
                        replyAge = rs.wasNull() ? null : a;
                    }
                }
                probeWarned = false;
                probeFailingSince = 0;
                long now = System.currentTimeMillis();
                if (pid == null) {
                    if (noReaderSince == 0) {
                        noReaderSince = now;
                    } else if (now - noReaderSince >= stall) {
                        lost("the server has had no reader on replication slot " + slot + " for " + (now - noReaderSince) / 1000
                                + " s although this one streams: its connection is taken as lost");
                    }
                    return;
                }
                noReaderSince = 0;
                if (replyAge != null && replyAge * 1000 >= stall) {
                    try (PreparedStatement ps = probe.prepareStatement("SELECT pg_terminate_backend(?)")) {
                        ps.setInt(1, pid);
                        ps.execute();
                    } catch (SQLException e) {
                        LOG.warn("capture {}: ending server process {} of the lost connection: {}", slot, pid, e.getMessage());
                    }
                    lost(String.format(java.util.Locale.ROOT, "the server has had no reply from the replication connection"
                            + " for %.0f s (reads here found nothing, without an error): the connection is taken as lost,"
                            + " and its server process %d was ended", replyAge, pid));
                }
            } catch (SQLException | RuntimeException e) {
                if (!probeWarned) {
                    probeWarned = true;
                    LOG.warn("capture {}: cannot check the replication connection on the server: {}", slot, e.getMessage());
                }
                closeProbe();
                // a source no connection reaches: the reader's silence is no sign of a current capture (its own
                // heartbeats would keep the lag near 0); taken as lost, the reconnect shows what is wrong
                long now = System.currentTimeMillis();
                if (probeFailingSince == 0) {
                    probeFailingSince = now;
                } else if (now - probeFailingSince >= stall) {
                    lost("the source has not been reachable on a new connection for " + (now - probeFailingSince) / 1000
                            + " s (" + e.getMessage() + "): the replication connection is taken as lost");
                }
            }
        }

        private long noReaderSince;
        private long probeFailingSince;

        private void lost(String why) {
            if (failure.compareAndSet(null, new TidewayException(ErrorCode.TRANSIENT, "capture " + slot + ": " + why))) {
                LOG.warn("capture {}: {}", slot, why);
            }
        }

        private void closeProbe() {
            if (probe != null) {
                try {
                    probe.close();
                } catch (SQLException ignored) {
                    // already broken
                }
                probe = null;
            }
        }

        private static String describe(String message, Throwable error) {
            Throwable root = error;
            while (root != null && root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String m = message == null ? "" : message;
            if (root != null && root.getMessage() != null && !m.contains(root.getMessage())) {
                m = m + ": " + root.getMessage();
            }
            return m;
        }

        /** Waits until the engine polls and the slot is active (streaming to it), or fails. */
        private void awaitStreaming(CaptureSpec spec, PostgresDialect dialect, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try (Connection c = dialect.connect(spec.source());
                 PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                while (true) {
                    Throwable f = failure.get();
                    if (f != null) {
                        String text = f.getMessage() == null ? f.toString() : f.getMessage();
                        if (text.contains("is active")) {
                            throw slotInUse(slot, 0, spec);
                        }
                        throw new TidewayException(ErrorCode.INTERNAL, "capture " + slot + " could not start: " + text, f);
                    }
                    if (stopped.get()) {
                        throw new TidewayException(ErrorCode.INTERNAL, "capture " + slot + " stopped while starting");
                    }
                    if (polling.get()) {
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next() && rs.getBoolean(1)) {
                                LOG.info("capture {}: streaming from {}", slot, startPosition);
                                return;
                            }
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new TidewayException(ErrorCode.TRANSIENT, "capture " + slot + " did not start streaming within "
                                + timeout.toSeconds() + " s (is the slot held by another consumer, or the server slow?)");
                    }
                    Thread.sleep(100);
                }
            } catch (SQLException e) {
                throw new TidewayException(ErrorCode.INTERNAL, "capture " + slot + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TidewayException(ErrorCode.INTERNAL, "capture " + slot + ": interrupted while starting", e);
            }
        }

        @Override
        public String startPosition() {
            return startPosition;
        }

        @Override
        public boolean running() {
            return !stopped.get() && failure.get() == null;
        }

        @Override
        public Throwable failure() {
            Throwable f = failure.get();
            return f != null ? f : records.failure();
        }

        /**
         * The connector sends a heartbeat (every second) only when the server had no message waiting
         * for it: a heartbeat in the last few seconds means the stream is read to its end.
         */
        @Override
        public boolean caughtUp() {
            return running() && System.currentTimeMillis() - records.lastHeartbeatAt() < 3_000;
        }

        @Override
        public void close() {
            boolean wasStopped = stopped.getAndSet(true);
            java.util.concurrent.ScheduledExecutorService w = watch;
            if (w != null) {
                w.shutdownNow();
                try {
                    w.awaitTermination(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                closeProbe();
            }
            try {
                engine.close();
            } catch (Exception e) {
                LOG.warn("capture {}: stopping the engine: {}", slot, e.toString());
            }
            executor.shutdown();
            try {
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("capture {}: the engine did not stop within 60 s", slot);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            records.close();
            StateOffsetStore.REGISTRY.remove(stateId);
            if (!wasStopped) {
                LOG.info("capture {} stopped", slot);
            }
        }
    }
}

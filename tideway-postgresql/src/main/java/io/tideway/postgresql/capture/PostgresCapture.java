package io.tideway.postgresql.capture;

import io.tideway.core.change.CaptureSink;
import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.debezium.SavedOffsets;
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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
            for (Table t : d.catalog().readTables(c, e.getKey(), e.getValue()::contains)) {
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
            Optional<Long> lsn = SavedOffsets.number(v, "lsn_commit").or(() -> SavedOffsets.number(v, "lsn"));
            if (lsn.isPresent()) {
                return lsn.get();
            }
        }
        return null;
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
}

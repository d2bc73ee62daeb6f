package io.tideway.postgresql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.PrecheckItems;
import io.tideway.core.spi.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The PostgreSQL checks of one end of a project; every item that does not pass says how to fix it. */
final class PostgresPrecheck implements PrecheckItems {
    PostgresPrecheck() { }

    /** {@code source.keyless_lock}: the brief SHARE lock of a keyless table's consistent read needs UPDATE, DELETE or TRUNCATE. */
    @Override
    public Optional<CheckResult> keylessReadCheck(Connection c, List<TableId> keyless) throws SQLException {
        return Optional.of(keylessLock(c, "source.keyless_lock", keyless));
    }

    static final int MIN_VERSION_NUM = 100000;

    /** Quotes the names in the fixes. */
    private static final PostgresDialect D = new PostgresDialect();

    private static final String SYSTEM_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

    @Override
    public List<CheckResult> run(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException {
        String p = role.id() + ".";
        List<CheckResult> out = new ArrayList<>();
        String user = scalar(c, "SELECT current_user");
        out.add(version(c, p + "version"));
        if (role == Role.SOURCE) {
            out.add(sourcePrivileges(c, p + "privileges", user));
            if (steps.contains("incremental")) {
                out.add(walLevel(c, p + "wal_level"));
                out.add(replication(c, p + "replication", user));
            }
        } else {
            out.add(destinationPrivileges(c, p + "privileges", user));
        }
        String tz = scalar(c, "SELECT current_setting('TimeZone')");
        String serverTz = scalar(c, "SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'");
        out.add(CheckResult.pass(p + "time_zone", "server TimeZone is " + serverTz + "; Tideway's sessions use "
                + tz + ", so timestamp with time zone values are read and written as UTC"));
        return out;
    }

    private static CheckResult version(Connection c, String item) throws SQLException {
        int num = Integer.parseInt(scalar(c, "SHOW server_version_num"));
        String v = scalar(c, "SHOW server_version");
        if (num >= MIN_VERSION_NUM) {
            return CheckResult.pass(item, "PostgreSQL " + v);
        }
        return CheckResult.fail(item, "PostgreSQL " + v + " is older than 10", "upgrade the server to PostgreSQL 10 or later");
    }

    private static CheckResult sourcePrivileges(Connection c, String item, String user) throws SQLException {
        List<String> noUsage = new ArrayList<>();
        List<TableId> noSelect = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n.nspname, has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace n WHERE "
                     + SYSTEM_SCHEMA + " ORDER BY 1")) {
            while (rs.next()) {
                if (!rs.getBoolean(2)) {
                    noUsage.add(rs.getString(1));
                }
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE c.relkind IN ('r', 'p') AND " + SYSTEM_SCHEMA
                     + " AND has_schema_privilege(n.oid, 'USAGE') AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1, 2")) {
            while (rs.next()) {
                noSelect.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        if (noUsage.isEmpty() && noSelect.isEmpty()) {
            return CheckResult.pass(item, "user " + user + " can read every table of every schema");
        }
        StringBuilder detail = new StringBuilder("user ").append(user);
        StringBuilder fix = new StringBuilder();
        if (!noUsage.isEmpty()) {
            detail.append(" lacks USAGE on schema ").append(list(noUsage));
            for (String s : noUsage.subList(0, Math.min(5, noUsage.size()))) {
                fix.append("GRANT USAGE ON SCHEMA ").append(q(s)).append(" TO ").append(q(user)).append("; ");
                fix.append("GRANT SELECT ON ALL TABLES IN SCHEMA ").append(q(s)).append(" TO ").append(q(user)).append("; ");
            }
        }
        if (!noSelect.isEmpty()) {
            detail.append(noUsage.isEmpty() ? "" : " and").append(" lacks SELECT on table ")
                    .append(list(noSelect.stream().map(TablePatterns::nameOf).toList()));
            for (TableId t : noSelect.subList(0, Math.min(5, noSelect.size()))) {
                fix.append("GRANT SELECT ON ").append(D.quote(t)).append(" TO ").append(q(user)).append("; ");
            }
        }
        return CheckResult.fail(item, detail.toString(), fix.toString().trim()
                + " (only the tables the project selects need it)");
    }

    /**
     * The full copy reads a table without a key at a known WAL position under a brief SHARE lock
     * (PostgresCapture.beginConsistentRead), which PostgreSQL grants to a user with UPDATE, DELETE or
     * TRUNCATE on the table (its owner has them unless revoked).
     */
    static CheckResult keylessLock(Connection c, String item, List<TableId> keyless) throws SQLException {
        String user = scalar(c, "SELECT current_user");
        List<TableId> cannot = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT x.s, x.t FROM unnest(?::text[], ?::text[]) AS x(s, t)"
                + " JOIN pg_namespace n ON n.nspname = x.s JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.t"
                + " WHERE NOT has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE') ORDER BY 1, 2")) {
            ps.setArray(1, c.createArrayOf("text", keyless.stream().map(TableId::schema).toArray()));
            ps.setArray(2, c.createArrayOf("text", keyless.stream().map(TableId::table).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cannot.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        String why = "the full copy reads each table without a key at a known WAL position under a brief SHARE lock,"
                + " which needs UPDATE, DELETE or TRUNCATE on the table";
        if (cannot.isEmpty()) {
            return CheckResult.pass(item, "user " + user + " may lock the " + keyless.size() + " table"
                    + (keyless.size() == 1 ? "" : "s") + " without a key (" + why + ")");
        }
        return CheckResult.fail(item, "user " + user + " may not lock table "
                        + String.join(", ", cannot.stream().map(TablePatterns::nameOf).toList()) + " (" + why + ")",
                "GRANT UPDATE ON " + String.join(", ", cannot.stream().map(D::quote).toList()) + " TO " + q(user)
                        + "; (Tideway only locks these tables briefly and writes nothing to them), or give them a primary key");
    }

    private static CheckResult walLevel(Connection c, String item) throws SQLException {
        String level = scalar(c, "SHOW wal_level");
        if ("logical".equals(level)) {
            return CheckResult.pass(item, "wal_level is logical");
        }
        return CheckResult.fail(item, "wal_level is " + level + "; change capture needs logical",
                "set wal_level = logical in postgresql.conf and restart");
    }

    private static CheckResult replication(Connection c, String item, String user) throws SQLException {
        boolean allowed;
        try (PreparedStatement ps = c.prepareStatement("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user");
             ResultSet rs = ps.executeQuery()) {
            allowed = rs.next() && rs.getBoolean(1);
        }
        int max = Integer.parseInt(scalar(c, "SHOW max_replication_slots"));
        int used = Integer.parseInt(scalar(c, "SELECT count(*) FROM pg_replication_slots"));
        int free = max - used;
        if (!allowed) {
            return CheckResult.fail(item, "user " + user + " has neither the REPLICATION attribute nor superuser",
                    "ALTER ROLE " + q(user) + " WITH REPLICATION;");
        }
        int maxSenders = Integer.parseInt(scalar(c, "SHOW max_wal_senders"));
        int senders = Integer.parseInt(scalar(c, "SELECT count(*) FROM pg_stat_replication"));
        if (maxSenders - senders < 1) {
            return CheckResult.fail(item, "no free WAL sender (max_wal_senders = " + maxSenders + ", " + senders + " in use)",
                    "raise max_wal_senders in postgresql.conf and restart");
        }
        if (free < 1) {
            return CheckResult.fail(item, "no free replication slot (max_replication_slots = " + max + ", " + used + " used)",
                    "raise max_replication_slots in postgresql.conf and restart, or drop unused slots with "
                            + "pg_drop_replication_slot(name)");
        }
        return CheckResult.pass(item, "user " + user + " may replicate; " + free + " of " + max + " replication slots and "
                + (maxSenders - senders) + " of " + maxSenders + " WAL senders free");
    }

    private static CheckResult destinationPrivileges(Connection c, String item, String user) throws SQLException {
        boolean dbCreate;
        String db;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT current_database(), has_database_privilege(current_database(), 'CREATE') "
                        + "OR pg_get_userbyid(d.datdba) = current_user FROM pg_database d WHERE d.datname = current_database()")) {
            rs.next();
            db = rs.getString(1);
            dbCreate = rs.getBoolean(2);
        }
        List<String> noCreate = new ArrayList<>();
        List<String> ok = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, has_schema_privilege(n.oid, 'CREATE') OR pg_get_userbyid(n.nspowner) = current_user "
                        + "FROM pg_namespace n WHERE " + SYSTEM_SCHEMA + " ORDER BY 1")) {
            while (rs.next()) {
                (rs.getBoolean(2) ? ok : noCreate).add(rs.getString(1));
            }
        }
        if (dbCreate && noCreate.isEmpty()) {
            return CheckResult.pass(item, "user " + user + " may create schemas in database " + db + " and tables in every schema");
        }
        String fix = (dbCreate ? "" : "GRANT CREATE ON DATABASE " + q(db) + " TO " + q(user) + "; ")
                + String.join(" ", noCreate.stream().limit(5).map(s -> "GRANT USAGE, CREATE ON SCHEMA " + q(s) + " TO " + q(user) + ";").toList());
        String detail = "user " + user + (dbCreate ? "" : " lacks CREATE on database " + db)
                + (noCreate.isEmpty() ? "" : (dbCreate ? "" : " and") + " lacks CREATE on schema " + list(noCreate));
        if (!dbCreate && ok.isEmpty()) {
            return CheckResult.fail(item, detail, fix.trim());
        }
        return CheckResult.warn(item, detail + (ok.isEmpty() ? "" : "; it may create tables in " + list(ok))
                + "; the project fails if it writes where it may not", fix.trim());
    }

    private static String list(List<String> names) {
        return names.size() <= 10 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 10)) + " and " + (names.size() - 10) + " more";
    }

    private static String q(String id) {
        return D.quote(id);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

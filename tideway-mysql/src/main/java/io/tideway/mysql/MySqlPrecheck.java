package io.tideway.mysql;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.spi.CheckResult;
import io.tideway.core.spi.PrecheckItems;
import io.tideway.core.spi.Role;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The MySQL-family precheck items: version, privileges, binlog, time zone, name case, bulk load. */
final class MySqlPrecheck implements PrecheckItems {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Pattern GRANT = Pattern.compile("(?is)^GRANT\\s+(.*?)\\s+ON\\s+(.*?)\\s+TO\\s+.*$");
    private static final Set<String> UTC = Set.of("UTC", "+00:00", "GMT", "ETC/UTC", "ETC/GMT", "UNIVERSAL", "ZULU", "Z",
            "COORDINATED UNIVERSAL TIME", "-00:00", "UCT", "GMT0");

    MySqlPrecheck() { }

    static String version(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean isMariaDb(String version) {
        return version != null && version.toLowerCase(Locale.ROOT).contains("mariadb");
    }

    static boolean isOceanBase(String version) {
        return version != null && version.toLowerCase(Locale.ROOT).contains("oceanbase");
    }

    /** {major, minor, patch} of a version string, zeros when unreadable. */
    static int[] numbers(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version);
        if (!m.find()) {
            return new int[] {0, 0, 0};
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    static boolean atLeast(String version, int major, int minor) {
        int[] v = numbers(version);
        return v[0] > major || (v[0] == major && v[1] >= minor);
    }

    @Override
    public List<CheckResult> run(Connection c, DataSourceConfig cfg, Role role, Set<String> steps) throws SQLException {
        String p = role.id() + ".";
        Set<String> s = new LinkedHashSet<>();
        for (String step : steps) {
            s.add(step.toLowerCase(Locale.ROOT));
        }
        List<CheckResult> out = new ArrayList<>();
        String version = version(c);
        out.add(versionItem(p + "version", version, cfg.type()));
        out.add(privileges(c, cfg, role, s, p + "privileges"));
        if (role == Role.SOURCE && s.contains("incremental")) {
            out.addAll(binlog(c, p, version));
        }
        out.add(timeZone(c, p + "time_zone"));
        out.add(lowerCaseNames(c, p + "lower_case_table_names"));
        if (role == Role.DESTINATION) {
            out.add(localInfile(c, p + "local_infile"));
        }
        return out;
    }

    static CheckResult versionItem(String item, String version, DataSourceType type) {
        if (isOceanBase(version)) {
            return CheckResult.pass(item, "OceanBase (MySQL mode) " + version);
        }
        if (isMariaDb(version)) {
            if (!atLeast(version, 10, 3)) {
                return CheckResult.fail(item, "MariaDB " + version + " is older than 10.3, the oldest Tideway supports",
                        "upgrade the server to MariaDB 10.3 or later");
            }
            if (MySqlPlugin.MYSQL.equals(type)) {
                return CheckResult.warn(item, "the server is MariaDB " + version + " but the data source type is mysql",
                        "set type: mariadb for this data source, so change capture uses MariaDB's binlog reader");
            }
            return CheckResult.pass(item, "MariaDB " + version);
        }
        if (!atLeast(version, 5, 7)) {
            return CheckResult.fail(item, "MySQL " + version + " is older than 5.7, the oldest Tideway supports",
                    "upgrade the server to MySQL 5.7 or later");
        }
        if (MySqlPlugin.MARIADB.equals(type)) {
            return CheckResult.warn(item, "the server is MySQL " + version + " but the data source type is mariadb",
                    "set type: mysql for this data source, so change capture uses MySQL's binlog reader");
        }
        return CheckResult.pass(item, "MySQL " + version);
    }

    // ------------------------------------------------------------ privileges

    private static CheckResult privileges(Connection c, DataSourceConfig cfg, Role role, Set<String> steps, String item)
            throws SQLException {
        String db = cfg.database();
        Map<String, List<String>> needDb = new LinkedHashMap<>(); // privilege -> accepted equivalents
        Map<String, List<String>> needGlobal = new LinkedHashMap<>();
        if (role == Role.SOURCE) {
            needDb.put("SELECT", List.of("SELECT"));
            if (steps.contains("incremental")) {
                needGlobal.put("REPLICATION SLAVE", List.of("REPLICATION SLAVE", "REPLICATION REPLICA", "REPLICATION SLAVE ADMIN"));
                needGlobal.put("REPLICATION CLIENT", List.of("REPLICATION CLIENT", "BINLOG MONITOR", "SUPER"));
            }
        } else {
            needDb.put("SELECT", List.of("SELECT"));
            for (String priv : List.of("CREATE", "ALTER", "INDEX", "INSERT", "UPDATE", "DELETE", "DROP")) {
                needDb.put(priv, List.of(priv));
            }
        }
        List<String> grants = new ArrayList<>();
        String user;
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
                rs.next();
                user = rs.getString(1);
            }
            try (ResultSet rs = st.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    grants.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            return CheckResult.warn(item, "the privileges of user '" + cfg.user() + "' cannot be read: " + e.getMessage(),
                    "check by hand that the user has " + String.join(", ", needDb.keySet())
                            + (needGlobal.isEmpty() ? "" : " and " + String.join(", ", needGlobal.keySet())));
        }
        Set<String> global = new LinkedHashSet<>();
        Set<String> onDb = new LinkedHashSet<>();
        boolean roles = false;
        for (String g : grants) {
            Matcher m = GRANT.matcher(g.trim());
            if (!m.matches()) {
                roles |= g.trim().toUpperCase(Locale.ROOT).startsWith("GRANT ");
                continue;
            }
            String scope = m.group(2).trim();
            Set<String> privs = splitPrivileges(m.group(1));
            if (scope.equals("*.*")) {
                global.addAll(privs);
            } else if (db != null && scope.endsWith(".*") && databaseMatches(scope.substring(0, scope.length() - 2), db)) {
                onDb.addAll(privs);
            }
        }
        List<String> missingDb = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : needDb.entrySet()) {
            if (!has(global, e.getValue()) && !has(onDb, e.getValue())) {
                missingDb.add(e.getKey());
            }
        }
        List<String> missingGlobal = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : needGlobal.entrySet()) {
            if (!has(global, e.getValue())) {
                missingGlobal.add(e.getKey());
            }
        }
        if (missingDb.isEmpty() && missingGlobal.isEmpty()) {
            return CheckResult.pass(item, "user " + user + " has " + String.join(", ", needDb.keySet())
                    + (db == null ? "" : " on " + db) + (needGlobal.isEmpty() ? "" : " and " + String.join(", ", needGlobal.keySet())));
        }
        List<String> lacks = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        String grantee = grantee(user);
        if (!missingDb.isEmpty()) {
            lacks.add(String.join(", ", missingDb) + " on database " + db);
            fixes.add("GRANT " + String.join(", ", missingDb) + " ON " + MySqlDdl.q(db == null ? "*" : db) + ".* TO " + grantee + ";");
        }
        if (!missingGlobal.isEmpty()) {
            lacks.add(String.join(", ", missingGlobal) + " (global, needed by the incremental step to read the binlog)");
            fixes.add("GRANT " + String.join(", ", missingGlobal) + " ON *.* TO " + grantee + ";");
        }
        String detail = "user " + user + " lacks " + String.join("; ", lacks)
                + (roles ? " (privileges granted through roles are not counted; grant them directly)" : "");
        return CheckResult.fail(item, detail, "as an administrator run: " + String.join(" ", fixes));
    }

    private static String grantee(String currentUser) {
        int at = currentUser == null ? -1 : currentUser.lastIndexOf('@');
        if (at < 0) {
            return "'" + currentUser + "'";
        }
        return "'" + currentUser.substring(0, at) + "'@'" + currentUser.substring(at + 1) + "'";
    }

    private static boolean has(Set<String> granted, List<String> accepted) {
        if (granted.contains("ALL PRIVILEGES") || granted.contains("ALL")) {
            return true;
        }
        for (String a : accepted) {
            if (granted.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The privileges of a GRANT line; column-level ones ("SELECT (`a`)") are left out. */
    static Set<String> splitPrivileges(String list) {
        Set<String> out = new LinkedHashSet<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        boolean column = false;
        for (int i = 0; i <= list.length(); i++) {
            char ch = i == list.length() ? ',' : list.charAt(i);
            if (ch == '(') {
                depth++;
                column = true;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                String p = cur.toString().trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
                if (!p.isEmpty() && !column) {
                    out.add(p);
                }
                cur.setLength(0);
                column = false;
                continue;
            }
            if (depth == 0 && ch != ')') {
                cur.append(ch);
            }
        }
        return out;
    }

    /** Whether a grant's database part (`db`, `db\_%`, db) covers the database. */
    static boolean databaseMatches(String quoted, String db) {
        String pattern = quoted;
        if (pattern.length() >= 2 && (pattern.startsWith("`") && pattern.endsWith("`"))) {
            pattern = pattern.substring(1, pattern.length() - 1).replace("``", "`");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (ch == '%') {
                re.append(".*");
            } else if (ch == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(db).matches();
    }

    // ------------------------------------------------------------ server settings

    private static String variable(Connection c, String expr) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + expr)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static boolean on(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("ON") || v.equalsIgnoreCase("TRUE"));
    }

    private static List<CheckResult> binlog(Connection c, String p, String version) {
        List<CheckResult> out = new ArrayList<>();
        boolean ob = isOceanBase(version);
        String logBin = variable(c, "@@GLOBAL.log_bin");
        if (logBin == null) {
            out.add(CheckResult.warn(p + "log_bin", "the server does not report log_bin",
                    ob ? "make sure the OceanBase binlog service is enabled for this tenant"
                       : "make sure the binary log is enabled (log_bin) in the server configuration"));
        } else if (on(logBin)) {
            out.add(CheckResult.pass(p + "log_bin", "the binary log is on"));
        } else {
            out.add(CheckResult.fail(p + "log_bin", "the binary log is off; the incremental step reads changes from it",
                    "set log_bin (e.g. log-bin=mysql-bin) and a server_id in the server configuration and restart"));
        }
        String format = variable(c, "@@GLOBAL.binlog_format");
        if (format == null) {
            out.add(CheckResult.warn(p + "binlog_format", "the server does not report binlog_format",
                    "make sure the binlog is written in ROW format"));
        } else if (format.equalsIgnoreCase("ROW")) {
            out.add(CheckResult.pass(p + "binlog_format", "binlog_format is ROW"));
        } else {
            out.add(CheckResult.fail(p + "binlog_format", "binlog_format is " + format
                    + "; the incremental step needs row images of every change",
                    "set binlog_format=ROW in the server configuration and restart"));
        }
        String image = variable(c, "@@GLOBAL.binlog_row_image");
        if (image == null) {
            out.add(CheckResult.warn(p + "binlog_row_image", "the server does not report binlog_row_image",
                    "make sure the binlog holds full row images (binlog_row_image=FULL)"));
        } else if (image.equalsIgnoreCase("FULL")) {
            out.add(CheckResult.pass(p + "binlog_row_image", "binlog_row_image is FULL"));
        } else {
            out.add(CheckResult.fail(p + "binlog_row_image", "binlog_row_image is " + image
                    + "; the incremental step needs every column of changed rows",
                    "set binlog_row_image=FULL in the server configuration and restart"));
        }
        return out;
    }

    private static CheckResult timeZone(Connection c, String item) {
        String global = variable(c, "@@GLOBAL.time_zone");
        String system = variable(c, "@@system_time_zone");
        String effective = global == null || global.equalsIgnoreCase("SYSTEM") ? system : global;
        if (effective == null) {
            return CheckResult.warn(item, "the server's time zone cannot be read",
                    "check the server's time zone; Tideway reads and writes in UTC");
        }
        if (UTC.contains(effective.trim().toUpperCase(Locale.ROOT))) {
            return CheckResult.pass(item, "the server's time zone is " + effective);
        }
        return CheckResult.warn(item, "the server's time zone is " + effective + " (time_zone=" + global
                + "), not UTC; Tideway's sessions read and write TIMESTAMP values in UTC, so they are copied correctly,"
                + " but DATETIME values written by applications as local time stay in that local time",
                "nothing is required; to avoid surprises set default_time_zone='+00:00' in the server configuration");
    }

    private static CheckResult lowerCaseNames(Connection c, String item) {
        String v = variable(c, "@@lower_case_table_names");
        if (v == null || v.equals("0")) {
            return CheckResult.pass(item, "lower_case_table_names is " + (v == null ? "unknown" : "0 (names are case-sensitive)"));
        }
        String effect = v.equals("1") ? "table and database names are stored in lower case and compared case-insensitively"
                : "table and database names are stored as given but compared in lower case";
        return CheckResult.warn(item, "lower_case_table_names is " + v + ": " + effect
                + "; tables whose names differ only in case collide, and mixed-case names may not be kept",
                "rename tables whose names differ only by case (or map them to new names in the project),"
                        + " or use a server with lower_case_table_names=0");
    }

    private static CheckResult localInfile(Connection c, String item) {
        String v = variable(c, "@@GLOBAL.local_infile");
        if (v == null || on(v)) {
            return CheckResult.pass(item, "local_infile is " + (v == null ? "not reported" : "ON") + ": rows load with LOAD DATA LOCAL INFILE");
        }
        return CheckResult.warn(item, "local_infile is OFF: the full copy falls back to batched INSERT, several times slower",
                "SET GLOBAL local_infile = ON (and local_infile=1 in the server configuration to keep it)");
    }
}

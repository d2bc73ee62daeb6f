package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads table definitions from information_schema. */
final class MySqlCatalog implements Catalog {
    private static final Set<String> SYSTEM_SCHEMAS = Set.of(
            "mysql", "information_schema", "performance_schema", "sys", "oceanbase", "__recyclebin", "__public");
    private static final Pattern CURRENT_TIMESTAMP =
            Pattern.compile("(?i)(current_timestamp|now|localtimestamp|localtime)(\\(\\s*\\d*\\s*\\))?");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern BIT_LITERAL = Pattern.compile("(?i)b'([01]*)'");
    private static final Pattern JSON_VALID = Pattern.compile("(?i)json_valid\\(`((?:[^`]|``)+)`\\)");

    /** What readTables found but does not carry (generated expressions, ON UPDATE, some indexes), by table. */
    private final Map<TableId, List<String>> notCarried = new java.util.concurrent.ConcurrentHashMap<>();

    MySqlCatalog() { }

    @Override
    public String defaultSchema(DataSourceConfig cfg) {
        return cfg.database();
    }

    @Override
    public List<Table> readTables(Connection c, String schema, Predicate<TableId> filter) throws SQLException {
        return readTables(c, schema, filter, notCarried);
    }

    @Override
    public Map<String, Long> zeroDateCounts(Connection c, Table t) throws SQLException {
        return MySqlRows.zeroDateCounts(c, t);
    }

    @Override
    public boolean hasRows(Connection c, TableId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + MySqlDdl.q(id) + " LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            throw MySqlErrors.orRethrow(e, id);
        }
    }

    @Override
    public List<String> listSchemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String s = rs.getString(1);
                if (!SYSTEM_SCHEMAS.contains(s.toLowerCase(Locale.ROOT))) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private record TableRow(TableId id, long rows, long bytes, String comment, String collation) { }

    /**
     * Reads the tables; what they hold that Tideway does not carry (generated columns' expressions,
     * ON UPDATE clauses, full-text, spatial and functional indexes) goes to {@code notCarried}, by table.
     */
    static List<Table> readTables(Connection c, String schema, Predicate<TableId> filter,
            Map<TableId, List<String>> notCarried) throws SQLException {
        boolean maria = MySqlPrecheck.isMariaDb(MySqlPrecheck.version(c));
        Map<String, TableRow> tables = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH, TABLE_COMMENT, TABLE_COLLATION"
                + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId id = new TableId(schema, rs.getString(1));
                    if (filter == null || filter.test(id)) {
                        tables.put(id.table(), new TableRow(id, rs.getLong(2), rs.getLong(3), emptyToNull(rs.getString(4)),
                                emptyToNull(rs.getString(5))));
                    }
                }
            }
        }
        if (tables.isEmpty()) {
            return List.of();
        }
        Map<String, Set<String>> jsonColumns = maria ? jsonColumns(c, schema) : Map.of();
        Map<String, List<Column>> columns = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE,"
                + " CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, COLUMN_TYPE, EXTRA,"
                + " COLUMN_COMMENT, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
                + " ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (!tables.containsKey(table)) {
                        continue;
                    }
                    String name = rs.getString(2);
                    String def = rs.getString(3);
                    boolean nullable = "YES".equalsIgnoreCase(rs.getString(4));
                    String extra = rs.getString(11) == null ? "" : rs.getString(11).toLowerCase(Locale.ROOT);
                    boolean json = jsonColumns.getOrDefault(table, Set.of()).contains(name);
                    ColumnType type = MySqlTypes.fromCatalog(rs.getString(5), rs.getString(10), rs.getLong(6), rs.getLong(7),
                            rs.getLong(8), rs.getLong(9), json);
                    if (carriesCollation(type.kind())) {
                        type = type.withCollation(emptyToNull(rs.getString(13)));
                    }
                    ColumnDefault d = maria ? mariaDbDefault(def, type) : mySqlDefault(def, extra, type);
                    TableId tid = tables.get(table).id();
                    if (extra.contains("generated") && !extra.contains("default_generated")) {
                        notCarried.computeIfAbsent(tid, k -> new ArrayList<>()).add("generated column " + name + " ("
                                + extra.trim() + ") is created as a plain column holding the copied values; its"
                                + " expression is not carried");
                        d = null;
                    }
                    if (extra.contains("on update")) {
                        notCarried.computeIfAbsent(tid, k -> new ArrayList<>()).add("the ON UPDATE clause of column " + name
                                + " is not carried (the destination does not change the column on updates)");
                    }
                    columns.computeIfAbsent(table, k -> new ArrayList<>()).add(new Column(name, type, nullable, d,
                            extra.contains("auto_increment"), emptyToNull(rs.getString(12))));
                }
            }
        }
        Map<String, Map<String, List<String>>> indexColumns = new HashMap<>();
        Map<String, Map<String, Boolean>> indexUnique = new HashMap<>();
        Map<String, Map<String, String>> skipped = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, INDEX_TYPE"
                + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    String type = rs.getString(5) == null ? "" : rs.getString(5).toUpperCase(Locale.ROOT);
                    if (!tables.containsKey(table)) {
                        continue;
                    }
                    if (rs.getString(4) == null || type.equals("FULLTEXT") || type.equals("SPATIAL")) {
                        // functional key parts, full-text and spatial indexes are not carried: the whole index is left out
                        skipped.computeIfAbsent(table, k -> new LinkedHashMap<>()).put(rs.getString(2),
                                rs.getString(4) == null ? "functional" : type.toLowerCase(Locale.ROOT));
                        continue;
                    }
                    indexColumns.computeIfAbsent(table, k -> new LinkedHashMap<>())
                            .computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(4));
                    indexUnique.computeIfAbsent(table, k -> new HashMap<>()).put(rs.getString(2), rs.getInt(3) == 0);
                }
            }
        }
        List<Table> out = new ArrayList<>();
        for (TableRow tr : tables.values()) {
            String name = tr.id().table();
            List<String> pk = List.of();
            List<Index> indexes = new ArrayList<>();
            Map<String, String> left = skipped.getOrDefault(name, Map.of());
            left.forEach((index, why) -> notCarried.computeIfAbsent(tr.id(), k -> new ArrayList<>())
                    .add(why + " index " + index + " is not carried; create it on the destination by hand"));
            for (Map.Entry<String, List<String>> e : indexColumns.getOrDefault(name, Map.of()).entrySet()) {
                if (left.containsKey(e.getKey())) {
                    continue; // one of its parts is functional: do not create it with fewer columns
                }
                if (e.getKey().equals("PRIMARY")) {
                    pk = e.getValue();
                } else {
                    indexes.add(new Index(e.getKey(), e.getValue(), indexUnique.get(name).get(e.getKey())));
                }
            }
            out.add(new Table(tr.id(), columns.getOrDefault(name, List.of()), pk, indexes, tr.comment(), tr.rows(), tr.bytes(),
                    tr.collation()));
        }
        return out;
    }

    /** Kinds whose collation (and with it the character set) is carried: text, ENUM and SET, not JSON. */
    static boolean carriesCollation(Kind k) {
        return k == Kind.CHAR || k == Kind.VARCHAR || k == Kind.TEXT || k == Kind.ENUM || k == Kind.SET;
    }

    /** MariaDB stores JSON as longtext with a json_valid(`col`) check. */
    private static Map<String, Set<String>> jsonColumns(Connection c, String schema) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Matcher m = JSON_VALID.matcher(rs.getString(2).trim());
                    if (m.matches()) {
                        out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(m.group(1).replace("``", "`"));
                    }
                }
            }
        } catch (SQLException e) {
            return Map.of(); // servers without CHECK_CONSTRAINTS
        }
        return out;
    }

    /** MariaDB (10.2.7+) shows COLUMN_DEFAULT as SQL: 'text', 123, NULL, current_timestamp(), expressions. */
    static ColumnDefault mariaDbDefault(String def, ColumnType type) {
        if (def == null || def.equalsIgnoreCase("NULL")) {
            return null;
        }
        if (def.length() >= 2 && def.startsWith("'") && def.endsWith("'")) {
            return ColumnDefault.literal(canonicalLiteral(unquote(def.substring(1, def.length() - 1)), type));
        }
        if (CURRENT_TIMESTAMP.matcher(def).matches()) {
            return ColumnDefault.currentTimestamp();
        }
        if (NUMBER.matcher(def).matches()) {
            return ColumnDefault.literal(canonicalLiteral(def, type));
        }
        Matcher b = BIT_LITERAL.matcher(def);
        if (b.matches()) {
            return ColumnDefault.literal(canonicalLiteral(b.group(1), type));
        }
        return ColumnDefault.expression(def);
    }

    /** MySQL shows COLUMN_DEFAULT as the bare value; expressions are marked DEFAULT_GENERATED in EXTRA. */
    static ColumnDefault mySqlDefault(String def, String extra, ColumnType type) {
        if (def == null) {
            return null;
        }
        if (CURRENT_TIMESTAMP.matcher(def).matches()) {
            return ColumnDefault.currentTimestamp();
        }
        if (extra.contains("default_generated")) {
            return ColumnDefault.expression(def);
        }
        Matcher b = BIT_LITERAL.matcher(def);
        if (type.kind() == Kind.BIT && b.matches()) {
            return ColumnDefault.literal(canonicalLiteral(b.group(1), type));
        }
        return ColumnDefault.literal(canonicalLiteral(def, type));
    }

    private static String unquote(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                sb.append('\'');
                i++;
            } else if (ch == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    case 'Z' -> '\u001a';
                    default -> n;
                });
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** A literal in the canonical text form of its column's kind. */
    private static String canonicalLiteral(String v, ColumnType type) {
        return switch (type.kind()) {
            case BOOLEAN -> v.equals("0") ? "false" : NUMBER.matcher(v).matches() ? "true" : v;
            case BIT -> {
                String bits = v.matches("[01]+") ? v : v.matches("\\d+") ? new java.math.BigInteger(v).toString(2) : v;
                yield bits.length() < type.length() ? "0".repeat(type.length() - bits.length()) + bits : bits;
            }
            case DATETIME, TIMESTAMP -> MySqlValues.trimFraction(v);
            case TIME -> MySqlValues.time(v);
            default -> v;
        };
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public List<String> unsupportedColumns(Table t) {
        List<String> out = new ArrayList<>();
        for (Column col : t.columns()) {
            if (col.type().kind() == Kind.OTHER) {
                out.add("column " + col.name() + ": type " + col.type() + " has no neutral equivalent; it is copied only to"
                        + " another MySQL-family database");
            }
        }
        out.addAll(notCarried.getOrDefault(t.id(), List.of()));
        return out;
    }
}

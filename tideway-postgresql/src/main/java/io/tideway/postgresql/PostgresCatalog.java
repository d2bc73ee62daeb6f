package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.Catalog;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads table definitions from pg_catalog. */
final class PostgresCatalog implements Catalog {
    /** What readTables found but could not carry (expression indexes, generated columns), by table. */
    private final Map<TableId, List<String>> unsupported = new ConcurrentHashMap<>();
    /** The extensions the column types of the tables readTables found come from, by table (column -> extension). */
    private final Map<TableId, Map<String, String>> extensions = new ConcurrentHashMap<>();

    PostgresCatalog() { }

    @Override
    public String defaultSchema(DataSourceConfig cfg) {
        return "public";
    }

    @Override
    public List<Table> readTables(Connection c, String schema, Predicate<TableId> filter) throws SQLException {
        List<Table> out = new ArrayList<>();
        for (Read r : read(c, schema, filter)) {
            unsupported.put(r.table().id(), r.unsupported());
            extensions.put(r.table().id(), r.extensions());
            out.add(r.table());
        }
        return out;
    }

    /**
     * Columns with no neutral equivalent (OTHER, carried between PostgreSQL databases only), and,
     * for tables read by this catalog, generated columns and indexes that are not carried
     * (expression, partial, non-btree).
     */
    @Override
    public List<String> unsupportedColumns(Table t) {
        List<String> known = unsupported.get(t.id());
        if (known != null) {
            return known;
        }
        return t.columns().stream().map(PostgresTypes::unsupportedReason).filter(r -> r != null).toList();
    }

    /** Columns whose types come from an extension (citext, hstore, ltree, isn's isbn, their arrays, ...), for tables read here. */
    @Override
    public Map<String, String> columnExtensions(Table t) {
        return extensions.getOrDefault(t.id(), Map.of());
    }

    @Override
    public boolean hasRows(Connection c, TableId id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + PostgresDdl.q(id) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * A table read, with what of it could not be carried (expression or partial indexes, ...), and the
     * extensions its columns' types come from (column -> extension).
     */
    record Read(Table table, List<String> unsupported, Map<String, String> extensions) { }

    private static final String TABLES = """
            SELECT c.oid, c.relname, obj_description(c.oid, 'pg_class'),
                   CASE WHEN c.reltuples < 0 THEN 0 ELSE c.reltuples::bigint END,
                   CASE WHEN c.relkind = 'p' THEN 0 ELSE pg_table_size(c.oid) END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY c.relname""";

    private static final String COLUMNS = """
            SELECT a.attrelid, a.attname, format_type(bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, %s,
                   col_description(a.attrelid, a.attnum), bt.typname, bt.typtype,
                   CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
                   bt.oid, et.typname, et.typtype, et.oid,
                   (SELECT x.extname FROM pg_depend dep JOIN pg_extension x ON x.oid = dep.refobjid
                    WHERE dep.classid = 'pg_type'::regclass AND dep.objid = coalesce(et.oid, bt.oid)
                      AND dep.refclassid = 'pg_extension'::regclass AND dep.deptype = 'e' LIMIT 1)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum""";

    private static final String INDEXES = """
            SELECT x.indrelid, i.relname, x.indisprimary, x.indisunique, x.indexprs IS NOT NULL, x.indpred IS NOT NULL,
                   am.amname,
                   ARRAY(SELECT a.attname FROM generate_series(0, x.indnkeyatts - 1) s
                         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[s] ORDER BY s),
                   x.indnkeyatts
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_am am ON am.oid = i.relam
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p')
            ORDER BY x.indrelid, x.indisprimary DESC, i.relname""";

    static List<Read> read(Connection c, String schema, Predicate<TableId> filter) throws SQLException {
        Map<Long, TableId> ids = new LinkedHashMap<>();
        Map<Long, String[]> meta = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(TABLES)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TableId id = new TableId(schema, rs.getString(2));
                    if (filter.test(id)) {
                        ids.put(rs.getLong(1), id);
                        meta.put(rs.getLong(1), new String[] {rs.getString(3), rs.getString(4), rs.getString(5)});
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, List<String>> enumLabels = new HashMap<>();
        Map<Long, List<Column>> columns = new HashMap<>();
        Map<Long, List<String>> unsupported = new HashMap<>();
        Map<Long, Map<String, String>> extensions = new HashMap<>();
        boolean hasGenerated = c.getMetaData().getDatabaseMajorVersion() >= 12;
        try (PreparedStatement ps = c.prepareStatement(String.format(COLUMNS, hasGenerated ? "a.attgenerated" : "''"))) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rel = rs.getLong(1);
                    if (!ids.containsKey(rel)) {
                        continue;
                    }
                    String name = rs.getString(2);
                    String nativeType = rs.getString(3);
                    boolean notNull = rs.getBoolean(4);
                    String def = rs.getString(5);
                    String identity = rs.getString(6);
                    String generated = rs.getString(7);
                    String comment = rs.getString(8);
                    String typname = rs.getString(9);
                    String typtype = rs.getString(10);
                    int typmod = rs.getInt(11);
                    long typOid = rs.getLong(12);
                    String elemName = rs.getString(13);
                    String elemType = rs.getString(14);
                    long elemOid = rs.getLong(15);
                    String extension = rs.getString(16);
                    if (extension != null) {
                        extensions.computeIfAbsent(rel, k -> new LinkedHashMap<>()).put(name, extension);
                    }
                    ColumnType type;
                    if (elemName != null) {
                        List<String> labels = "e".equals(elemType) ? labels(c, elemOid, enumLabels) : List.of();
                        ColumnType element = PostgresTypes.toNeutral(elemName, elemType, typmod, labels,
                                nativeType.endsWith("[]") ? nativeType.substring(0, nativeType.indexOf('[')) : nativeType);
                        type = ColumnType.array(element, nativeType);
                    } else {
                        List<String> labels = "e".equals(typtype) ? labels(c, typOid, enumLabels) : List.of();
                        type = PostgresTypes.toNeutral(typname, typtype, typmod, labels, nativeType);
                    }
                    boolean auto = identity != null && !identity.isEmpty();
                    ColumnDefault cd = null;
                    if (generated != null && !generated.isEmpty()) {
                        unsupported.computeIfAbsent(rel, k -> new ArrayList<>()).add("generated column " + name
                                + ": its expression (" + def + ") is not carried; the values are copied into a plain column");
                    } else if (def != null) {
                        if (def.startsWith("nextval(")) {
                            auto = true;
                        } else {
                            cd = parseDefault(def);
                        }
                    }
                    Column col = new Column(name, type, !notNull, cd, auto, comment);
                    columns.computeIfAbsent(rel, k -> new ArrayList<>()).add(col);
                    String reason = PostgresTypes.unsupportedReason(col);
                    if (reason != null) {
                        unsupported.computeIfAbsent(rel, k -> new ArrayList<>()).add(reason);
                    }
                }
            }
        }
        Map<Long, List<String>> pks = new HashMap<>();
        Map<Long, List<Index>> indexes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(INDEXES)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rel = rs.getLong(1);
                    if (!ids.containsKey(rel)) {
                        continue;
                    }
                    String name = rs.getString(2);
                    boolean primary = rs.getBoolean(3);
                    boolean unique = rs.getBoolean(4);
                    boolean expr = rs.getBoolean(5);
                    boolean partial = rs.getBoolean(6);
                    String am = rs.getString(7);
                    Array arr = rs.getArray(8);
                    List<String> cols = Arrays.asList((String[]) arr.getArray());
                    int nkey = rs.getInt(9);
                    String skip = null;
                    if (expr || cols.size() != nkey) {
                        skip = "an expression index";
                    } else if (partial) {
                        skip = "a partial index (WHERE ...)";
                    } else if (!"btree".equals(am) && !primary) {
                        skip = "a " + am + " index";
                    }
                    if (skip != null) {
                        unsupported.computeIfAbsent(rel, k -> new ArrayList<>()).add("index " + name + " on "
                                + ids.get(rel) + " is " + skip + " and is not carried; create it on the destination by hand");
                        continue;
                    }
                    if (primary) {
                        pks.put(rel, cols);
                    } else {
                        indexes.computeIfAbsent(rel, k -> new ArrayList<>()).add(new Index(name, cols, unique));
                    }
                }
            }
        }
        List<Read> out = new ArrayList<>();
        for (Map.Entry<Long, TableId> e : ids.entrySet()) {
            long rel = e.getKey();
            String[] m = meta.get(rel);
            Table t = new Table(e.getValue(), columns.getOrDefault(rel, List.of()), pks.getOrDefault(rel, List.of()),
                    indexes.getOrDefault(rel, List.of()), m[0], Long.parseLong(m[1]), Long.parseLong(m[2]));
            out.add(new Read(t, unsupported.getOrDefault(rel, List.of()), extensions.getOrDefault(rel, Map.of())));
        }
        return out;
    }

    private static List<String> labels(Connection c, long typeOid, Map<Long, List<String>> cache) throws SQLException {
        List<String> l = cache.get(typeOid);
        if (l != null) {
            return l;
        }
        l = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder")) {
            ps.setLong(1, typeOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    l.add(rs.getString(1));
                }
            }
        }
        cache.put(typeOid, l);
        return l;
    }

    private static final Pattern QUOTED = Pattern.compile("^'((?:[^']|'')*)'(?:::[\\w .\"\\[\\]()]+)?$");
    private static final Pattern NUMBER = Pattern.compile("^\\(?(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)\\)?(?:::[\\w .\"()]+)?$");

    /** A pg_get_expr default as a neutral default. */
    static ColumnDefault parseDefault(String def) {
        String d = def.trim();
        if (d.regionMatches(true, 0, "NULL", 0, 4) && (d.length() == 4 || d.startsWith("::", 4))) {
            return null;
        }
        Matcher m = QUOTED.matcher(d);
        if (m.matches()) {
            return ColumnDefault.literal(m.group(1).replace("''", "'"));
        }
        m = NUMBER.matcher(d);
        if (m.matches()) {
            return ColumnDefault.literal(m.group(1));
        }
        if (d.equals("true") || d.equals("false")) {
            return ColumnDefault.literal(d);
        }
        String l = d.toLowerCase();
        if (l.equals("now()") || l.equals("current_timestamp") || l.startsWith("current_timestamp(")
                || l.equals("transaction_timestamp()") || l.equals("localtimestamp")) {
            return ColumnDefault.currentTimestamp();
        }
        return ColumnDefault.expression(d);
    }

    /** The unqualified, unquoted name of a type from format_type's spelling ("s.\"My Type\"[]" -> My Type). */
    static String bareTypeName(String formatted) {
        String s = formatted;
        while (s.endsWith("[]")) {
            s = s.substring(0, s.length() - 2);
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (q) {
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        q = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                q = true;
            } else if (ch == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts.add(cur.toString());
        return parts.get(parts.size() - 1);
    }

    /** Number of array dimensions in format_type's spelling ("integer[]" -> 1). */
    static int arrayDims(String formatted) {
        int n = 0;
        String s = formatted;
        while (s.endsWith("[]")) {
            n++;
            s = s.substring(0, s.length() - 2);
        }
        return n;
    }

    static boolean isEnumColumn(Column c) {
        ColumnType t = c.type();
        return t.kind() == Kind.ENUM || (t.kind() == Kind.ARRAY && t.element() != null && t.element().kind() == Kind.ENUM);
    }

    /** The schemas of the connected database other than PostgreSQL's own (catalog, information schema, toast, temp). */
    @Override
    public List<String> listSchemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
                        + "AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%' ORDER BY nspname")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * The extensions of {@code names} not created in the connected database, each with its CREATE
     * EXTENSION; one the server does not even offer (pg_available_extensions) says so.
     */
    @Override
    public Map<String, String> missingExtensions(Connection c, Set<String> names) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        for (String name : names) {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = ?),"
                    + " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = ?)")) {
                ps.setString(1, name);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        out.put(name, "CREATE EXTENSION " + quoteIfNeeded(name) + (rs.getBoolean(2) ? ""
                                : " (the server does not offer it yet: install the package that provides it first)"));
                    }
                }
            }
        }
        return out;
    }

    /** An identifier as PostgreSQL needs it written: bare when it is lower case letters, digits and _. */
    private static String quoteIfNeeded(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_]*") ? identifier : PostgresDdl.q(identifier);
    }
}

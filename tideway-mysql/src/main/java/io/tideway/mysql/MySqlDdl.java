package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Index;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.SchemaWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** CREATE TABLE, indexes and the other DDL of the MySQL family. */
final class MySqlDdl implements SchemaWriter {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    MySqlDdl() { }

    static String q(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    static String q(TableId id) {
        return q(id.schema()) + "." + q(id.table());
    }

    /** A string literal for DDL (defaults, comments, labels), where parameters cannot be used. */
    static String stringLiteral(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 2).append('\'');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\'' -> sb.append("''");
                case '\\' -> sb.append("\\\\");
                case '\0' -> sb.append("\\0");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\u001a' -> sb.append("\\Z");
                default -> sb.append(ch);
            }
        }
        return sb.append('\'').toString();
    }

    static List<String> createSchema(String schema) {
        return List.of("CREATE DATABASE IF NOT EXISTS " + q(schema) + " CHARACTER SET utf8mb4");
    }

    static CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily, boolean nativeUuid) {
        boolean same = MySqlPlugin.FAMILY.equals(sourceFamily);
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> keyColumns = keyColumns(t);
        StringBuilder sb = new StringBuilder("CREATE TABLE ").append(q(t.id())).append(" (\n");
        String autoColumn = autoIncrementColumn(t);
        boolean first = true;
        for (Column c : t.columns()) {
            if (c.autoIncrement() && canAutoIncrement(c) && !c.name().equals(autoColumn)) {
                // the MySQL family allows one AUTO_INCREMENT column per table (PostgreSQL any number of serials)
                warnings.add("column " + c.name() + ": " + c.type() + " becomes a plain integer without AUTO_INCREMENT ("
                        + "one column per table may have it, and " + autoColumn + " keeps it); its values are copied,"
                        + " and rows inserted on the destination must give it a value");
                c = new Column(c.name(), c.type(), c.nullable(), c.defaultValue(), false, c.comment());
            }
            String def = columnDefinition(c, keyColumns.contains(c.name()), same, nativeUuid, problems, warnings);
            if (def == null) {
                continue;
            }
            if (!first) {
                sb.append(",\n");
            }
            first = false;
            sb.append("  ").append(def);
        }
        List<String> pk = t.primaryKey();
        if (!pk.isEmpty()) {
            sb.append(",\n  PRIMARY KEY (").append(keyParts(t, pk)).append(')');
        }
        if (autoColumn != null && (pk.isEmpty() || !pk.get(0).equals(autoColumn))) {
            // MySQL wants an auto-increment column to lead some index
            sb.append(",\n  KEY ").append(q(shorten("tideway_auto_" + autoColumn))).append(" (").append(q(autoColumn)).append(')');
        }
        // the collation names its character set: between MySQL-family databases the table's own is kept
        sb.append("\n) ENGINE=InnoDB ").append(same && isName(t.collation()) ? "DEFAULT COLLATE=" + t.collation() : "DEFAULT CHARSET=utf8mb4");
        if (t.comment() != null && !t.comment().isEmpty()) {
            sb.append(" COMMENT=").append(stringLiteral(t.comment()));
        }
        if (!problems.isEmpty()) {
            return new CreateTablePlan(List.of(), problems, warnings);
        }
        return new CreateTablePlan(List.of(sb.toString()), problems, warnings);
    }

    /**
     * One column's definition as CREATE TABLE writes it ("`name` type NULL DEFAULT .. AUTO_INCREMENT
     * COMMENT .."), or null with a problem added when its type has no equivalent.
     *
     * @param keyColumn part of the primary key or a unique key (text then compares binary, long text is shortened)
     */
    static String columnDefinition(Column c, boolean keyColumn, boolean same, boolean nativeUuid, List<String> problems,
                                   List<String> warnings) {
        String type;
        if (same && c.type().nativeType() != null && !c.type().nativeType().isBlank()) {
            type = c.type().nativeType();
            if (isName(c.type().collation()) && MySqlCatalog.carriesCollation(c.type().kind())) {
                type += " COLLATE " + c.type().collation();   // names the character set too
            }
        } else {
            type = MySqlTypes.toNative(c, keyColumn, nativeUuid, problems, warnings);
            if (type == null) {
                return null;
            }
            if (keyColumn && isTextKind(c.type().kind())) {
                type += " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
            }
        }
        StringBuilder sb = new StringBuilder(q(c.name())).append(' ').append(type);
        sb.append(c.nullable() ? " NULL" : " NOT NULL");
        String def = defaultClause(c, same, warnings);
        if (def != null) {
            sb.append(" DEFAULT ").append(def);
        }
        if (c.autoIncrement()) {
            if (canAutoIncrement(c)) {
                sb.append(" AUTO_INCREMENT");
            } else {
                warnings.add("column " + c.name() + ": auto-increment dropped, type " + c.type() + " cannot auto-increment");
            }
        }
        if (c.comment() != null && !c.comment().isEmpty()) {
            sb.append(" COMMENT ").append(stringLiteral(c.comment()));
        }
        return sb.toString();
    }

    /**
     * The column that keeps AUTO_INCREMENT when the source has several (PostgreSQL serials): the
     * first primary key column that has it, else the first column that has it; null for none.
     */
    static String autoIncrementColumn(Table t) {
        for (String k : t.primaryKey()) {
            Column c = t.column(k).orElseThrow();
            if (c.autoIncrement() && canAutoIncrement(c)) {
                return k;
            }
        }
        return t.columns().stream().filter(c -> c.autoIncrement() && canAutoIncrement(c)).map(Column::name).findFirst().orElse(null);
    }

    /** Whether a collation name from a catalog can be written as it is (they are all letters, digits and '_'). */
    private static boolean isName(String collation) {
        return collation != null && collation.matches("[A-Za-z0-9_]+");
    }

    private static boolean canAutoIncrement(Column c) {
        return c.type().isInteger() || c.type().kind() == Kind.DECIMAL || c.type().kind() == Kind.FLOAT64;
    }

    /** The key columns of a table: its primary key and the columns of its unique keys. */
    static Set<String> keyColumns(Table t) {
        Set<String> keyColumns = new HashSet<>(t.primaryKey());
        for (Index ix : t.indexes()) {
            if (ix.unique()) {
                keyColumns.addAll(ix.columns());
            }
        }
        return keyColumns;
    }

    private static boolean isTextKind(Kind k) {
        return k == Kind.CHAR || k == Kind.VARCHAR || k == Kind.TEXT;
    }

    private static String shorten(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    /** The SQL after DEFAULT, or null for none. */
    static String defaultClause(Column c, boolean sameFamily, List<String> warnings) {
        ColumnDefault d = c.defaultValue();
        if (d == null) {
            return null;
        }
        Kind k = c.type().kind();
        switch (d.kind()) {
            case CURRENT_TIMESTAMP -> {
                if (k == Kind.DATETIME || k == Kind.TIMESTAMP) {
                    int p = Math.min(6, Math.max(0, c.type().precision()));
                    return p == 0 ? "CURRENT_TIMESTAMP" : "CURRENT_TIMESTAMP(" + p + ")";
                }
                if (sameFamily) {
                    return "(CURRENT_TIMESTAMP)";
                }
                warnings.add("column " + c.name() + ": default CURRENT_TIMESTAMP dropped, the type " + c.type() + " cannot hold it");
                return null;
            }
            case EXPRESSION -> {
                if (sameFamily) {
                    return "(" + d.value() + ")";
                }
                warnings.add("column " + c.name() + ": default expression " + d.value() + " dropped (it is the source's own SQL)");
                return null;
            }
            default -> {
                return literal(k, d.value());
            }
        }
    }

    /** A literal default in SQL from its canonical text form. */
    static String literal(Kind k, String v) {
        if (v == null) {
            return "NULL";
        }
        switch (k) {
            case BOOLEAN -> {
                String s = v.trim().toLowerCase(Locale.ROOT);
                if (s.equals("true") || s.equals("t") || s.equals("1") || s.equals("yes") || s.equals("on")) {
                    return "1";
                }
                if (s.equals("false") || s.equals("f") || s.equals("0") || s.equals("no") || s.equals("off")) {
                    return "0";
                }
                return NUMBER.matcher(s).matches() ? s : stringLiteral(v);
            }
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, DECIMAL, FLOAT32, FLOAT64, YEAR -> {
                return NUMBER.matcher(v.trim()).matches() ? v.trim() : stringLiteral(v);
            }
            case BIT -> {
                return v.matches("[01]+") ? "b'" + v + "'" : stringLiteral(v);
            }
            default -> {
                return stringLiteral(v);
            }
        }
    }

    /** The column list of a key or index, with prefix lengths where a column type needs one. */
    static String keyParts(Table t, List<String> columns) {
        int[] bytes = new int[columns.size()];
        boolean[] prefixable = new boolean[columns.size()];
        int fixed = 0;
        int flexible = 0;
        for (int i = 0; i < columns.size(); i++) {
            ColumnType ct = t.column(columns.get(i)).map(Column::type).orElse(null);
            bytes[i] = ct == null ? 8 : indexBytes(ct);
            prefixable[i] = ct != null && isPrefixable(ct);
            if (bytes[i] < 0) {
                flexible++;
            } else {
                fixed += bytes[i];
            }
        }
        if (fixed > MySqlTypes.KEY_BYTES) {
            // long varchar/varbinary columns are shortened to prefixes as well
            fixed = 0;
            flexible = 0;
            for (int i = 0; i < columns.size(); i++) {
                if (prefixable[i] && bytes[i] > 64) {
                    bytes[i] = -1;
                }
                if (bytes[i] < 0) {
                    flexible++;
                } else {
                    fixed += bytes[i];
                }
            }
        }
        int budget = flexible == 0 ? 0 : Math.max(4, (MySqlTypes.KEY_BYTES - fixed) / flexible);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(q(columns.get(i)));
            if (bytes[i] < 0) {
                ColumnType ct = t.column(columns.get(i)).orElseThrow().type();
                int prefix = ct.isBinary() ? budget : Math.max(1, budget / 4);
                prefix = Math.min(prefix, ct.isBinary() ? MySqlTypes.KEY_BYTES : MySqlTypes.KEY_CHARS);
                if (ct.length() > 0 && ct.length() < prefix) {
                    prefix = ct.length();
                }
                sb.append('(').append(prefix).append(')');
            }
        }
        return sb.toString();
    }

    private static boolean isPrefixable(ColumnType ct) {
        return switch (ct.kind()) {
            case CHAR, VARCHAR, TEXT, BINARY, VARBINARY, BLOB, JSON, ARRAY -> true;
            default -> false;
        };
    }

    /** Bytes a column takes in an InnoDB key; -1 when it can only be indexed by a prefix. */
    private static int indexBytes(ColumnType ct) {
        int n = ct.length();
        return switch (ct.kind()) {
            case TEXT, BLOB, JSON, ARRAY -> -1;
            case CHAR -> 4 * Math.max(1, n);
            case VARCHAR -> n <= 0 || n > 16383 ? -1 : 4 * n;
            case BINARY -> n <= 0 ? -1 : n;
            case VARBINARY -> n <= 0 ? -1 : n;
            case DECIMAL -> 32;
            case ENUM, SET -> 8;
            case UUID -> 36 * 4;
            default -> 8;
        };
    }

    static List<String> createIndexes(Table t) {
        List<String> out = new ArrayList<>();
        for (Index ix : t.indexes()) {
            out.add("ALTER TABLE " + q(t.id()) + " ADD " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + q(ix.name())
                    + " (" + keyParts(t, ix.columns()) + ")");
        }
        return out;
    }

    // ---------------------------------------------------------------- SchemaWriter

    @Override
    public List<String> createSchemaSql(String schema) {
        return createSchema(schema);
    }

    @Override
    public CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily) {
        return createTable(t, sourceFamily, false);
    }

    /**
     * As {@link #createTable(Table, DataSourceType.Family)}, for a destination whose version is known:
     * UUID columns become MariaDB's native uuid type from 10.7 on (char(36) otherwise).
     */
    CreateTablePlan createTable(Table t, DataSourceType.Family sourceFamily, String destinationVersion) {
        boolean nativeUuid = MySqlPrecheck.isMariaDb(destinationVersion) && MySqlPrecheck.atLeast(destinationVersion, 10, 7);
        return createTable(t, sourceFamily, nativeUuid);
    }

    @Override
    public List<String> createIndexesSql(Table t) {
        return createIndexes(t);
    }

    @Override
    public String dropTableSql(TableId id) {
        return "DROP TABLE IF EXISTS " + q(id);
    }

    @Override
    public String truncateSql(TableId id) {
        return "TRUNCATE TABLE " + q(id);
    }

    @Override
    public String truncateInTransactionSql(TableId id) {
        return "DELETE FROM " + q(id);
    }

    @Override
    public List<String> addColumnSql(TableId table, Column column, DataSourceType.Family sourceFamily) {
        // typed exactly as CREATE TABLE types it: plan a one-column table and take its column definition
        Table one = new Table(table, List.of(column), List.of(), List.of(), null, 0, 0);
        CreateTablePlan plan = createTable(one, sourceFamily);
        if (!plan.problems().isEmpty()) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE,
                    "cannot add column " + column.name() + " to " + table + ": " + String.join("; ", plan.problems()));
        }
        String create = plan.statements().get(0);
        String def = create.substring(create.indexOf("(\n") + 2, create.lastIndexOf("\n)")).trim();
        return List.of("ALTER TABLE " + q(table) + " ADD COLUMN " + def);
    }

    @Override
    public String dropColumnSql(TableId table, String column) {
        return "ALTER TABLE " + q(table) + " DROP COLUMN " + q(column);
    }

    @Override
    public List<String> modifyColumnSql(Table table, String column, DataSourceType.Family sourceFamily) {
        Column col = table.column(column).orElseThrow(() -> new IllegalArgumentException(
                "no column " + column + " in " + table.id()));
        List<String> problems = new ArrayList<>();
        String def = columnDefinition(col, keyColumns(table).contains(column),
                MySqlPlugin.FAMILY.equals(sourceFamily), false, problems, new ArrayList<>());
        if (def == null) {
            throw new io.tideway.core.model.TidewayException(io.tideway.core.model.ErrorCode.UNSUPPORTED_TYPE,
                    "cannot change column " + column + " of " + table.id() + ": " + String.join("; ", problems));
        }
        return List.of("ALTER TABLE " + q(table.id()) + " MODIFY COLUMN " + def);
    }

    @Override
    public List<String> renameTableSql(TableId from, TableId to) {
        return List.of("RENAME TABLE " + q(from) + " TO " + q(to));
    }

    @Override
    public String dropIndexSql(TableId table, String indexName) {
        return "ALTER TABLE " + q(table) + " DROP INDEX " + q(indexName);
    }
}

package io.tideway.mysql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Both directions of the type-mapping table for the MySQL family: a catalog's native type to
 * Tideway's neutral type, and a neutral type to the DDL spelling used on a MySQL-family
 * destination when the source is of another family.
 */
public final class MySqlTypes {
    /** The longest key column in characters (utf8mb4: 4 bytes each, InnoDB keys up to 3072 bytes). */
    static final int KEY_CHARS = 768;
    static final int KEY_BYTES = 3072;

    /** PostgreSQL's bit varying, as its catalog spells it ("bit varying(8)"), with the length. */
    private static final java.util.regex.Pattern VARBIT = java.util.regex.Pattern.compile("bit varying(?:\\((\\d+)\\))?");

    private MySqlTypes() { }

    // ------------------------------------------------------------ native -> neutral

    /**
     * Maps one column of information_schema.COLUMNS.
     *
     * @param dataType DATA_TYPE, e.g. "int"
     * @param columnType COLUMN_TYPE, e.g. "int(10) unsigned" (kept as the native spelling)
     * @param json true when MariaDB stores this longtext column with a json_valid check
     */
    static ColumnType fromCatalog(String dataType, String columnType, long charMax, long numPrecision, long numScale,
            long datetimePrecision, boolean json) {
        String dt = dataType.toLowerCase(Locale.ROOT);
        String ct = columnType;
        String ctl = columnType.toLowerCase(Locale.ROOT);
        boolean unsigned = ctl.contains("unsigned");
        int fsp = (int) Math.max(0, datetimePrecision);
        if (json) {
            return ColumnType.of(Kind.JSON, "json");
        }
        return switch (dt) {
            // tinyint(1) (what BOOLEAN means in MySQL) stays an integer: it may hold -128..127,
            // and a boolean destination would lose every value but 0 and 1
            case "tinyint" -> ColumnType.of(unsigned ? Kind.UINT8 : Kind.INT8, ct);
            case "bool", "boolean" -> ColumnType.of(Kind.BOOLEAN, ct);
            case "smallint" -> ColumnType.of(unsigned ? Kind.UINT16 : Kind.INT16, ct);
            case "mediumint", "int", "integer" -> ColumnType.of(unsigned ? Kind.UINT32 : Kind.INT32, ct);
            case "bigint" -> ColumnType.of(unsigned ? Kind.UINT64 : Kind.INT64, ct);
            case "decimal", "numeric", "dec", "fixed" -> ColumnType.decimal((int) numPrecision, (int) numScale, ct);
            case "float" -> ColumnType.of(Kind.FLOAT32, ct);
            case "double", "real", "double precision" -> ColumnType.of(Kind.FLOAT64, ct);
            case "bit" -> ColumnType.sized(Kind.BIT, (int) numPrecision, ct);
            case "char" -> ColumnType.sized(Kind.CHAR, (int) charMax, ct);
            case "varchar" -> ColumnType.sized(Kind.VARCHAR, (int) charMax, ct);
            case "tinytext" -> ColumnType.sized(Kind.TEXT, 255, ct);
            case "text" -> ColumnType.sized(Kind.TEXT, 65535, ct);
            case "mediumtext" -> ColumnType.sized(Kind.TEXT, 16777215, ct);
            // 4294967295 does not fit the neutral length (an int): the largest int stands for it
            case "longtext" -> new ColumnType(Kind.TEXT, Integer.MAX_VALUE, 0, 0, List.of(), null, ct);
            case "binary" -> ColumnType.sized(Kind.BINARY, (int) charMax, ct);
            case "varbinary" -> ColumnType.sized(Kind.VARBINARY, (int) charMax, ct);
            case "tinyblob" -> ColumnType.sized(Kind.BLOB, 255, ct);
            case "blob" -> ColumnType.sized(Kind.BLOB, 65535, ct);
            case "mediumblob" -> ColumnType.sized(Kind.BLOB, 16777215, ct);
            case "longblob" -> new ColumnType(Kind.BLOB, Integer.MAX_VALUE, 0, 0, List.of(), null, ct);
            case "date" -> ColumnType.of(Kind.DATE, ct);
            case "time" -> ColumnType.temporal(Kind.TIME, fsp, ct);
            case "datetime" -> ColumnType.temporal(Kind.DATETIME, fsp, ct);
            case "timestamp" -> ColumnType.temporal(Kind.TIMESTAMP, fsp, ct);
            case "year" -> ColumnType.of(Kind.YEAR, ct);
            case "json" -> ColumnType.of(Kind.JSON, ct);
            case "enum" -> ColumnType.labels(Kind.ENUM, labels(ct), ct);
            case "set" -> ColumnType.labels(Kind.SET, labels(ct), ct);
            case "uuid" -> ColumnType.of(Kind.UUID, ct);
            default -> ColumnType.of(Kind.OTHER, ct);
        };
    }

    /** Whether a native type is a spatial type (carried as its internal bytes, in hex). */
    static boolean isGeometry(String nativeType) {
        String t = nativeType == null ? "" : nativeType.toLowerCase(Locale.ROOT);
        return t.startsWith("geometry") || t.startsWith("point") || t.startsWith("linestring") || t.startsWith("polygon")
                || t.startsWith("multipoint") || t.startsWith("multilinestring") || t.startsWith("multipolygon")
                || t.startsWith("geomcollection") || t.startsWith("geometrycollection");
    }

    /** The labels of "enum('a','b''c')" or "set(...)". */
    static List<String> labels(String columnType) {
        List<String> out = new ArrayList<>();
        int i = columnType.indexOf('(');
        if (i < 0) {
            return out;
        }
        StringBuilder cur = null;
        for (i = i + 1; i < columnType.length(); i++) {
            char ch = columnType.charAt(i);
            if (cur == null) {
                if (ch == '\'') {
                    cur = new StringBuilder();
                } else if (ch == ')') {
                    break;
                }
            } else if (ch == '\'') {
                if (i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
                    cur.append('\'');
                    i++;
                } else {
                    out.add(cur.toString());
                    cur = null;
                }
            } else if (ch == '\\' && i + 1 < columnType.length()) {
                cur.append(columnType.charAt(++i));
            } else {
                cur.append(ch);
            }
        }
        return out;
    }

    // ------------------------------------------------------------ neutral -> native

    /** The DDL type for a column from another family, or null with a problem added. */
    static String toNative(Column col, boolean keyColumn, boolean nativeUuid, List<String> problems, List<String> warnings) {
        ColumnType t = col.type();
        String name = col.name();
        int len = t.length();
        return switch (t.kind()) {
            case BOOLEAN -> "tinyint(1)";
            case INT8 -> "tinyint";
            case UINT8 -> "tinyint unsigned";
            case INT16 -> "smallint";
            case UINT16 -> "smallint unsigned";
            case INT32 -> "int";
            case UINT32 -> "int unsigned";
            case INT64 -> "bigint";
            case UINT64 -> "bigint unsigned";
            case DECIMAL -> {
                if (t.precision() <= 0) {
                    warnings.add("column " + name + ": unconstrained " + t + " is created as decimal(65,30); values with more than"
                            + " 35 integer digits or 30 fractional digits cannot be stored");
                    yield "decimal(65,30)";
                }
                if (t.precision() > 65 || t.scale() > 30) {
                    problems.add("column " + name + ": type " + t + " has no equivalent in MySQL (decimal holds at most 65 digits,"
                            + " 30 after the point)");
                    yield null;
                }
                yield "decimal(" + t.precision() + "," + Math.max(0, t.scale()) + ")";
            }
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case BIT -> {
                if (len > 64) {
                    problems.add("column " + name + ": type " + t + " has no equivalent in MySQL (bit holds at most 64 bits)");
                    yield null;
                }
                yield "bit(" + Math.max(1, len) + ")";
            }
            case CHAR -> len <= 0 ? "char(1)" : len <= 255 ? "char(" + len + ")" : keyed(name, "varchar(" + len + ")", len, keyColumn, warnings);
            case VARCHAR -> keyColumn ? keyText(name, len, warnings)
                    : len <= 0 || len > 16383 ? "longtext" : "varchar(" + len + ")";
            case TEXT -> keyColumn ? keyText(name, len, warnings) : textByLength(len, "text");
            case BINARY -> len <= 0 ? (keyColumn ? "varbinary(" + KEY_BYTES + ")" : "longblob")
                    : len <= 255 ? "binary(" + len + ")" : keyColumn ? keyBinary(name, len, warnings) : "varbinary(" + len + ")";
            case VARBINARY -> keyColumn ? keyBinary(name, len, warnings)
                    : len <= 0 ? "longblob" : len <= 65000 ? "varbinary(" + len + ")" : textByLength(len, "blob");
            case BLOB -> keyColumn ? keyBinary(name, len, warnings) : len <= 0 ? "longblob" : textByLength(len, "blob");
            case DATE -> "date";
            case TIME, TIME_OF_DAY -> "time" + fsp(t);
            case DATETIME -> "datetime" + fsp(t);
            case TIMESTAMP -> {
                warnings.add("column " + name + ": " + t + " is created as datetime" + fsp(t) + " holding UTC (MySQL's timestamp"
                        + " only spans 1970-2038)");
                yield "datetime" + fsp(t);
            }
            case YEAR -> "year";
            case JSON -> "json";
            case ENUM -> "enum(" + labelList(t.values()) + ")";
            case SET -> "set(" + labelList(t.values()) + ")";
            case UUID -> nativeUuid ? "uuid" : "char(36)";
            case ARRAY -> {
                warnings.add("column " + name + ": array " + t + " is converted to json, its elements as a JSON array"
                        + " (lower bounds other than 1 and the element type are not kept)");
                yield "json";
            }
            case OTHER -> {
                java.util.regex.Matcher varbit = VARBIT.matcher(t.nativeType() == null ? "" : t.nativeType());
                if (varbit.matches()) {
                    // PostgreSQL's bit varying travels as the text of its bits ('0101')
                    String text = varbit.group(1) == null ? "longtext" : "varchar(" + varbit.group(1) + ")";
                    warnings.add("column " + name + ": " + t + " is created as " + text + " holding the bits as text ('0'/'1')");
                    yield keyColumn && varbit.group(1) == null ? keyText(name, 0, warnings) : text;
                }
                problems.add("column " + name + ": type " + t + " has no equivalent in MySQL");
                yield null;
            }
        };
    }

    private static String keyed(String name, String type, int len, boolean key, List<String> warnings) {
        return key && len > KEY_CHARS ? keyText(name, len, warnings) : type;
    }

    private static String keyText(String name, int len, List<String> warnings) {
        if (len > 0 && len <= KEY_CHARS) {
            return "varchar(" + len + ")";
        }
        warnings.add("column " + name + ": key column of unbounded text is created as varchar(" + KEY_CHARS
                + "); longer values cannot be stored");
        return "varchar(" + KEY_CHARS + ")";
    }

    private static String keyBinary(String name, int len, List<String> warnings) {
        if (len > 0 && len <= KEY_BYTES) {
            return "varbinary(" + len + ")";
        }
        warnings.add("column " + name + ": key column of unbounded bytes is created as varbinary(" + KEY_BYTES
                + "); longer values cannot be stored");
        return "varbinary(" + KEY_BYTES + ")";
    }

    private static String textByLength(int len, String base) {
        if (len <= 0) {
            return "long" + base;
        }
        if (len <= 255) {
            return "tiny" + base;
        }
        if (len <= 65535) {
            return base;
        }
        if (len <= 16777215) {
            return "medium" + base;
        }
        return "long" + base;
    }

    private static String fsp(ColumnType t) {
        int p = Math.min(6, Math.max(0, t.precision()));
        return p == 0 ? "" : "(" + p + ")";
    }

    static String labelList(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(MySqlDdl.stringLiteral(v));
        }
        return sb.toString();
    }

    /** Whether a native MySQL type needs a prefix length to be part of an index. */
    static boolean needsPrefix(String nativeType) {
        String t = nativeType.toLowerCase(Locale.ROOT);
        return t.endsWith("text") || t.endsWith("blob") || t.startsWith("json");
    }

    /** Characters (or bytes) one native type takes in an index, for the 3072-byte key budget; -1 = prefix needed. */
    static int indexBytes(String nativeType, ColumnType t) {
        String n = nativeType.toLowerCase(Locale.ROOT);
        if (needsPrefix(n)) {
            return -1;
        }
        if (n.startsWith("varchar") || n.startsWith("char")) {
            return Math.max(1, t.length() > 0 ? t.length() : lengthOf(n)) * 4;
        }
        if (n.startsWith("varbinary") || n.startsWith("binary")) {
            return Math.max(1, t.length() > 0 ? t.length() : lengthOf(n));
        }
        return 8;
    }

    static int lengthOf(String nativeType) {
        int a = nativeType.indexOf('(');
        int b = nativeType.indexOf(')');
        if (a < 0 || b < a) {
            return 0;
        }
        try {
            return Integer.parseInt(nativeType.substring(a + 1, b).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static boolean isBinaryNative(String nativeType) {
        String n = nativeType.toLowerCase(Locale.ROOT);
        return n.contains("blob") || n.contains("binary");
    }
}

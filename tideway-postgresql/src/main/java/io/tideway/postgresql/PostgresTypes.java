package io.tideway.postgresql;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import java.util.List;

/**
 * The two halves of the PostgreSQL side of the type-mapping table: native type -> neutral kind
 * (when the catalog is read) and neutral kind -> native DDL (when a table from another family is
 * created).
 */
final class PostgresTypes {
    private PostgresTypes() { }

    /**
     * Maps one catalog type to a neutral type.
     *
     * @param typname the pg_type name of the (base) type, e.g. "int4", "_text" is not passed here
     * @param typtype pg_type.typtype ('b' base, 'e' enum, ...)
     * @param typmod the attribute's type modifier (-1 = none)
     * @param labels the labels of an enum type, else empty
     * @param nativeType format_type's spelling
     */
    static ColumnType toNeutral(String typname, String typtype, int typmod, List<String> labels, String nativeType) {
        if ("e".equals(typtype)) {
            return ColumnType.labels(Kind.ENUM, labels, nativeType);
        }
        return switch (typname) {
            case "bool" -> ColumnType.of(Kind.BOOLEAN, nativeType);
            case "int2" -> ColumnType.of(Kind.INT16, nativeType);
            case "int4" -> ColumnType.of(Kind.INT32, nativeType);
            case "int8" -> ColumnType.of(Kind.INT64, nativeType);
            case "numeric" -> typmod < 4
                    ? ColumnType.decimal(0, 0, nativeType)
                    : ColumnType.decimal(((typmod - 4) >> 16) & 0xffff, (short) ((typmod - 4) & 0xffff), nativeType);
            case "float4" -> ColumnType.of(Kind.FLOAT32, nativeType);
            case "float8" -> ColumnType.of(Kind.FLOAT64, nativeType);
            case "bit" -> ColumnType.sized(Kind.BIT, Math.max(typmod, 1), nativeType);
            case "bpchar" -> ColumnType.sized(Kind.CHAR, typmod < 4 ? 1 : typmod - 4, nativeType);
            case "varchar" -> ColumnType.sized(Kind.VARCHAR, typmod < 4 ? 0 : typmod - 4, nativeType);
            case "text" -> ColumnType.sized(Kind.TEXT, 0, nativeType);
            case "bytea" -> ColumnType.sized(Kind.BLOB, 0, nativeType);
            case "date" -> ColumnType.of(Kind.DATE, nativeType);
            case "time" -> ColumnType.temporal(Kind.TIME_OF_DAY, typmod < 0 ? 6 : typmod, nativeType);
            case "timestamp" -> ColumnType.temporal(Kind.DATETIME, typmod < 0 ? 6 : typmod, nativeType);
            case "timestamptz" -> ColumnType.temporal(Kind.TIMESTAMP, typmod < 0 ? 6 : typmod, nativeType);
            case "interval" -> ColumnType.temporal(Kind.TIME,
                    typmod < 0 || (typmod & 0xffff) == 0xffff ? 6 : typmod & 0xffff, nativeType);
            case "json", "jsonb" -> ColumnType.of(Kind.JSON, nativeType);
            case "uuid" -> ColumnType.of(Kind.UUID, nativeType);
            default -> ColumnType.of(Kind.OTHER, nativeType);
        };
    }

    /** Whether format_type's spelling is a bit varying (varbit), whose text form other families hold as varchar. */
    static boolean isVarbit(String nativeType) {
        return nativeType != null && nativeType.startsWith("bit varying");
    }

    /** The reason a neutral type read from PostgreSQL cannot travel to another family, or null. */
    static String unsupportedReason(Column c) {
        ColumnType t = c.type();
        if (t.kind() == Kind.OTHER && isVarbit(t.nativeType())) {
            return null;   // carried as the text of its bits
        }
        if (t.kind() == Kind.OTHER) {
            return "column " + c.name() + ": type " + t.nativeType() + " has no neutral equivalent; its text form is "
                    + "carried to PostgreSQL destinations only";
        }
        if (t.kind() == Kind.ARRAY && t.element() != null && t.element().kind() == Kind.OTHER) {
            return "column " + c.name() + ": type " + t.nativeType() + " is an array of a type with no neutral "
                    + "equivalent; carried to PostgreSQL destinations only";
        }
        return null;
    }

    /**
     * The PostgreSQL DDL type of a column from another family, or null when there is none (the
     * caller reports a problem).
     */
    static String toNative(Column c, List<String> warnings) {
        ColumnType t = c.type();
        int p = Math.max(0, Math.min(6, t.precision()));
        return switch (t.kind()) {
            case BOOLEAN -> "boolean";
            case INT8, UINT8, INT16 -> "smallint";
            case UINT16, INT32 -> "integer";
            case UINT32, INT64 -> "bigint";
            case UINT64 -> {
                if (c.autoIncrement()) {
                    warnings.add("column " + c.name() + ": " + t + " AUTO_INCREMENT becomes bigint identity (values above "
                            + Long.MAX_VALUE + " would not fit)");
                    yield "bigint";
                }
                yield "numeric(20,0)";
            }
            case DECIMAL -> t.precision() <= 0 ? "numeric" : "numeric(" + t.precision() + "," + t.scale() + ")";
            case FLOAT32 -> "real";
            case FLOAT64 -> "double precision";
            case BIT -> "bit(" + Math.max(1, t.length()) + ")";
            case CHAR -> t.length() <= 0 ? "text" : "char(" + t.length() + ")";
            case VARCHAR -> t.length() <= 0 ? "varchar" : "varchar(" + t.length() + ")";
            case TEXT -> "text";
            case BINARY, VARBINARY, BLOB -> "bytea";
            case DATE -> "date";
            case TIME -> "interval";
            case TIME_OF_DAY -> "time(" + p + ")";
            case DATETIME -> "timestamp(" + p + ")";
            case TIMESTAMP -> "timestamptz(" + p + ")";
            case YEAR -> "smallint";
            case JSON -> "jsonb";
            case ENUM -> "varchar(" + Math.max(1, t.values().stream().mapToInt(String::length).max().orElse(1)) + ")";
            case SET -> "varchar(" + Math.max(1, t.values().stream().mapToInt(String::length).sum()
                    + Math.max(0, t.values().size() - 1)) + ")";
            case UUID -> "uuid";
            case ARRAY, OTHER -> null;
        };
    }

    /** Whether an identity clause can go on a column of this DDL type. */
    static boolean identityCapable(String ddlType) {
        String d = ddlType.trim().toLowerCase();
        return d.equals("smallint") || d.equals("integer") || d.equals("bigint") || d.equals("int")
                || d.equals("int2") || d.equals("int4") || d.equals("int8");
    }
}

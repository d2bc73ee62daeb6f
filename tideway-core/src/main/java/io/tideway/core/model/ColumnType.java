package io.tideway.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A column type in Tideway's neutral type system. Each dialect maps its native types to these
 * when it reads a catalog, and these to its native types when it creates tables; the pair of
 * mappings is the type-mapping table in README.md.
 *
 * <p>Row values travel between dialects in one canonical Java form per kind (see {@link Kind}),
 * so the full copy, the change apply and the verifier share one conversion.
 *
 * @param length characters for CHAR/VARCHAR, bytes for BINARY/VARBINARY, bits for BIT; 0 = unbounded/unknown
 * @param precision digits for DECIMAL; fractional-second digits (0..6) for TIME/DATETIME/TIMESTAMP
 * @param scale digits after the point for DECIMAL
 * @param values the labels of ENUM and SET, in order
 * @param element the element type of ARRAY
 * @param nativeType the source's own spelling, for messages (e.g. "bigint(20) unsigned")
 * @param collation the database's own collation of a text column as its catalog names it (MySQL
 *     family: e.g. "utf8mb4_bin", "latin2_general_ci", which also name the character set), or null
 *     (not text, or not read)
 */
public record ColumnType(
        Kind kind, int length, int precision, int scale, List<String> values, ColumnType element, String nativeType,
        String collation) {

    /**
     * Kinds of column, with the canonical Java value a row holds for each (null is SQL NULL).
     */
    public enum Kind {
        /** {@link Boolean}. */
        BOOLEAN,
        /** signed integers: {@link Long}. */
        INT8, INT16, INT32, INT64,
        /** unsigned integers: {@link Long}; UINT64 may be {@link java.math.BigInteger} above 2^63-1. */
        UINT8, UINT16, UINT32, UINT64,
        /** {@link java.math.BigDecimal}. */
        DECIMAL,
        /** {@link Float}. */
        FLOAT32,
        /** {@link Double}. */
        FLOAT64,
        /** {@link String} of '0'/'1', most significant bit first, exactly {@code length} long. */
        BIT,
        /** {@link String}. */
        CHAR, VARCHAR, TEXT,
        /** {@code byte[]}. */
        BINARY, VARBINARY, BLOB,
        /** {@link String} "yyyy-MM-dd". */
        DATE,
        /**
         * {@link String} "[-]H:mm:ss[.ffffff]": a signed duration whose hours may exceed 24, as
         * MySQL's TIME (+/-838 hours) and PostgreSQL's interval (without months or days) hold.
         */
        TIME,
        /** {@link String} "HH:mm:ss[.ffffff]", a time of day 00:00:00..24:00:00 (PostgreSQL's time). */
        TIME_OF_DAY,
        /** {@link String} "yyyy-MM-dd HH:mm:ss[.ffffff]", a wall-clock time with no zone. */
        DATETIME,
        /** {@link String} "yyyy-MM-dd HH:mm:ss[.ffffff]" in UTC, an instant. */
        TIMESTAMP,
        /** {@link Long}, 1901..2155 (0 allowed). */
        YEAR,
        /** {@link String}, the JSON text. */
        JSON,
        /** {@link String}, one of {@code values}. */
        ENUM,
        /** {@link String}, labels of {@code values} joined by ',' (MySQL's own text form). */
        SET,
        /** {@link String}, lower-case canonical 8-4-4-4-12 form. */
        UUID,
        /** {@link String}, the elements as a JSON array (nested for multi-dimensional arrays). */
        ARRAY,
        /**
         * {@link String}, the database's own text form of a type with no neutral equivalent
         * (e.g. PostgreSQL inet): carried only between databases of the same family.
         */
        OTHER
    }

    public ColumnType {
        Objects.requireNonNull(kind, "kind");
        values = values == null ? List.of() : List.copyOf(values);
    }

    /** A type without a collation. */
    public ColumnType(Kind kind, int length, int precision, int scale, List<String> values, ColumnType element, String nativeType) {
        this(kind, length, precision, scale, values, element, nativeType, null);
    }

    /** This type with the given collation (null: none). */
    public ColumnType withCollation(String c) {
        return new ColumnType(kind, length, precision, scale, values, element, nativeType, c);
    }

    /**
     * Whether the collation compares text byte by byte, telling case and accents apart (MySQL
     * family: a "_bin" collation or "binary"; PostgreSQL: "C" or "POSIX").
     */
    public boolean binaryCollation() {
        if (collation == null) {
            return false;
        }
        String c = collation.toLowerCase(java.util.Locale.ROOT);
        return c.endsWith("_bin") || c.equals("binary") || c.equals("c") || c.equals("posix");
    }

    public static ColumnType of(Kind kind, String nativeType) {
        return new ColumnType(kind, 0, 0, 0, List.of(), null, nativeType);
    }

    public static ColumnType sized(Kind kind, int length, String nativeType) {
        return new ColumnType(kind, length, 0, 0, List.of(), null, nativeType);
    }

    public static ColumnType decimal(int precision, int scale, String nativeType) {
        return new ColumnType(Kind.DECIMAL, 0, precision, scale, List.of(), null, nativeType);
    }

    public static ColumnType temporal(Kind kind, int fsp, String nativeType) {
        return new ColumnType(kind, 0, fsp, 0, List.of(), null, nativeType);
    }

    public static ColumnType labels(Kind kind, List<String> values, String nativeType) {
        return new ColumnType(kind, 0, 0, 0, values, null, nativeType);
    }

    public static ColumnType array(ColumnType element, String nativeType) {
        return new ColumnType(Kind.ARRAY, 0, 0, 0, List.of(), element, nativeType);
    }

    public boolean isInteger() {
        return switch (kind) {
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, YEAR -> true;
            default -> false;
        };
    }

    public boolean isUnsigned() {
        return switch (kind) {
            case UINT8, UINT16, UINT32, UINT64 -> true;
            default -> false;
        };
    }

    public boolean isText() {
        return switch (kind) {
            case CHAR, VARCHAR, TEXT, ENUM, SET, JSON, UUID -> true;
            default -> false;
        };
    }

    public boolean isBinary() {
        return kind == Kind.BINARY || kind == Kind.VARBINARY || kind == Kind.BLOB;
    }

    /**
     * Whether two databases of different families sort values of this type the same way, so a
     * key range means the same rows on both sides (text does not: collations differ).
     */
    public boolean hasPortableOrder() {
        return isInteger() || switch (kind) {
            case DECIMAL, DATE, DATETIME, TIMESTAMP, BOOLEAN -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return nativeType != null ? nativeType : kind.name().toLowerCase();
    }
}

package io.tideway.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CanonicalTest {
    private static final ColumnType CHAR = ColumnType.sized(ColumnType.Kind.CHAR, 10, "char(10)");
    private static final ColumnType JSON = ColumnType.of(ColumnType.Kind.JSON, "json");
    private static final ColumnType DEC = ColumnType.decimal(20, 4, "numeric(20,4)");

    @Test
    void numbersCompareByValueAcrossJavaTypes() {
        assertThat(Canonical.of(new BigInteger("18446744073709551615"), DEC)).isEqualTo(Canonical.of(new BigDecimal("18446744073709551615.0000"), DEC));
        assertThat(Canonical.of(5L, DEC)).isEqualTo(Canonical.of(new BigDecimal("5.00"), DEC));
        assertThat(Canonical.of(new BigDecimal("5.01"), DEC)).isNotEqualTo(Canonical.of(new BigDecimal("5.00"), DEC));
        for (long n : new long[] {0, 7, -5, 100, 1_000_000, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertThat(Canonical.of(n, DEC)).as("%d", n).isEqualTo(Canonical.of(new BigDecimal(n).setScale(2), DEC))
                    .isEqualTo(Canonical.of((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n)) == n ? (Object) (int) n
                            : (Object) BigInteger.valueOf(n), DEC));
        }
        assertThat(Canonical.of((short) -12, DEC)).isEqualTo(Canonical.of(new BigDecimal("-12.000"), DEC));
    }

    @Test
    void charPaddingDoesNotCountButOtherSpacesDo() {
        assertThat(Canonical.of("ab   ", CHAR)).isEqualTo(Canonical.of("ab", CHAR));
        assertThat(Canonical.of(" ab", CHAR)).isNotEqualTo(Canonical.of("ab", CHAR));
    }

    @Test
    void jsonComparesByContentNotSpacingOrKeyOrder() {
        assertThat(Canonical.of("{\"b\": 1, \"a\": [1, 2]}", JSON)).isEqualTo(Canonical.of("{\"a\":[1,2],\"b\":1}", JSON));
        assertThat(Canonical.of("{\"a\": 1}", JSON)).isNotEqualTo(Canonical.of("{\"a\": 2}", JSON));
    }

    @Test
    void nullIsNeitherEmptyNorTheWordNull() {
        ColumnType vc = ColumnType.sized(ColumnType.Kind.VARCHAR, 10, "varchar(10)");
        assertThat(Canonical.of(null, vc)).isNotEqualTo(Canonical.of("", vc)).isNotEqualTo(Canonical.of("NULL", vc));
    }

    @Test
    void bytesCompareExactly() {
        ColumnType b = ColumnType.of(ColumnType.Kind.BLOB, "blob");
        assertThat(Canonical.of(new byte[] {0, 1}, b)).isEqualTo(Canonical.of(new byte[] {0, 1}, b));
        assertThat(Canonical.of(new byte[] {0, 1}, b)).isNotEqualTo(Canonical.of(new byte[] {0, 1, 0}, b));
    }

    @Test
    void timesCompareWhateverTheHourPaddingOrFractionZeros() {
        ColumnType t = ColumnType.temporal(ColumnType.Kind.TIME, 6, "time(6)");
        assertThat(Canonical.of("00:00:00", t)).isEqualTo(Canonical.of("0:00:00", t));
        assertThat(Canonical.of("-838:59:59.000000", t)).isEqualTo(Canonical.of("-838:59:59", t));
        assertThat(Canonical.of("01:02:03.5", t)).isEqualTo(Canonical.of("1:02:03.500", t));
        assertThat(Canonical.of("10:02:03", t)).isNotEqualTo(Canonical.of("1:02:03", t));
    }
}

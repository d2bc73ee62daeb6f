package io.tideway.metadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRangeCodecTest {

    /** KeyRange holds byte[] whose equals is identity: compare element by element. */
    private static void assertSameRange(KeyRange actual, KeyRange expected) {
        assertSameBound(actual.lower(), expected.lower());
        assertSameBound(actual.upper(), expected.upper());
    }

    private static void assertSameBound(List<Object> actual, List<Object> expected) {
        if (expected == null) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Object e = expected.get(i);
            Object a = actual.get(i);
            if (e instanceof byte[] b) {
                assertThat(a).isInstanceOf(byte[].class);
                assertThat(Arrays.equals((byte[]) a, b)).as("bytes at %d", i).isTrue();
            } else if (e == null) {
                assertThat(a).isNull();
            } else {
                assertThat(a).isInstanceOf(e.getClass()).isEqualTo(e);
            }
        }
    }

    private static KeyRange roundTrip(KeyRange r) {
        return KeyRangeCodec.decode(KeyRangeCodec.encode(r));
    }

    @Test
    void every_canonical_type_round_trips_exactly() {
        List<Object> lower = Arrays.asList(
                Long.MIN_VALUE, 0L, Long.MAX_VALUE,
                new BigInteger("18446744073709551615"),
                new BigDecimal("-12345678901234567890.123456789000"), new BigDecimal("1E+3"),
                "", "quote \" backslash \\ apostrophe ' newline \n tab \t", "\u00fcnic\u00f8de \u8ba2\u5355 \ud83d\ude80",
                new byte[] {0x00, (byte) 0xff, 0x00, 0x7f}, new byte[0],
                Boolean.TRUE, Boolean.FALSE,
                1.0 / 3, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
                1.1f, Float.NEGATIVE_INFINITY,
                null);
        List<Object> upper = Arrays.asList(null, null, 7L);
        KeyRange r = new KeyRange(lower, upper);
        assertSameRange(roundTrip(r), r);
    }

    @Test
    void unbounded_sides_stay_unbounded() {
        assertThat(roundTrip(KeyRange.ALL).isAll()).isTrue();
        KeyRange low = new KeyRange(null, List.of(5L));
        assertSameRange(roundTrip(low), low);
        KeyRange high = new KeyRange(List.of("m"), null);
        assertSameRange(roundTrip(high), high);
        KeyRange empty = new KeyRange(List.of(), List.of());
        assertSameRange(roundTrip(empty), empty);
    }

    @Test
    void the_format_is_versioned_and_tagged() {
        String json = KeyRangeCodec.encode(new KeyRange(List.of(1L), null));
        assertThat(json).isEqualTo("{\"v\":1,\"lower\":[{\"t\":\"long\",\"v\":1}],\"upper\":null}");
        assertThat(KeyRangeCodec.decode(KeyRangeCodec.encode(new KeyRange(List.of(5), null))).lower())
                .containsExactly(5L);
    }

    @Test
    void an_unknown_format_version_is_refused_clearly() {
        assertThatThrownBy(() -> KeyRangeCodec.decode("{\"v\":2,\"lower\":null,\"upper\":null}"))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("format version 2")
                .hasMessageContaining("only version 1");
        assertThatThrownBy(() -> KeyRangeCodec.decode("{\"lower\":null}"))
                .isInstanceOf(TidewayException.class).hasMessageContaining("no format version");
        assertThatThrownBy(() -> KeyRangeCodec.decode("{\"v\":1,\"lower\":[{\"t\":\"uuid\",\"v\":\"x\"}],\"upper\":null}"))
                .isInstanceOf(TidewayException.class).hasMessageContaining("unknown type tag 'uuid'");
    }

    @Test
    void a_non_canonical_value_is_refused() {
        assertThatThrownBy(() -> KeyRangeCodec.encode(new KeyRange(List.of(new java.util.Date()), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.util.Date");
    }
}

package io.tideway.postgresql.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import org.junit.jupiter.api.Test;

class PgValuesTest {
    private static final TableId T = new TableId("public", "t");
    private static final Column IV = new Column("iv", ColumnType.temporal(Kind.TIME, 6, "interval"), true, null, false, null);

    @Test
    void intervalsBecomeSignedHoursMinutesSeconds() {
        assertThat(PgValues.isoIntervalToTime("P0Y0M0DT-838H-59M-59S", IV, T)).isEqualTo("-838:59:59");
        assertThat(PgValues.isoIntervalToTime("P0Y0M1DT2H3M4.25S", IV, T)).isEqualTo("26:03:04.25");
        assertThat(PgValues.isoIntervalToTime("P0Y0M0DT0H0M0.000001S", IV, T)).isEqualTo("0:00:00.000001");
        assertThat(PgValues.isoIntervalToTime("P0Y0M1DT-1H0M0S", IV, T)).isEqualTo("23:00:00");
        assertThatThrownBy(() -> PgValues.isoIntervalToTime("P1Y0M0DT0H0M0S", IV, T))
                .isInstanceOf(TidewayException.class).hasMessageContaining("column iv");
    }

    @Test
    void verbatimValuesForAPostgresDestinationStayPostgresText() {
        org.apache.kafka.connect.data.Schema str = org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA;
        Column arr = new Column("a", ColumnType.array(ColumnType.of(Kind.INT32, "integer"), "integer[]"), true, null, false, null);
        Column n = new Column("n", ColumnType.decimal(0, 0, "numeric"), true, null, false, null);
        assertThat(PgValues.canonical("[0:2]={1,2,3}", str, arr, T, true)).isEqualTo("[0:2]={1,2,3}");
        assertThat(PgValues.canonical("NaN", str, n, T, true)).isEqualTo("NaN");
        assertThat(PgValues.canonical("-Infinity", str, n, T, true)).isEqualTo("-Infinity");
        assertThat(PgValues.canonical("1.50", str, n, T, true)).isEqualTo(new java.math.BigDecimal("1.50"));
        assertThat(PgValues.canonical("P0Y-1M2DT0H0M0S", str, IV, T, true)).isEqualTo("P0Y-1M2DT0H0M0S");
        assertThat(PgValues.canonical("P0Y0M1DT2H3M4.25S", str, IV, T, true)).isEqualTo("26:03:04.25");
        // to another family they stay refused
        assertThatThrownBy(() -> PgValues.canonical("NaN", str, n, T, false)).isInstanceOf(TidewayException.class);
        assertThatThrownBy(() -> PgValues.canonical("P0Y-1M2DT0H0M0S", str, IV, T, false)).isInstanceOf(TidewayException.class);
        assertThat(PgVerbatimConverter.text(new io.debezium.data.SpecialValueDecimal(new java.math.BigDecimal("1.50")))).isEqualTo("1.50");
        assertThat(PgVerbatimConverter.text(io.debezium.data.SpecialValueDecimal.NOT_A_NUMBER)).isEqualTo("NaN");
        assertThat(PgVerbatimConverter.text(io.debezium.data.SpecialValueDecimal.NEGATIVE_INF)).isEqualTo("-Infinity");
    }

    @Test
    void bitsAreMostSignificantFirstAndTimestampsUtcWithoutZone() {
        // the engine sends bit strings as little-endian bytes of their value
        assertThat(PgValues.bits(new byte[] {0x05}, 8)).isEqualTo("00000101");
        assertThat(PgValues.bits(new byte[] {0x00, 0x01}, 12)).isEqualTo("000100000000");
        assertThat(PgValues.bits(Boolean.TRUE, 1)).isEqualTo("1");
        assertThat(PgValues.zoned("2024-06-30T12:34:56.123450Z")).isEqualTo("2024-06-30 12:34:56.12345");
        assertThat(PgValues.zoned("1970-01-01T00:00:01Z")).isEqualTo("1970-01-01 00:00:01");
        assertThat(PgValues.timeOfDay(86_400_000_000L, "io.debezium.time.MicroTime")).isEqualTo("24:00:00");
        assertThat(PgValues.dateTime(-1L, "io.debezium.time.MicroTimestamp")).isEqualTo("1969-12-31 23:59:59.999999");
        assertThat(PgValues.date(0)).isEqualTo("1970-01-01");
        assertThat(PgValues.stripPad("ab  ")).isEqualTo("ab");
    }

    @Test
    void positionsSortInLogOrder() {
        String a = PgPosition.of(0x16B3748L, 0x16B3800L, 0);
        String b = PgPosition.of(0x16B3748L, 0x16B3800L, 1);
        String hb = PgPosition.heartbeat(b);
        String c = PgPosition.of(0x16B3748L, 0x16B3900L, 0);
        String d = PgPosition.of(0x1_0000_0000L, 0x10L, 0);
        assertThat(a).isEqualTo("00000000016B3748/00000000016B3800/0000");
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(hb);
        assertThat(hb).isLessThan(c);
        assertThat(c).isLessThan(d);
        assertThat(PgPosition.parseLsn("1/16B3748")).isEqualTo(0x1_016B_3748L);
        assertThat(PgRecords.commitOf("[\"24023928\",\"24023984\"]")).isEqualTo(24023928L);
        assertThat(PgRecords.commitOf("[null,\"24023984\"]")).isZero();
        assertThat(PgSession.regex("Odd Table, \"x\".y")).isEqualTo("Odd\\ Table\\,\\ \\\"x\\\"\\.y");
    }
}

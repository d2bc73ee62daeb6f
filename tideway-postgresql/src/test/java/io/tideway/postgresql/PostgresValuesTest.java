package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import org.junit.jupiter.api.Test;

class PostgresValuesTest {
    private static final TableId T = new TableId("s", "t");
    private static final Column IV = new Column("iv", ColumnType.of(Kind.TIME, "interval"), true, null, false, null);
    private static final Column ARR = new Column("a", ColumnType.of(Kind.ARRAY, "text[]"), true, null, false, null);

    @Test
    void sqlStandardIntervalsBecomeSignedHourDurations() {
        assertThat(PostgresValues.intervalToTime("838:59:59", T, IV)).isEqualTo("838:59:59");
        assertThat(PostgresValues.intervalToTime("-838:59:59.000001", T, IV)).isEqualTo("-838:59:59.000001");
        assertThat(PostgresValues.intervalToTime("0", T, IV)).isEqualTo("0:00:00");
        assertThat(PostgresValues.intervalToTime("1 2:03:04.5", T, IV)).isEqualTo("26:03:04.5");
        assertThat(PostgresValues.intervalToTime("-1 2:03:04", T, IV)).isEqualTo("-26:03:04");
        assertThat(PostgresValues.intervalToTime("+1 -2:00:00", T, IV)).isEqualTo("22:00:00");
        assertThat(PostgresValues.intervalToTime("0-0 +1 +0:00:01", T, IV)).isEqualTo("24:00:01");
    }

    @Test
    void intervalsWithMonthsFailNamingTheColumn() {
        assertThatThrownBy(() -> PostgresValues.intervalToTime("1-2", T, IV))
                .isInstanceOf(TidewayException.class)
                .satisfies(e -> assertThat(((TidewayException) e).code()).isEqualTo(ErrorCode.DATA_INVALID))
                .hasMessageContaining("column iv").hasMessageContaining("s.t");
    }

    @Test
    void postgresArrayTextIsWrittenAsItIsAndJsonArraysAreConverted() {
        assertThat(PostgresValues.text("[0:2]={1,2,3}", ARR, T)).isEqualTo("[0:2]={1,2,3}");
        assertThat(PostgresValues.text("[-1:0][1:2]={{1,2},{3,4}}", ARR, T)).isEqualTo("[-1:0][1:2]={{1,2},{3,4}}");
        assertThat(PostgresValues.text("{\"\\\"a\\\"=>\\\"1\\\"\"}", ARR, T)).isEqualTo("{\"\\\"a\\\"=>\\\"1\\\"\"}");
        assertThat(PostgresValues.text("{}", ARR, T)).isEqualTo("{}");
        assertThat(PostgresValues.text("[1,2]", ARR, T)).isEqualTo("{1,2}");
        assertThat(PostgresValues.text("[[1],[2]]", ARR, T)).isEqualTo("{{1},{2}}");
        assertThat(PostgresValues.text(" []", ARR, T)).isEqualTo("{}");
        assertThat(PostgresValues.hasYearsOrMonths("+0-1 +0 +0:00:00")).isTrue();
        assertThat(PostgresValues.hasYearsOrMonths("-1-2")).isTrue();
        assertThat(PostgresValues.hasYearsOrMonths("0-0 +1 +0:00:01")).isFalse();
        assertThat(PostgresValues.hasYearsOrMonths("-1 2:03:04")).isFalse();
    }

    @Test
    void jsonArraysBecomeArrayLiterals() {
        assertThat(PostgresValues.jsonArrayToLiteral("[1,null,-2]", ARR, T)).isEqualTo("{1,NULL,-2}");
        assertThat(PostgresValues.jsonArrayToLiteral("[[1,2],[3,4]]", ARR, T)).isEqualTo("{{1,2},{3,4}}");
        assertThat(PostgresValues.jsonArrayToLiteral("[\"a\\\"b\", null, \"NULL\", \"\", \"x,y\", \"back\\\\slash\", \"\\u00e9\"]", ARR, T))
                .isEqualTo("{\"a\\\"b\",NULL,\"NULL\",\"\",\"x,y\",\"back\\\\slash\",\"é\"}");
        assertThat(PostgresValues.jsonArrayToLiteral("[{\"k\": [1, \"}\"]}]", ARR, T)).isEqualTo("{\"{\\\"k\\\": [1, \\\"}\\\"]}\"}");
        assertThat(PostgresValues.jsonArrayToLiteral("[]", ARR, T)).isEqualTo("{}");
    }

    @Test
    void malformedArrayValuesFailNamingTheColumn() {
        assertThatThrownBy(() -> PostgresValues.jsonArrayToLiteral("{1,2}", ARR, T))
                .isInstanceOf(TidewayException.class).hasMessageContaining("column a");
    }

    @Test
    void defaultsAreRecognized() {
        assertThat(PostgresCatalog.parseDefault("'it''s'::character varying").value()).isEqualTo("it's");
        assertThat(PostgresCatalog.parseDefault("'-1'::integer").value()).isEqualTo("-1");
        assertThat(PostgresCatalog.parseDefault("(-1.5)").value()).isEqualTo("-1.5");
        assertThat(PostgresCatalog.parseDefault("42").value()).isEqualTo("42");
        assertThat(PostgresCatalog.parseDefault("NULL::text")).isNull();
        assertThat(PostgresCatalog.parseDefault("now()").kind()).isEqualTo(io.tideway.core.model.ColumnDefault.Kind.CURRENT_TIMESTAMP);
        assertThat(PostgresCatalog.parseDefault("gen_random_uuid()").kind()).isEqualTo(io.tideway.core.model.ColumnDefault.Kind.EXPRESSION);
    }

    @Test
    void typeNamesAreUnquotedAndUnqualified() {
        assertThat(PostgresCatalog.bareTypeName("\"My \"\"Schema\"\"\".\"Mood \"\"x\"\"\"[]")).isEqualTo("Mood \"x\"");
        assertThat(PostgresCatalog.bareTypeName("mood")).isEqualTo("mood");
        assertThat(PostgresCatalog.arrayDims("mood[]")).isEqualTo(1);
    }

    @Test
    void failuresAreClassifiedBySqlState() {
        PostgresDialect d = new PostgresDialect();
        assertThat(d.errors().classify(new java.sql.SQLException("deadlock", "40P01"), "t").code()).isEqualTo(ErrorCode.TRANSIENT);
        assertThat(d.errors().classify(new java.sql.SQLException("gone", "08006"), "t").code()).isEqualTo(ErrorCode.TRANSIENT);
        assertThat(d.errors().classify(new java.sql.SQLException("no table", "42P01"), "t").code()).isEqualTo(ErrorCode.TABLE_VANISHED);
        assertThat(d.errors().classify(new java.sql.SQLException("denied", "42501"), "t").code()).isEqualTo(ErrorCode.PRIVILEGE_MISSING);
        assertThat(d.errors().classify(new java.sql.SQLException("check", "23514"), "t").code()).isEqualTo(ErrorCode.DATA_INVALID);
        assertThat(d.errors().classify(new java.sql.SQLException("odd", "XX000"), "copying s.t").getMessage())
                .isEqualTo("copying s.t: odd [SQLState XX000]");
    }

    @Test
    void longIndexNamesAreShortenedWithinPostgresLimit() {
        String n = PostgresDdl.shorten("x".repeat(100));
        assertThat(n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(PostgresDdl.shorten("short")).isEqualTo("short");
    }
}

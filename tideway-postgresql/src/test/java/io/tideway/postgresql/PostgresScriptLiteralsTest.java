package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Literal values of correction scripts: exact, escaped, one statement per line. */
class PostgresScriptLiteralsTest {
    private final PostgresDialect d = new PostgresDialect();

    private static Column col(String name, Kind kind) {
        return new Column(name, ColumnType.of(kind, kind.name().toLowerCase()), true, null, false, null);
    }

    @Test
    void valuesAreWrittenExactly() {
        assertThat(d.scripts().literal(col("b", Kind.BOOLEAN), false)).isEqualTo("FALSE");
        assertThat(d.scripts().literal(col("i", Kind.INT64), -9223372036854775808L)).isEqualTo("-9223372036854775808");
        assertThat(d.scripts().literal(col("n", Kind.DECIMAL), new BigDecimal("99999999999999999999.999999999999"))).isEqualTo(
                "99999999999999999999.999999999999");
        assertThat(d.scripts().literal(col("r", Kind.FLOAT32), Float.NaN)).isEqualTo("'NaN'");
        assertThat(d.scripts().literal(col("by", Kind.BLOB), new byte[] {0, (byte) 0xff, 0x5c})).isEqualTo("'\\x00ff5c'");
        assertThat(d.scripts().literal(col("tz", Kind.TIMESTAMP), "2024-06-30 12:34:56.123456")).isEqualTo("'2024-06-30 12:34:56.123456+00'");
        assertThat(d.scripts().literal(col("dt", Kind.DATETIME), "2024-06-30 12:34:56")).isEqualTo("'2024-06-30 12:34:56'");
        assertThat(d.scripts().literal(col("a", Kind.ARRAY), "[1,null,\"x\"]")).isEqualTo("'{1,NULL,\"x\"}'");
        assertThat(d.scripts().literal(col("s", Kind.TEXT), null)).isEqualTo("NULL");
    }

    @Test
    void stringsAreEscapedAndStayOnOneLine() {
        assertThat(d.scripts().literal(col("s", Kind.TEXT), "it's a\\b")).isEqualTo("'it''s a\\b'");
        assertThat(d.scripts().literal(col("s", Kind.TEXT), "tab\there\nit's\\")).isEqualTo("E'tab\\there\\nit''s\\\\'");
    }

    @Test
    void rowsAreUpsertedByKeyAndDeletedByKeyOrByAllColumns() {
        Table keyed = new Table(new TableId("shop", "T x"), List.of(col("id", Kind.INT32), col("name", Kind.VARCHAR)),
                List.of("id"), List.of(), null, 0, 0);
        assertThat(d.scripts().writeRowSql(keyed, new Object[] {5L, "a"})).isEqualTo(
                "INSERT INTO \"shop\".\"T x\" (\"id\", \"name\") VALUES (5, 'a') ON CONFLICT (\"id\") DO UPDATE SET \"name\" = EXCLUDED.\"name\"");
        assertThat(d.scripts().deleteRowSql(keyed, new Object[] {5L})).isEqualTo("DELETE FROM \"shop\".\"T x\" WHERE \"id\" = 5");
        Table keyless = new Table(new TableId("shop", "log"), List.of(col("at", Kind.DATETIME), col("js", Kind.JSON)),
                List.of(), List.of(), null, 0, 0);
        assertThat(d.scripts().deleteRowSql(keyless, new Object[] {"2024-01-01 00:00:00", "{\"a\":1}"})).isEqualTo(
                "DELETE FROM \"shop\".\"log\" WHERE ctid = (SELECT ctid FROM \"shop\".\"log\" WHERE \"at\" IS NOT DISTINCT FROM"
                        + " '2024-01-01 00:00:00' AND \"js\"::text IS NOT DISTINCT FROM '{\"a\":1}'::text LIMIT 1)");
    }
}

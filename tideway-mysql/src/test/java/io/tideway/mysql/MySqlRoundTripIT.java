package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.DIALECT;
import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Index;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.WriteResult;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.TypeRichData;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every type at the ends of its range goes from one database to another and reads back equal, value by value. */
class MySqlRoundTripIT {
    static String src;
    static String bulk;
    static String ups;
    static Connection c;

    static final String D65_MAX = "99999999999999999999999999999999999.999999999999999999999999999999";

    @BeforeAll
    static void setUp() throws Exception {
        src = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlRoundTripIT.class, "src");
        bulk = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlRoundTripIT.class, "bulk");
        ups = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlRoundTripIT.class, "ups");
        try (Connection raw = ItSupport.server().connect(src)) {
            TypeRichData.mariadb(raw);
            exec(raw, "SET sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00'",
                    "CREATE TABLE types (id INT NOT NULL PRIMARY KEY,"
                    + " b TINYINT(1), i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, u16 SMALLINT UNSIGNED, i24 MEDIUMINT,"
                    + " u24 MEDIUMINT UNSIGNED, i32 INT, u32 INT UNSIGNED, i64 BIGINT, u64 BIGINT UNSIGNED,"
                    + " d65 DECIMAL(65,30), d5 DECIMAL(5,2) DEFAULT 1.50, f FLOAT, dbl DOUBLE, bit1 BIT(1), bit64 BIT(64) DEFAULT b'101',"
                    + " ch CHAR(10) DEFAULT 'x''y', vc VARCHAR(300) COMMENT 'a \"commented\" column', tx TEXT, bin BINARY(4),"
                    + " vbin VARBINARY(100), bl BLOB, dt DATE, tm TIME(6), dtm DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                    + " ts TIMESTAMP(6) NULL DEFAULT NULL, yr YEAR, js JSON, en ENUM('a','b c','d''e'), st SET('x','y','z'),"
                    + " uu UUID, dt0 DATE, dtm0 DATETIME, KEY idx_vc (vc), UNIQUE KEY uk_u32 (u32), KEY idx_tx (tx(20)))"
                    + " COMMENT 'type ''rich'' table'",
                    "INSERT INTO types VALUES (1, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,"
                    + " -" + D65_MAX + ", -999.99, -3.4028234663852886e38, -1.7976931348623157e308, b'0', b'0', '', '', '',"
                    + " x'00000000', x'', x'', '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000',"
                    + " '1970-01-01 00:00:01', 1901, '[]', 'a', '', '00000000-0000-0000-0000-000000000000', '0000-00-00',"
                    + " '0000-00-00 00:00:00')",
                    "INSERT INTO types VALUES (2, 127, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
                    + " 9223372036854775807, 18446744073709551615, " + D65_MAX + ", 999.99, 3.4028234663852886e38,"
                    + " 1.7976931348623157e308, b'1', x'FFFFFFFFFFFFFFFF', 'ab  ', 'emoji 😀𝄞 tab\\tand\\nnewline \\\\ \\\\N',"
                    + " 'cr\\r nul \\0 end', x'00FF0010', x'00FF', x'00000000FF00', '9999-12-31', '838:59:59',"
                    + " '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', 2155, '{\"k\": [1, \"ü😀\", null]}', 'd''e',"
                    + " 'x,y,z', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '2024-00-15', '2024-01-01 00:00:00')",
                    "INSERT INTO types (id, dtm) VALUES (3, '2000-01-01')",
                    "INSERT INTO types (id, f, dbl, tm, dtm, u64) VALUES (4, 1.4e-45, 4.9e-324, '01:02:03.5', '2024-01-02 03:04:05.12',"
                    + " 9223372036854775808)",
                    "INSERT INTO types (id, f, dbl, dtm) VALUES (5, -0e0, -0e0, '2024-01-02 03:04:05')",
                    "INSERT INTO types (id, f, dbl, dtm, tx) VALUES (6, 16777216, 0.1, '2024-01-02 03:04:05', '\\\\N')",
                    "INSERT INTO types (id, f, dbl, dtm, tx) VALUES (0, 0, 0, '2024-01-02 03:04:05', 'zero key')");
        }
        c = ItSupport.connect(src);
    }

    @AfterAll
    static void tearDown() throws Exception {
        c.close();
    }

    @Test
    void readTablesMapsEveryNativeTypeAndKeepsKeysDefaultsAndComments() throws Exception {
        Table t = ItSupport.table(c, src, "types");
        Map<String, Column> cols = t.columns().stream().collect(Collectors.toMap(Column::name, x -> x));
        assertThat(t.columns()).extracting(Column::name).startsWith("id", "b", "i8");
        assertThat(cols.get("b").type().kind()).as("tinyint(1) may hold -128..127: an integer, not a boolean").isEqualTo(Kind.INT8);
        assertThat(cols.get("u24").type().kind()).isEqualTo(Kind.UINT32);
        assertThat(cols.get("u64").type().kind()).isEqualTo(Kind.UINT64);
        assertThat(cols.get("u64").type().nativeType()).isEqualTo("bigint(20) unsigned");
        assertThat(cols.get("d65").type()).extracting(x -> x.precision(), x -> x.scale()).containsExactly(65, 30);
        assertThat(cols.get("f").type().kind()).isEqualTo(Kind.FLOAT32);
        assertThat(cols.get("bit64").type().length()).isEqualTo(64);
        assertThat(cols.get("tx").type()).extracting(x -> x.kind(), x -> x.length()).containsExactly(Kind.TEXT, 65535);
        assertThat(cols.get("bl").type().kind()).isEqualTo(Kind.BLOB);
        assertThat(cols.get("tm").type()).extracting(x -> x.kind(), x -> x.precision()).containsExactly(Kind.TIME, 6);
        assertThat(cols.get("ts").type().kind()).isEqualTo(Kind.TIMESTAMP);
        assertThat(cols.get("js").type().kind()).isEqualTo(Kind.JSON);
        assertThat(cols.get("en").type().values()).containsExactly("a", "b c", "d'e");
        assertThat(cols.get("st").type().values()).containsExactly("x", "y", "z");
        assertThat(cols.get("uu").type().kind()).isEqualTo(Kind.UUID);
        assertThat(cols.get("d5").defaultValue()).isEqualTo(ColumnDefault.literal("1.50"));
        assertThat(cols.get("ch").defaultValue()).isEqualTo(ColumnDefault.literal("x'y"));
        assertThat(cols.get("bit64").defaultValue()).isEqualTo(ColumnDefault.literal("0".repeat(61) + "101"));
        assertThat(cols.get("dtm").defaultValue().kind()).isEqualTo(ColumnDefault.Kind.CURRENT_TIMESTAMP);
        assertThat(cols.get("vc").comment()).isEqualTo("a \"commented\" column");
        assertThat(t.comment()).isEqualTo("type 'rich' table");
        assertThat(t.primaryKey()).containsExactly("id");
        assertThat(t.indexes()).contains(new Index("uk_u32", List.of("u32"), true), new Index("idx_vc", List.of("vc"), false),
                new Index("idx_tx", List.of("tx"), false));
        assertThat(t.estimatedBytes()).isPositive();
        assertThat(DIALECT.catalog().unsupportedColumns(t)).isEmpty();
    }

    @Test
    void whatIsNotCarriedIsNamedNotDroppedSilently() throws Exception {
        exec(c, "CREATE TABLE extras (id INT PRIMARY KEY, a INT, twice INT AS (a * 2) VIRTUAL, stored_sum INT AS (a + id) STORED,"
                + " body TEXT, changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,"
                + " KEY k_a (a), FULLTEXT KEY ft_body (body))");
        Table t = ItSupport.table(c, src, "extras");
        assertThat(t.indexes()).extracting(Index::name).containsExactly("k_a");
        List<String> notes = DIALECT.catalog().unsupportedColumns(t);
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("generated column twice").contains("expression is not carried"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("generated column stored_sum"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("ON UPDATE clause of column changed"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("fulltext index ft_body is not carried"));
        assertThat(notes).as("notes are warnings, not type problems").noneMatch(n -> n.startsWith("column "));
        exec(c, "DROP TABLE extras");
    }

    @Test
    void canonicalFormsAreTheDocumentedOnes() throws Exception {
        Table t = ItSupport.table(c, src, "types");
        Map<Object, List<Object>> byId = new java.util.HashMap<>();
        for (List<Object> r : ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)) {
            byId.put(r.get(0), r);
        }
        List<Object> min = byId.get(1L);
        List<Object> max = byId.get(2L);
        assertThat(max.get(col(t, "u64"))).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(byId.get(4L).get(col(t, "u64"))).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(min.get(col(t, "u64"))).isEqualTo(0L);
        assertThat(max.get(col(t, "i64"))).isEqualTo(Long.MAX_VALUE);
        assertThat(min.get(col(t, "i64"))).isEqualTo(Long.MIN_VALUE);
        assertThat(max.get(col(t, "b"))).as("a tinyint(1) holding 127 keeps 127").isEqualTo(127L);
        assertThat(max.get(col(t, "d65"))).isEqualTo(new BigDecimal(D65_MAX));
        assertThat(max.get(col(t, "d5"))).isEqualTo(new BigDecimal("999.99"));
        assertThat(max.get(col(t, "f"))).isEqualTo(Float.MAX_VALUE);
        assertThat(min.get(col(t, "f"))).isEqualTo(-Float.MAX_VALUE);
        assertThat(max.get(col(t, "dbl"))).isEqualTo(Double.MAX_VALUE);
        assertThat(byId.get(4L).get(col(t, "f"))).isEqualTo(Float.MIN_VALUE);
        assertThat(byId.get(4L).get(col(t, "dbl"))).isEqualTo(Double.MIN_VALUE);
        assertThat(byId.get(5L).get(col(t, "f"))).isEqualTo(-0.0f);
        assertThat(byId.get(5L).get(col(t, "dbl"))).isEqualTo(-0.0d);
        assertThat(byId.get(6L).get(col(t, "f"))).isEqualTo(16777216f);
        assertThat(max.get(col(t, "bit64"))).isEqualTo("1".repeat(64));
        assertThat(max.get(col(t, "bit1"))).isEqualTo("1");
        assertThat(min.get(col(t, "bit64"))).isEqualTo("0".repeat(64));
        assertThat(max.get(col(t, "ch"))).isEqualTo("ab");
        assertThat(max.get(col(t, "vc"))).isEqualTo("emoji 😀𝄞 tab\tand\nnewline \\ \\N");
        assertThat(max.get(col(t, "bin"))).isEqualTo("0x00ff0010");
        assertThat(max.get(col(t, "tm"))).isEqualTo("838:59:59");
        assertThat(min.get(col(t, "tm"))).isEqualTo("-838:59:59");
        assertThat(byId.get(4L).get(col(t, "tm"))).isEqualTo("1:02:03.5");
        assertThat(max.get(col(t, "dtm"))).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(min.get(col(t, "dtm"))).isEqualTo("1000-01-01 00:00:00");
        assertThat(byId.get(4L).get(col(t, "dtm"))).isEqualTo("2024-01-02 03:04:05.12");
        assertThat(max.get(col(t, "ts"))).isEqualTo("2038-01-19 03:14:07.999999");
        assertThat(min.get(col(t, "ts"))).isEqualTo("1970-01-01 00:00:01");
        assertThat(max.get(col(t, "dt"))).isEqualTo("9999-12-31");
        assertThat(min.get(col(t, "yr"))).isEqualTo(1901L);
        assertThat(max.get(col(t, "yr"))).isEqualTo(2155L);
        assertThat(max.get(col(t, "en"))).isEqualTo("d'e");
        assertThat(max.get(col(t, "st"))).isEqualTo("x,y,z");
        assertThat(max.get(col(t, "uu"))).isEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(byId.get(3L).subList(1, 12)).containsOnlyNulls();
    }

    @Test
    void zeroDatesAreReadVerbatimOrAsTheProjectChooses() throws Exception {
        Table t = ItSupport.table(c, src, "types");
        List<Object> stored = row(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT), 1L);
        assertThat(stored.get(col(t, "dt0"))).isEqualTo("0000-00-00");
        assertThat(stored.get(col(t, "dtm0"))).isEqualTo("0000-00-00 00:00:00");
        assertThat(row(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT), 2L).get(col(t, "dt0"))).isEqualTo("2024-00-15");

        List<String> warnings = new ArrayList<>();
        List<List<Object>> rows = ItSupport.rows(c, t, KeyRange.ALL, new ReadOptions(ZeroDates.NULL, warnings::add));
        assertThat(row(rows, 1L).get(col(t, "dt0"))).isNull();
        assertThat(row(rows, 1L).get(col(t, "dtm0"))).isNull();
        assertThat(row(rows, 2L).get(col(t, "dt0"))).isNull();
        assertThat(warnings).anyMatch(w -> w.contains("dt0") && w.contains("NULL") && w.contains("types"));

        rows = ItSupport.rows(c, t, KeyRange.ALL, new ReadOptions(ZeroDates.replaceWith("1970-01-01"), w -> { }));
        assertThat(row(rows, 1L).get(col(t, "dt0"))).isEqualTo("1970-01-01");
        assertThat(row(rows, 1L).get(col(t, "dtm0"))).isEqualTo("1970-01-01 00:00:00");
        assertThat(row(rows, 2L).get(col(t, "dt0"))).isEqualTo("1970-01-01");

        assertThatThrownBy(() -> ItSupport.rows(c, t, KeyRange.ALL, new ReadOptions(ZeroDates.FAIL, w -> { })))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("dt0").hasMessageContaining("0000-00-00").hasMessageContaining("types")
                .extracting(e -> ((TidewayException) e).code()).isEqualTo(ErrorCode.DATA_INVALID);
    }

    private static List<Object> row(List<List<Object>> rows, long id) {
        return rows.stream().filter(r -> r.get(0).equals(id)).findFirst().orElseThrow();
    }

    @Test
    void bulkInsertCopiesEveryValueExactly() throws Exception {
        for (String name : List.of("types", "all_types")) {
            Table t = ItSupport.table(c, src, name);
            Table target = create(t, bulk);
            WriteResult w;
            try (Connection d = ItSupport.connect(bulk)) {
                w = DIALECT.writer().bulkInsert(d, target, ItSupport.rawRows(c, t).iterator());
                assertThat(ItSupport.rows(d, target, KeyRange.ALL, ReadOptions.DEFAULT))
                        .isEqualTo(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT));
                Table back = ItSupport.table(d, bulk, name);
                assertThat(back.columns()).isEqualTo(t.columns());
                assertThat(back.comment()).isEqualTo(t.comment());
                assertThat(back.indexes()).containsExactlyInAnyOrderElementsOf(t.indexes());
            }
            assertThat(w.rows()).isEqualTo(ItSupport.rawRows(c, t).size());
            assertThat(w.bytes()).isPositive();
        }
    }

    @Test
    void upsertCopiesEveryValueExactlyAndTwiceChangesNothing() throws Exception {
        for (String name : List.of("types", "all_types")) {
            Table t = ItSupport.table(c, src, name);
            Table target = create(t, ups);
            try (Connection d = ItSupport.connect(ups)) {
                DIALECT.writer().upsert(d, target, ItSupport.rawRows(c, t).iterator());
                DIALECT.writer().upsert(d, target, ItSupport.rawRows(c, t).iterator());
                assertThat(ItSupport.rows(d, target, KeyRange.ALL, ReadOptions.DEFAULT))
                        .isEqualTo(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT));
            }
        }
    }

    private static Table create(Table t, String schema) throws Exception {
        Table target = ItSupport.moved(t, schema);
        CreateTablePlan plan = DIALECT.schema().createTable(target, MySqlPlugin.FAMILY);
        assertThat(plan.problems()).isEmpty();
        try (Connection d = ItSupport.connect(schema)) {
            exec(d, plan.statements().toArray(new String[0]));
            exec(d, DIALECT.schema().createIndexesSql(target).toArray(new String[0]));
        }
        return target;
    }

    private static int col(Table t, String name) {
        return t.columnIndex(name);
    }
}

package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.DIALECT;
import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.Index;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.ReadOptions;
import io.tideway.test.EmbeddedServers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tables from another family get the documented MySQL types; key ranges cut tables exactly. */
class MySqlDdlAndChunksIT {
    static String db;
    static Connection c;

    @BeforeAll
    static void setUp() {
        db = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlDdlAndChunksIT.class, "db");
        c = ItSupport.connect(db);
    }

    @AfterAll
    static void tearDown() throws Exception {
        c.close();
    }

    private static Column col(String name, ColumnType t, boolean nullable) {
        return new Column(name, t, nullable, null, false, null);
    }

    private static Table postgresTable(String name, boolean withOther) {
        List<Column> cols = new ArrayList<>(List.of(
                col("id", ColumnType.sized(Kind.TEXT, 0, "text"), false),
                col("tod", ColumnType.temporal(Kind.TIME_OF_DAY, 3, "time(3) without time zone"), true),
                col("ts", ColumnType.temporal(Kind.TIMESTAMP, 6, "timestamp(6) with time zone"), true),
                col("num", ColumnType.decimal(0, 0, "numeric"), true),
                col("arr", ColumnType.array(ColumnType.of(Kind.INT32, "integer"), "integer[]"), true),
                col("body", ColumnType.sized(Kind.TEXT, 0, "text"), true),
                col("raw", ColumnType.sized(Kind.BLOB, 0, "bytea"), true),
                col("mood", ColumnType.labels(Kind.ENUM, List.of("sad", "it's"), "mood"), true),
                new Column("n", ColumnType.of(Kind.INT64, "bigint"), false, null, true, "identity \"column\"")));
        if (withOther) {
            cols.add(col("addr", ColumnType.of(Kind.OTHER, "inet"), true));
        }
        return new Table(new TableId(db, name), cols, List.of("id"),
                List.of(new Index(name + "_body", List.of("body", "raw"), false), new Index(name + "_n", List.of("n"), true)),
                "from PostgreSQL", 0, 0);
    }

    @Test
    void aTypeWithNoEquivalentIsAProblemAndNothingIsCreated() {
        CreateTablePlan plan = DIALECT.schema().createTable(postgresTable("pg_other", true), new DataSourceType.Family("postgresql"));
        assertThat(plan.problems()).containsExactly("column addr: type inet has no equivalent in MySQL");
        assertThat(plan.statements()).isEmpty();
    }

    @Test
    void crossFamilyTablesGetTheMappedTypesAndTakeTheirValues() throws Exception {
        Table t = postgresTable("pg_like", false);
        CreateTablePlan plan = DIALECT.schema().createTable(t, new DataSourceType.Family("postgresql"));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.warnings()).anyMatch(w -> w.contains("num") && w.contains("decimal(65,30)"));
        exec(c, plan.statements().toArray(new String[0]));
        exec(c, DIALECT.schema().createIndexesSql(t).toArray(new String[0]));
        Table back = ItSupport.table(c, db, "pg_like");
        Map<String, String> types = back.columns().stream().collect(Collectors.toMap(Column::name, x -> x.type().nativeType()));
        assertThat(types).containsEntry("id", "varchar(768)").containsEntry("tod", "time(3)").containsEntry("ts", "datetime(6)")
                .containsEntry("num", "decimal(65,30)").containsEntry("arr", "json").containsEntry("body", "longtext")
                .containsEntry("raw", "longblob").containsEntry("mood", "enum('sad','it''s')").containsEntry("n", "bigint(20)");
        assertThat(back.column("n").orElseThrow().autoIncrement()).isTrue();
        assertThat(back.column("n").orElseThrow().comment()).isEqualTo("identity \"column\"");
        assertThat(back.comment()).isEqualTo("from PostgreSQL");
        assertThat(back.indexes()).extracting(Index::name).contains("pg_like_body", "pg_like_n");

        String longText = "ü😀".repeat(5000);
        List<Object[]> rows = List.of(
                new Object[] {"a", "23:59:59.999", "2024-01-02 03:04:05.5", new BigDecimal("12345.678"), "[1, null, -3]", longText,
                    new byte[] {0, -1, 0}, "it's", 1L},
                new Object[] {"A", "24:00:00", "9999-12-31 23:59:59.999999", new BigDecimal("-0.000000000000000000000000000001"),
                    "[]", "", new byte[0], "sad", 2L});
        DIALECT.writer().bulkInsert(c, t, rows.iterator());
        List<List<Object>> read = ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT);
        assertThat(read).hasSize(2); // "a" and "A" are distinct keys (binary collation)
        List<Object> a = read.stream().filter(r -> r.get(0).equals("a")).findFirst().orElseThrow();
        assertThat(a.subList(0, 3)).containsExactly("a", "23:59:59.999", "2024-01-02 03:04:05.5");
        assertThat(((BigDecimal) a.get(3)).compareTo(new BigDecimal("12345.678"))).isZero();
        assertThat(a.get(4)).isEqualTo("[1, null, -3]");
        assertThat(a.get(5)).isEqualTo(longText);
        assertThat(a.get(6)).isEqualTo("0x00ff00");
        List<Object> upper = read.stream().filter(r -> r.get(0).equals("A")).findFirst().orElseThrow();
        assertThat(upper.get(1)).isEqualTo("24:00:00");
        assertThat(upper.get(2)).isEqualTo("9999-12-31 23:59:59.999999");
    }

    @Test
    void nextBoundaryWalksACompositeKeyExactlyAndRangesCoverEveryRowOnce() throws Exception {
        exec(c, "CREATE TABLE chunked (a INT NOT NULL, b VARCHAR(10) NOT NULL, v INT, PRIMARY KEY (a, b))");
        StringBuilder ins = new StringBuilder("INSERT INTO chunked VALUES ");
        for (int i = 0; i < 100; i++) {
            ins.append(i == 0 ? "" : ",").append("(").append(i / 10).append(", 'k").append(9 - i % 10).append("', ").append(i).append(")");
        }
        exec(c, ins.toString());
        Table t = ItSupport.table(c, db, "chunked");
        List<List<Object>> all = ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT);
        assertThat(all).hasSize(100);
        List<List<Object>> boundaries = new ArrayList<>();
        List<Object> after = null;
        while (true) {
            Optional<List<Object>> next = DIALECT.rows().nextBoundary(c, t, after, 7);
            if (next.isEmpty()) {
                break;
            }
            boundaries.add(next.get());
            after = next.get();
        }
        assertThat(boundaries).hasSize(14);
        for (int k = 0; k < boundaries.size(); k++) {
            assertThat(boundaries.get(k)).isEqualTo(all.get(7 * (k + 1) - 1).subList(0, 2));
        }
        // chunks [start, b1), [b1, b2) ... [b14, end) hold every row once, in order
        List<List<Object>> chunked = new ArrayList<>();
        List<Object> lower = null;
        for (int k = 0; k <= boundaries.size(); k++) {
            List<Object> upper = k < boundaries.size() ? boundaries.get(k) : null;
            chunked.addAll(ItSupport.rows(c, t, new KeyRange(lower, upper), ReadOptions.DEFAULT));
            lower = upper;
        }
        assertThat(chunked).isEqualTo(all);
        assertThat(ItSupport.rows(c, t, new KeyRange(List.of(3L, "k5"), List.of(4L, "k7")), ReadOptions.DEFAULT))
                .extracting(r -> r.get(2)).containsExactly(34L, 33L, 32L, 31L, 30L, 49L, 48L, 47L, 46L, 45L, 44L, 43L);
        assertThat(DIALECT.writer().deleteRange(c, t, new KeyRange(List.of(3L, "k5"), List.of(4L, "k7")))).isEqualTo(12);
        assertThat(ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT)).hasSize(88);
    }

    @Test
    void unsignedBigintAndTimestampKeysCompareAsTheirTypes() throws Exception {
        exec(c, "CREATE TABLE ukey (k BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT)",
                "INSERT INTO ukey VALUES (0, 1), (9223372036854775807, 2), (9223372036854775808, 3), (18446744073709551615, 4)",
                "CREATE TABLE tskey (k TIMESTAMP(6) NOT NULL PRIMARY KEY, v INT)",
                "INSERT INTO tskey VALUES ('1970-01-01 00:00:01', 1), ('2000-01-01 00:00:00.5', 2), ('2038-01-19 03:14:07.999999', 3)");
        Table u = ItSupport.table(c, db, "ukey");
        Optional<BigInteger[]> bounds = DIALECT.rows().integerKeyBounds(c, u);
        assertThat(bounds).isPresent();
        assertThat(bounds.get()).containsExactly(BigInteger.ZERO, new BigInteger("18446744073709551615"));
        assertThat(ItSupport.rows(c, u, new KeyRange(List.of(new BigInteger("9223372036854775808")), null), ReadOptions.DEFAULT))
                .extracting(r -> r.get(1)).containsExactly(3L, 4L);
        assertThat(ItSupport.rows(c, u, new KeyRange(List.of(1L), List.of(new BigInteger("18446744073709551615"))), ReadOptions.DEFAULT))
                .extracting(r -> r.get(1)).containsExactly(2L, 3L);
        Table ts = ItSupport.table(c, db, "tskey");
        assertThat(ItSupport.rows(c, ts, new KeyRange(List.of("2000-01-01 00:00:00.5"), List.of("2038-01-19 03:14:07.999999")),
                ReadOptions.DEFAULT)).containsExactly(Arrays.asList("2000-01-01 00:00:00.5", 2L));
        assertThat(DIALECT.rows().nextBoundary(c, ts, List.of("1970-01-01 00:00:01"), 2)).contains(List.of("2038-01-19 03:14:07.999999"));
        exec(c, "CREATE TABLE enumkey (k ENUM('zeta', 'alpha', 'mid') NOT NULL PRIMARY KEY, v INT)",
                "INSERT INTO enumkey VALUES ('zeta', 1), ('alpha', 2), ('mid', 3)");
        Table e = ItSupport.table(c, db, "enumkey");
        assertThat(ItSupport.rows(c, e, KeyRange.ALL, ReadOptions.DEFAULT)).extracting(r -> r.get(1)).containsExactly(1L, 2L, 3L);
        assertThat(DIALECT.rows().nextBoundary(c, e, null, 2)).contains(List.of("alpha"));
        assertThat(ItSupport.rows(c, e, new KeyRange(List.of("alpha"), null), ReadOptions.DEFAULT))
                .extracting(r -> r.get(1)).containsExactly(2L, 3L);
        exec(c, "CREATE TABLE empty_int (k INT NOT NULL PRIMARY KEY)");
        assertThat(DIALECT.rows().integerKeyBounds(c, ItSupport.table(c, db, "empty_int"))).isEmpty();
        assertThat(DIALECT.catalog().hasRows(c, new TableId(db, "empty_int"))).isFalse();
        assertThat(DIALECT.catalog().hasRows(c, new TableId(db, "ukey"))).isTrue();
    }

    @Test
    void chunkChecksumsTellEqualRowsFromDifferentOnesAndRowsAreReadByKey() throws Exception {
        exec(c, "CREATE TABLE cs_a (id INT PRIMARY KEY, t VARCHAR(20), f FLOAT, bits BIT(8), e ENUM('x','y'), bin VARBINARY(8))",
                "INSERT INTO cs_a SELECT seq, CONCAT('row ', seq), seq / 3, seq, ELT(1 + seq % 2, 'x', 'y'), UNHEX(HEX(seq))"
                        + " FROM seq_1_to_100",
                "CREATE TABLE cs_b LIKE cs_a", "INSERT INTO cs_b SELECT * FROM cs_a ORDER BY id DESC");
        Table a = ItSupport.table(c, db, "cs_a");
        Table b = ItSupport.table(c, db, "cs_b");
        KeyRange r = new KeyRange(List.of(10L), List.of(50L));
        assertThat(DIALECT.verify().chunkChecksum(c, a, r)).isEqualTo(DIALECT.verify().chunkChecksum(c, b, r));
        assertThat(DIALECT.verify().chunkChecksum(c, a, r).orElseThrow().rows()).isEqualTo(40);
        assertThat(DIALECT.verify().chunkChecksum(c, a, KeyRange.ALL).orElseThrow().rows()).isEqualTo(100);
        exec(c, "UPDATE cs_b SET t = '' WHERE id = 20");
        assertThat(DIALECT.verify().chunkChecksum(c, a, r)).isNotEqualTo(DIALECT.verify().chunkChecksum(c, b, r));
        exec(c, "UPDATE cs_a SET t = NULL WHERE id = 20");
        assertThat(DIALECT.verify().chunkChecksum(c, a, r)).as("NULL against ''").isNotEqualTo(DIALECT.verify().chunkChecksum(c, b, r));
        exec(c, "UPDATE cs_b SET t = NULL WHERE id = 20");
        assertThat(DIALECT.verify().chunkChecksum(c, a, r)).isEqualTo(DIALECT.verify().chunkChecksum(c, b, r));
        // a FLOAT change below the 6 digits its text shows
        exec(c, "UPDATE cs_b SET f = 1.0000001 WHERE id = 30", "UPDATE cs_a SET f = 1.0 WHERE id = 30");
        assertThat(DIALECT.verify().chunkChecksum(c, a, r)).isNotEqualTo(DIALECT.verify().chunkChecksum(c, b, r));

        List<Object> ids = new ArrayList<>();
        try (var cur = DIALECT.rows().openRowsByKeys(c, a, List.of(List.of(7L), List.of(5L), List.of(1000L)), ReadOptions.DEFAULT)) {
            while (cur.next()) {
                ids.add(cur.row()[0]);
            }
        }
        assertThat(ids).containsExactly(5L, 7L);
        exec(c, "CREATE TABLE cs_pair (k BIT(4) NOT NULL, e ENUM('b','a') NOT NULL, v INT, PRIMARY KEY (k, e))",
                "INSERT INTO cs_pair VALUES (b'0001', 'a', 1), (b'0001', 'b', 2), (b'0010', 'a', 3)");
        Table pair = ItSupport.table(c, db, "cs_pair");
        List<Object> vs = new ArrayList<>();
        try (var cur = DIALECT.rows().openRowsByKeys(c, pair, List.of(List.of("0010", "a"), List.of("0001", "b")), ReadOptions.DEFAULT)) {
            while (cur.next()) {
                vs.add(cur.row()[2]);
            }
        }
        assertThat(vs).containsExactly(2L, 3L);
    }
}

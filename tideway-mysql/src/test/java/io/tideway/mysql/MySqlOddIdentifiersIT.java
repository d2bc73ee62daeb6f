package io.tideway.mysql;

import static io.tideway.mysql.ItSupport.DIALECT;
import static io.tideway.mysql.ItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.KeyRange;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.spi.CreateTablePlan;
import io.tideway.core.spi.ReadOptions;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.TypeRichData;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Names with spaces, quotes, backticks, reserved words and mixed case survive every path. */
class MySqlOddIdentifiersIT {
    static final String ODD_SCHEMA = "Odd `db` \"x\"";
    static final String ODD_TABLE = "we\"ird` name";
    static String src;
    static Connection c;

    @BeforeAll
    static void setUp() throws Exception {
        src = EmbeddedServers.freshDatabase(ItSupport.server(), MySqlOddIdentifiersIT.class, "src");
        c = ItSupport.connect(src);
        exec(c, "DROP DATABASE IF EXISTS " + DIALECT.quote(ODD_SCHEMA));
        exec(c, DIALECT.schema().createSchemaSql(ODD_SCHEMA).toArray(new String[0]));
        exec(c, "CREATE TABLE " + DIALECT.quote(ODD_TABLE) + " (`Select` INT NOT NULL, `Mixed Case` VARCHAR(20) NOT NULL,"
                + " `we\"ird`` col` TEXT COMMENT 'it''s odd', PRIMARY KEY (`Select`, `Mixed Case`),"
                + " UNIQUE KEY `Order` (`we\"ird`` col`(10)), KEY `key ``x``` (`Mixed Case`)) COMMENT 'odd \\\\ table'",
                "INSERT INTO " + DIALECT.quote(ODD_TABLE) + " VALUES (1, 'a', 'x'), (1, 'B', NULL), (2, 'a', 'tab\\there'),"
                + " (3, 'Z', '`')");
        try (Connection raw = ItSupport.server().connect(src)) {
            TypeRichData.mariadbOddNames(raw);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        exec(c, "DROP DATABASE IF EXISTS " + DIALECT.quote(ODD_SCHEMA));
        c.close();
    }

    @Test
    void quotingDoublesBackticks() {
        assertThat(DIALECT.quote("a`b")).isEqualTo("`a``b`");
        assertThat(DIALECT.quote(new TableId("s", "Select"))).isEqualTo("`s`.`Select`");
    }

    @Test
    void oddNamesSurviveCatalogDdlReadsWritesChunksAndDeletes() throws Exception {
        assertThat(DIALECT.catalog().listSchemas(c)).contains(ODD_SCHEMA, src).doesNotContain("mysql", "information_schema");
        for (Table t : DIALECT.catalog().readTables(c, src, id -> true)) {
            Table target = ItSupport.moved(t, ODD_SCHEMA);
            CreateTablePlan plan = DIALECT.schema().createTable(target, MySqlPlugin.FAMILY);
            assertThat(plan.problems()).isEmpty();
            try (Connection d = ItSupport.connect(ODD_SCHEMA)) {
                exec(d, plan.statements().toArray(new String[0]));
                exec(d, DIALECT.schema().createIndexesSql(target).toArray(new String[0]));
                Table back = ItSupport.table(d, ODD_SCHEMA, t.id().table());
                assertThat(back.columns()).isEqualTo(t.columns());
                assertThat(back.indexes()).containsExactlyInAnyOrderElementsOf(t.indexes());
                assertThat(back.comment()).isEqualTo(t.comment());

                List<List<Object>> expected = ItSupport.rows(c, t, KeyRange.ALL, ReadOptions.DEFAULT);
                DIALECT.writer().bulkInsert(d, target, ItSupport.rawRows(c, t).iterator());
                assertThat(ItSupport.rows(d, target, KeyRange.ALL, ReadOptions.DEFAULT)).isEqualTo(expected);
                DIALECT.writer().upsert(d, target, ItSupport.rawRows(c, t).iterator());
                assertThat(ItSupport.rows(d, target, KeyRange.ALL, ReadOptions.DEFAULT)).isEqualTo(expected);
                assertThat(DIALECT.catalog().hasRows(d, target.id())).isTrue();

                Optional<List<Object>> b1 = DIALECT.rows().nextBoundary(d, target, null, 2);
                assertThat(b1).isPresent();
                List<List<Object>> firstChunk = ItSupport.rows(d, target, new KeyRange(null, b1.get()), ReadOptions.DEFAULT);
                assertThat(firstChunk).isEqualTo(expected.subList(0, 1));
                assertThat(DIALECT.writer().deleteRange(d, target, new KeyRange(b1.get(), null))).isEqualTo(expected.size() - 1);
                exec(d, DIALECT.schema().truncateSql(target.id()));
                assertThat(DIALECT.catalog().hasRows(d, target.id())).isFalse();
                exec(d, DIALECT.schema().dropTableSql(target.id()));
                assertThat(DIALECT.catalog().readTables(d, ODD_SCHEMA, id -> id.equals(target.id()))).isEmpty();
            }
        }
        Table odd = ItSupport.table(c, src, ODD_TABLE);
        assertThat(odd.primaryKey()).containsExactly("Select", "Mixed Case");
        assertThat(odd.column("we\"ird` col").orElseThrow().comment()).isEqualTo("it's odd");
        assertThat(odd.comment()).isEqualTo("odd \\ table");
        assertThat(ItSupport.rows(c, odd, new KeyRange(List.of(1L, "b"), null), ReadOptions.DEFAULT))
                .containsExactly(Arrays.asList(1L, "B", null), Arrays.asList(2L, "a", "tab\there"), Arrays.asList(3L, "Z", "`"));
    }

    @Test
    void anOddSchemaNameWorksAsTheConnectionsDatabase() throws Exception {
        try (Connection d = DIALECT.connect(ItSupport.config(ODD_SCHEMA).withDatabase(ODD_SCHEMA))) {
            assertThat(DIALECT.catalog().readTables(d, ODD_SCHEMA, id -> true)).isNotNull();
        }
        assertThat(DIALECT.catalog().defaultSchema(ItSupport.config(ODD_SCHEMA))).isEqualTo(ODD_SCHEMA);
    }
}

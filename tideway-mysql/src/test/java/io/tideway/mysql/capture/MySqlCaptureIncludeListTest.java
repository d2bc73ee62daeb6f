package io.tideway.mysql.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.change.CaptureState;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import io.tideway.mysql.MySqlPlugin;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which tables the binlog reader is told to read, without a server. */
class MySqlCaptureIncludeListTest {
    private static final CaptureState NO_STATE = new CaptureState() {
        @Override
        public Map<String, String> loadOffsets() {
            return Map.of();
        }

        @Override
        public void saveOffsets(Map<String, String> offsets) { }

        @Override
        public List<String> loadHistory() {
            return List.of();
        }

        @Override
        public void appendHistory(String record) { }
    };
    private static final DataSourceConfig SOURCE = new DataSourceConfig(MySqlPlugin.MARIADB, "h", 3306, "u", "", "shop",
            Map.of());

    /** The connector matches each comma-separated regular expression against "db.table", whole and ignoring case. */
    private static boolean reads(String list, String table) {
        return Arrays.stream(list.split(",")).anyMatch(r -> Pattern.compile(r, Pattern.CASE_INSENSITIVE).matcher(table).matches());
    }

    @Test
    void withoutPatternsOnlyTheListedTablesAreRead() {
        CaptureSpec spec = new CaptureSpec("c", 1, SOURCE, List.of(new TableId("shop", "orders")), NO_STATE, null);
        assertThat(MySqlCapture.tableIncludeList(spec)).as("the table, and Tideway's marker table for loop prevention")
                .isEqualTo("shop\\.orders,shop\\.tideway_apply_marker");
        assertThat(MySqlCapture.databaseIncludeList(spec)).isEqualTo("shop");
    }

    @Test
    void patternsAddTablesCreatedOrRenamedLaterButNotExcludedOnes() {
        CaptureSpec spec = new CaptureSpec("c", 1, SOURCE, List.of(new TableId("shop", "orders"), new TableId("crm", "a,b")),
                NO_STATE, null, new TablePatterns(List.of("shop.*", "crm.a,b", "s?les.t*"), List.of("shop.tmp_*", "s?les.tx")));
        String tables = MySqlCapture.tableIncludeList(spec);
        assertThat(reads(tables, "shop.orders")).isTrue();
        assertThat(reads(tables, "shop.orders_v2")).isTrue();
        assertThat(reads(tables, "shop.tmp_work")).isFalse();
        assertThat(reads(tables, "shopx.orders")).isFalse();
        assertThat(reads(tables, "crm.a,b")).as("a comma in a name is escaped").isTrue();
        assertThat(reads(tables, "sales.t1")).isTrue();
        assertThat(reads(tables, "sales.tx")).isFalse();
        assertThat(reads(tables, "sales.tx2")).isTrue();
        String dbs = MySqlCapture.databaseIncludeList(spec);
        assertThat(reads(dbs, "shop")).isTrue();
        assertThat(reads(dbs, "sales")).isTrue();
        assertThat(reads(dbs, "crm")).isTrue();
        assertThat(reads(dbs, "other")).isFalse();
    }

    @Test
    void theSessionPassesDdlOfAnyTableOfACoveredDatabase() {
        CaptureSpec spec = new CaptureSpec("c", 1, SOURCE, List.of(new TableId("shop", "orders")), NO_STATE, null,
                new TablePatterns(List.of("shop.o*"), List.of()));
        CapturedTables t = new CapturedTables(spec);
        assertThat(t.contains(new TableId("shop", "orders"))).isTrue();
        assertThat(t.contains(new TableId("shop", "renamed_away"))).isTrue();
        assertThat(t.contains(new TableId("other", "orders"))).isFalse();
        assertThat(new CapturedTables(new CaptureSpec("c", 1, SOURCE, List.of(new TableId("shop", "orders")), NO_STATE, null))
                .contains(new TableId("shop", "x"))).isFalse();
    }

    @Test
    void tidewaysOwnTablesAreNeverReadAsUserTablesOnlyTheMarkerOfEachSchemaReadForLoopPrevention() {
        CaptureSpec spec = new CaptureSpec("c", 1, SOURCE, List.of(new TableId("shop", "orders")), NO_STATE, null,
                new TablePatterns(List.of("shop.*", "sales.*"), List.of()));
        String tables = MySqlCapture.tableIncludeList(spec);
        assertThat(reads(tables, "shop.tideway_apply_marker")).as("its writes tell Tideway's own transactions").isTrue();
        assertThat(reads(tables, "sales.tideway_apply_marker")).as("a schema no table of the project is in").isFalse();
        assertThat(reads(tables, "sales.orders")).isTrue();
        // the session passes neither the marker's rows nor its DDL on as a user table's
        CapturedTables t = new CapturedTables(spec);
        for (String name : io.tideway.core.project.TidewayTables.NAMES) {
            assertThat(t.contains(new TableId("shop", name))).as(name).isFalse();
        }
        assertThat(t.contains(new TableId("shop", "new_table"))).isTrue();
    }
}

package io.tideway.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.Column;
import io.tideway.core.model.ColumnDefault;
import io.tideway.core.model.ColumnType;
import io.tideway.core.model.ColumnType.Kind;
import io.tideway.core.model.DataSourceType.Family;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Column changes during incremental sync: type with a cast, nullability, default, and an enum's CHECK. */
class PostgresModifyColumnTest {
    private static final PostgresDialect D = new PostgresDialect();
    private static final TableId T = new TableId("shop", "items");

    private static Table table(Column... cols) {
        return new Table(T, List.of(cols), List.of("id"), List.of(), null, 0, 0);
    }

    @Test
    void typeNullabilityAndDefaultAreSetInTurn() {
        Table t = table(new Column("id", ColumnType.of(Kind.INT64, "bigint"), false, null, true, null),
                new Column("qty", ColumnType.of(Kind.INT64, "bigint"), true, ColumnDefault.literal("0"), false, null));
        String a = "ALTER TABLE \"shop\".\"items\" ";
        assertThat(D.schema().modifyColumnSql(t, "qty", new Family("mysql"))).containsExactly(
                a + "DROP CONSTRAINT IF EXISTS \"items_qty_check\"",
                a + "ALTER COLUMN \"qty\" DROP IDENTITY IF EXISTS",
                a + "ALTER COLUMN \"qty\" DROP DEFAULT",
                a + "ALTER COLUMN \"qty\" TYPE bigint USING \"qty\"::bigint",
                a + "ALTER COLUMN \"qty\" DROP NOT NULL",
                a + "ALTER COLUMN \"qty\" SET DEFAULT '0'");
        assertThat(D.schema().modifyColumnSql(t, "id", new Family("mysql"))).as("an identity column keeps its identity").containsExactly(
                a + "DROP CONSTRAINT IF EXISTS \"items_id_check\"",
                a + "ALTER COLUMN \"id\" TYPE bigint USING \"id\"::bigint",
                a + "ALTER COLUMN \"id\" SET NOT NULL");
    }

    @Test
    void anEnumFromAnotherFamilyGetsItsCheckAgain() {
        Table t = table(new Column("id", ColumnType.of(Kind.INT64, "bigint"), false, null, false, null),
                new Column("size", ColumnType.labels(Kind.ENUM, List.of("S", "M", "L"), "enum('S','M','L')"), true, null, false, null));
        assertThat(D.schema().modifyColumnSql(t, "size", new Family("mysql"))).last().asString()
                .isEqualTo("ALTER TABLE \"shop\".\"items\" ADD CONSTRAINT \"items_size_check\" CHECK (\"size\" IN ('S', 'M', 'L'))");
    }

    @Test
    void aTypeWithoutEquivalentIsRefusedNamingTheColumn() {
        Table t = table(new Column("id", ColumnType.of(Kind.INT64, "bigint"), false, null, false, null),
                new Column("spot", ColumnType.of(Kind.OTHER, "point"), true, null, false, null));
        assertThatThrownBy(() -> D.schema().modifyColumnSql(t, "spot", new Family("mysql")))
                .isInstanceOfSatisfying(TidewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
                .hasMessageContaining("column spot");
    }
}

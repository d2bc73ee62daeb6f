package io.tideway.mysql;

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

/** Column changes during incremental sync, written as CREATE TABLE would write the column. */
class MySqlModifyColumnTest {
    private static final MySqlDialect D = new MySqlDialect();
    private static final TableId T = new TableId("shop", "items");

    private static Table table(Column... cols) {
        return new Table(T, List.of(cols), List.of("id"), List.of(), null, 0, 0);
    }

    @Test
    void theWholeDefinitionIsRestatedInTheDestinationsTypes() {
        Table t = table(new Column("id", ColumnType.of(Kind.INT64, "bigint"), false, null, false, null),
                new Column("name", ColumnType.sized(Kind.VARCHAR, 100, "character varying(100)"), false,
                        ColumnDefault.literal("none"), false, null));
        assertThat(D.schema().modifyColumnSql(t, "name", new Family("postgresql")))
                .containsExactly("ALTER TABLE `shop`.`items` MODIFY COLUMN `name` varchar(100) NOT NULL DEFAULT 'none'");
        assertThat(D.schema().modifyColumnSql(t, "id", new Family("postgresql")))
                .containsExactly("ALTER TABLE `shop`.`items` MODIFY COLUMN `id` bigint NOT NULL");
        assertThat(D.schema().modifyColumnSql(t, "name", MySqlPlugin.FAMILY)).as("within the family the native type is kept")
                .containsExactly("ALTER TABLE `shop`.`items` MODIFY COLUMN `name` character varying(100) NOT NULL DEFAULT 'none'");
    }

    @Test
    void aTypeWithoutEquivalentIsRefusedNamingTheColumn() {
        Table t = table(new Column("id", ColumnType.of(Kind.INT64, "bigint"), false, null, false, null),
                new Column("addr", ColumnType.of(Kind.OTHER, "inet"), true, null, false, null));
        assertThatThrownBy(() -> D.schema().modifyColumnSql(t, "addr", new Family("postgresql")))
                .isInstanceOfSatisfying(TidewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_TYPE))
                .hasMessageContaining("column addr");
    }
}

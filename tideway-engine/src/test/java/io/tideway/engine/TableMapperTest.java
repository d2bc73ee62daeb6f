package io.tideway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableMapperTest {
    @Test
    void globsMatchWholeNamesCaseSensitively() {
        var p = TableMapper.compile("shop.ord*", "x");
        assertThat(p[0].matcher("shop").matches()).isTrue();
        assertThat(p[1].matcher("orders").matches()).isTrue();
        assertThat(p[1].matcher("Orders").matches()).isFalse();
        assertThat(p[1].matcher("my_orders").matches()).isFalse();
    }

    @Test
    void aPatternWithoutSchemaMeansTheDefaultSchema() {
        var p = TableMapper.compile("t?", "public");
        assertThat(p[0].matcher("public").matches()).isTrue();
        assertThat(p[1].matcher("t1").matches()).isTrue();
        assertThat(p[1].matcher("t12").matches()).isFalse();
    }

    @Test
    void regexCharactersInNamesAreLiteral() {
        var p = TableMapper.compile("a.b+c(d)", "x");
        assertThat(p[1].matcher("b+c(d)").matches()).isTrue();
        assertThat(p[1].matcher("bbc(d)").matches()).isFalse();
    }

    @Test
    void renameKeysNameADottedSchemaInDoubleQuotes() {
        var cfg = io.tideway.engine.config.ProjectFiles.load("""
                name: q
                source: { type: postgresql, host: h, user: u, database: d }
                destination: { type: postgresql, host: h, user: u, database: d }
                steps: [schema]
                tables:
                  include: ['"Quoted_"" . Schema".*']
                  rename:
                    schemas: { '"Quoted_"" . Schema"': plain }
                    tables: { '"Quoted_"" . Schema".a': a2, 'shop.b': b2 }
                    columns: { '"Quoted_"" . Schema".a."x.y"': xy }
                """, "q.yaml", n -> null);
        var type = io.tideway.core.model.ColumnType.of(io.tideway.core.model.ColumnType.Kind.INT32, "integer");
        var t = new io.tideway.core.model.Table(new io.tideway.core.model.TableId("Quoted_\" . Schema", "a"),
                java.util.List.of(new io.tideway.core.model.Column("x.y", type, true, null, false, null),
                        new io.tideway.core.model.Column("id", type, false, null, false, null)),
                java.util.List.of("id"), java.util.List.of(), null, 0, 0);
        var d = TableMapper.destinationOf(cfg, t);
        assertThat(d.id()).isEqualTo(new io.tideway.core.model.TableId("plain", "a2"));
        assertThat(d.columns()).extracting(io.tideway.core.model.Column::name).containsExactly("xy", "id");
        // keys without quotes keep matching as before
        var b = TableMapper.destinationOf(cfg, t.renamed(new io.tideway.core.model.TableId("shop", "b"), java.util.Map.of()));
        assertThat(b.id()).isEqualTo(new io.tideway.core.model.TableId("shop", "b2"));
    }
}

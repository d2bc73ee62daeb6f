package io.tideway.postgresql.capture;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Hands a {@code bit varying} value over as PostgreSQL's text of its bits ("0101"), as the full
 * copy reads it. The connector's own form, the bits as bytes, loses the value's length (leading
 * zeros), which a varying bit string needs.
 */
public final class VarbitAsText implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /** The name under which {@link PostgresCapture} registers this converter. */
    static final String NAME = "tideway_varbit";

    @Override
    public void configure(Properties props) {
        // nothing to configure
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName() == null ? "" : column.typeName().toLowerCase(Locale.ROOT);
        if (type.equals("varbit") || type.equals("bit varying")) {
            registration.register(SchemaBuilder.string().optional(), v -> v == null ? null : v.toString());
        }
    }
}

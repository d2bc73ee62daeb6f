package io.tideway.postgresql.capture;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.sql.Types;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * For a capture whose changes go to PostgreSQL (see {@code PostgresDialect#withPeer}): delivers
 * array, numeric and hstore values as PostgreSQL's own text, as the full copy reads them there.
 * Debezium's own conversions would give an array's elements without its lower bounds and with
 * hstore elements as JSON, an hstore as JSON, stop at numeric NaN or Infinity, and drop an
 * unconstrained numeric's trailing zeros.
 */
public final class PgVerbatimConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /** The name the capture's configuration registers this converter under. */
    static final String NAME = "tideway_verbatim";

    @Override
    public void configure(Properties props) {
        // nothing to configure
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName() == null ? "" : column.typeName();
        if (column.jdbcType() == Types.ARRAY || type.startsWith("_") || column.jdbcType() == Types.NUMERIC
                || type.equals("numeric") || type.equals("hstore")) {
            registration.register(SchemaBuilder.string().optional(), PgVerbatimConverter::text);
        }
    }

    /** The value's PostgreSQL text: an array's is the text the server sent, bounds included. */
    static Object text(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof SpecialValueDecimal d) {
            if (d.getDecimalValue().isPresent()) {
                return d.getDecimalValue().get().toPlainString();
            }
            double x = d.toDouble();
            return Double.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
        }
        if (raw instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return raw.toString();
    }
}

package io.tideway.core.spi;

import io.tideway.core.model.TableId;

/**
 * Quotes identifiers the way one database does. The dialect and the parts that build SQL text
 * around identifiers share it.
 */
public interface Quoting {

    /** Quotes one identifier, doubling any quote character inside it. */
    String quote(String identifier);

    default String quote(TableId id) {
        return quote(id.schema()) + "." + quote(id.table());
    }
}

package io.tideway.core.spi;

import io.tideway.core.model.DataSourceType;

/** The dialect for a data source type: the one its {@link DatabasePlugin} provides. */
public final class Dialects {
    private Dialects() { }

    public static Dialect forType(DataSourceType type) {
        return DatabasePlugins.forType(type).dialect();
    }
}

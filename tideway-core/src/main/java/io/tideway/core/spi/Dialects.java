package io.tideway.core.spi;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.ServiceLoader;

/** Finds the dialect for a data source type through {@link ServiceLoader}. */
public final class Dialects {
    private Dialects() { }

    public static Dialect forType(DataSourceType type) {
        for (Dialect d : ServiceLoader.load(Dialect.class, Dialects.class.getClassLoader())) {
            if (d.types().contains(type)) {
                return d;
            }
        }
        throw new TidewayException(ErrorCode.CONFIG_INVALID, "no dialect module for data source type '" + type
                + "' is on the class path");
    }
}

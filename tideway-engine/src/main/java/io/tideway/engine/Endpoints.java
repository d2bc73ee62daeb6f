package io.tideway.engine;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.Dialects;
import java.sql.Connection;

/** The two ends of a project and their dialects. */
public record Endpoints(DataSourceConfig source, Dialect sourceDialect, DataSourceConfig destination, Dialect destinationDialect) {

    public static Endpoints of(ProjectConfig cfg) {
        // each end's dialect knows the other's family (values verbatim within a family)
        return new Endpoints(cfg.source(), Dialects.forType(cfg.source().type()).withPeer(cfg.destination().type().family()),
                cfg.destination(), Dialects.forType(cfg.destination().type()).withPeer(cfg.source().type().family()));
    }

    public Connection connectSource() {
        return sourceDialect.connect(source);
    }

    public Connection connectDestination() {
        return destinationDialect.connect(destination);
    }

    public DataSourceType.Family sourceFamily() {
        return source.type().family();
    }

    public boolean sameFamily() {
        return source.type().family().equals(destination.type().family());
    }

    /**
     * What MySQL zero dates become between these two ends: the project's {@code full.zero-dates}
     * with its default resolved (KEEP when both ends are of the MySQL family, else NULL).
     */
    public io.tideway.core.model.ZeroDates zeroDates(io.tideway.core.project.FullOptions full) {
        return full.zeroDates().resolve(sourceDialect.storesZeroDates() && destinationDialect.storesZeroDates());
    }
}

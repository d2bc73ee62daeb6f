package io.tideway.engine;

import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.TableMapper.MappedTable;
import io.tideway.metadb.MetaDb;
import java.util.List;

/** What a running step needs: the project, its ends, its tables, the MetaDB and whom to tell. */
public record RunContext(ProjectConfig config, Endpoints ends, MetaDb metaDb, long projectId,
                         List<MappedTable> tables, ProgressListener listener) {

    /** What MySQL zero dates become between this context's ends (see {@link Endpoints#zeroDates}). */
    public io.tideway.core.model.ZeroDates zeroDates() {
        return ends.zeroDates(config.full());
    }

    public void event(String level, String step, String message) {
        metaDb.events().add(projectId, level, step, message);
        if ("WARN".equals(level)) {
            listener.warn(message);
        } else {
            listener.info(message);
        }
    }
}

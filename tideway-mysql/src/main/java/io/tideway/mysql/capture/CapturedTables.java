package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import java.util.Set;

/**
 * Which tables' events a capture session passes on: the spec's tables and, when the spec has
 * patterns, any table of a database they cover. For rows that is no wider than the connector's
 * table include list (it reads rows of selected tables only); for DDL it lets a statement that
 * renames a captured table to a name the project does not select reach the Connector, which must
 * stop on it rather than lose the table's later changes.
 */
final class CapturedTables {
    private final Set<TableId> listed;
    private final TablePatterns patterns;

    CapturedTables(CaptureSpec spec) {
        this.listed = Set.copyOf(spec.tables());
        this.patterns = spec.patterns();
    }

    boolean contains(TableId t) {
        return listed.contains(t) || (patterns != null && patterns.coversSchema(t.schema()));
    }
}

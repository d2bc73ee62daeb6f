package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.model.TableId;
import io.tideway.core.project.TablePatterns;
import io.tideway.core.project.TidewayTables;
import java.util.Set;

/**
 * Which tables' events a capture session passes on: the spec's tables and, when the spec has
 * patterns, any table of a database they cover; never one of Tideway's own tables
 * ({@link TidewayTables}: the marker table's rows are told apart before, and its DDL is not a user's). For rows that is no wider than the connector's
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
        return !TidewayTables.isOwn(t) && (listed.contains(t) || (patterns != null && patterns.coversSchema(t.schema())));
    }
}

package io.tideway.core.change;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.TableId;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a capture reads and where it keeps its state.
 *
 * @param name a stable name for this capture, unique per source (e.g. "tideway_shop_to_pg"): the
 *     PostgreSQL replication slot and publication are named after it; MySQL uses it as the client name
 * @param serverId MySQL family: the replica server id the capture presents (unique per source server)
 * @param tables the source tables whose changes are wanted
 * @param state offsets and schema history
 * @param workDir a directory the capture may use for scratch files (never for state)
 */
public record CaptureSpec(String name, long serverId, DataSourceConfig source, List<TableId> tables, CaptureState state,
                          Path workDir) {
    public CaptureSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        tables = List.copyOf(tables);
        Objects.requireNonNull(state, "state");
    }
}

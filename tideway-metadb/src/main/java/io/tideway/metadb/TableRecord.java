package io.tideway.metadb;

import io.tideway.core.model.TableId;
import java.time.Instant;

/**
 * One source table of a project and where it lands.
 *
 * @param chunked whether a chunk plan is saved for it
 */
public record TableRecord(
        long projectId, TableId source, TableId destination, String state, long estimatedRows, long rowsDone,
        long bytesDone, boolean chunked, Instant updatedAt) { }

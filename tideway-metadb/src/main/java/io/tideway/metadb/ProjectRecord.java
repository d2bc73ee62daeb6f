package io.tideway.metadb;

import io.tideway.core.model.DataSourceConfig;
import java.time.Instant;

/** A project as stored in the MetaDB; the data sources carry their decrypted passwords. */
public record ProjectRecord(
        long id, String name, DataSourceConfig source, DataSourceConfig destination, String configYaml,
        String state, Instant createdAt, Instant updatedAt) { }

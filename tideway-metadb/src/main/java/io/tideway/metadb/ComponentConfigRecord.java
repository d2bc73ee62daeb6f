package io.tideway.metadb;

import java.time.Instant;

/**
 * One version of a component's configuration.
 *
 * @param version 1 for the configuration a component was created with, one more for each change
 * @param sectionsJson the sections (source, sink, coordinator) as the engine writes them
 * @param who who wrote it: an OS or server user, or what the engine seeded it from
 */
public record ComponentConfigRecord(String componentId, int version, String sectionsJson, String who, Instant at) { }

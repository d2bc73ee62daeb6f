package io.tideway.metadb;

import java.time.Instant;

/**
 * A component of a project as stored in the MetaDB.
 *
 * @param id the stable id, e.g. {@code shop-to-pg.connector.forward}
 * @param kind store, connector, full-import or checker
 * @param direction forward or reverse for a Store or Connector; null for the others
 * @param nodeHost the host name of the node it last ran on; null before its first start
 * @param nodeIp that node's IP address; null before its first start
 * @param state its lifecycle state, as the engine names it
 * @param position its position or checkpoint as last recorded; null before it has one
 */
public record ComponentRecord(String id, long projectId, String kind, String direction, String nodeHost, String nodeIp,
                              String state, String position, Instant updatedAt) { }

package io.tideway.engine.status;

import java.util.Map;

/**
 * One running part of a project as the status shows it.
 *
 * @param id stable id, e.g. {@code shop-to-pg.connector.forward}
 * @param kind Store, Connector, Full-Import or Checker
 * @param state the state of the step it serves (NOT_STARTED, RUNNING, MONITORING, PAUSED, COMPLETED, FAILED, ...)
 * @param position where it is: a log position (Store, Connector), rows copied or compared (Full-Import, Checker); null when none yet
 * @param lagMillis how far behind the source it is (Store and Connector), else null
 * @param figures what else it reports (the Connector: its checkpoint's spool address, changes applied and time); may be empty
 */
public record ComponentStatus(String id, String kind, String state, String position, Long lagMillis, Map<String, Object> figures) { }

package io.tideway.engine.status;

import java.util.Map;

/**
 * One running part of a project as the status shows it.
 *
 * @param id stable id, e.g. {@code shop-to-pg.connector.forward}
 * @param kind store, connector, full-import or checker
 * @param state its lifecycle state (NEW, CONFIGURED, RUNNING, STOPPED, FAILED; see ComponentState)
 * @param node the host name and IP it runs or last ran on; null before its first start
 * @param position where it is: a log position (Store, Connector), rows copied or compared (Full-Import, Checker); null when none yet
 * @param lagMillis how far behind the source it is (Store and Connector), else null
 * @param figures what else it reports (the Connector: its checkpoint's spool address, changes applied and time); may be empty
 */
public record ComponentStatus(String id, String kind, String state, String node, String position, Long lagMillis, Map<String, Object> figures) { }

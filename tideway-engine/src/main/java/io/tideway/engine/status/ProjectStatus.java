package io.tideway.engine.status;

import java.util.List;

/**
 * A project as it stands, from the MetaDB: what {@code tideway status} prints (and, with {@code --json},
 * serializes unchanged) and what the REST API returns. Works while the project runs in another process.
 * Times are ISO-8601 UTC texts; figures not known are null.
 *
 * @param project the project's name
 * @param state the project's state (RUNNING, MONITORING, COMPLETED, FAILED, RELEASED, ...)
 * @param run the process running the project now, or null when none holds its run
 * @param steps the project's steps in order, then the reverse sync once it began
 * @param tables per source table: where it lands and how far its full copy is
 * @param components the running parts of the project (Store, Connector, Full-Import, Checker)
 * @param lagMillis how far the destination is behind the source (after a switchover: the source behind the
 *                  destination); null before the incremental step reported one
 * @param switchover the switchover's sub-steps, empty before one began
 * @param recentEvents the latest events of the project, oldest first
 */
public record ProjectStatus(String project, String state, RunStatus run, List<StepStatus> steps, List<TableStatus> tables,
                            List<ComponentStatus> components, Long lagMillis, List<SwitchoverStepStatus> switchover,
                            List<EventStatus> recentEvents) {

    /**
     * The process that holds the project's run.
     *
     * @param owner "host:pid"
     * @param live whether that process is alive and its heartbeat fresh
     */
    public record RunStatus(String owner, String startedAt, String heartbeatAt, boolean live) { }

    /** One sub-step of a switchover. */
    public record SwitchoverStepStatus(int number, String name, String state, String finishedAt, String error) { }

    /** One entry of the project's event log; {@code step} is null for an event of the project as a whole. */
    public record EventStatus(String at, String level, String step, String message) { }
}

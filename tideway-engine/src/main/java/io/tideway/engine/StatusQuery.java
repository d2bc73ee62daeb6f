package io.tideway.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.project.Lifecycle.State;
import io.tideway.core.project.ProjectConfig;
import io.tideway.core.project.Step;
import io.tideway.engine.component.Component;
import io.tideway.engine.component.ComponentKind;
import io.tideway.engine.component.Components;
import io.tideway.engine.incremental.Direction;
import io.tideway.engine.status.ComponentStatus;
import io.tideway.engine.status.ProjectStatus;
import io.tideway.engine.status.StepStatus;
import io.tideway.engine.status.TableStatus;
import io.tideway.metadb.Incremental.ApplyCheckpoint;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.ProjectRecord;
import io.tideway.metadb.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a project's {@link ProjectStatus} from the MetaDB. */
final class StatusQuery {
    private static final Logger LOG = LoggerFactory.getLogger(StatusQuery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events the status lists. */
    static final int RECENT_EVENTS = 10;

    private final MetaDb metaDb;

    StatusQuery(MetaDb metaDb) {
        this.metaDb = metaDb;
    }

    Optional<ProjectStatus> status(ProjectConfig cfg) {
        return metaDb.projects().find(cfg.name()).map(p -> status(cfg, p));
    }

    private ProjectStatus status(ProjectConfig cfg, ProjectRecord p) {
        long pid = p.id();
        ProjectStatus.RunStatus run = metaDb.incremental().run(pid).map(r -> new ProjectStatus.RunStatus(r.owner(),
                text(r.startedAt()), text(r.heartbeatAt()), RunLease.live(metaDb, pid))).orElse(null);
        List<StepStatus> steps = new ArrayList<>();
        Map<String, StepStatus> byId = new LinkedHashMap<>();
        for (Step s : cfg.steps()) {
            StepStatus st = step(pid, s.id());
            steps.add(st);
            byId.put(s.id(), st);
        }
        String reverseId = Direction.REVERSE.stepId();
        StepStatus reverse = step(pid, reverseId);
        boolean reverseBegan = !State.NOT_STARTED.name().equals(reverse.state()) || !reverse.figures().isEmpty();
        if (reverseBegan) {
            steps.add(reverse);
        }
        List<TableStatus> tables = metaDb.checkpoints().tables(pid).stream().map(t -> new TableStatus(t.source().toString(),
                t.destination().toString(), t.state(), t.estimatedRows(), t.rowsDone(), t.bytesDone())).toList();
        List<ComponentStatus> components = new ArrayList<>();
        for (Component c : new Components(metaDb).list(cfg)) {
            components.add(component(pid, c));
        }
        Long lag = lag(reverseBegan ? reverse : byId.get(Step.INCREMENTAL.id()));
        List<ProjectStatus.SwitchoverStepStatus> switchover = metaDb.switchovers().steps(pid).stream()
                .map(s -> new ProjectStatus.SwitchoverStepStatus(s.number(), s.name(), s.state(), text(s.finishedAt()), s.error()))
                .toList();
        List<ProjectStatus.EventStatus> events = metaDb.events().list(pid, RECENT_EVENTS).stream()
                .map(e -> new ProjectStatus.EventStatus(text(e.at()), e.level(), e.step(), e.message())).toList();
        return new ProjectStatus(p.name(), p.state(), run, steps, tables, components, lag, switchover, events);
    }

    /** One component as the status shows it; a Connector also with its MetaDB checkpoint. */
    private ComponentStatus component(long pid, Component c) {
        Map<String, Object> figures = new LinkedHashMap<>();
        Component.Figures f = c.figures();
        if (f.count() >= 0) {
            figures.put(f.unit().isEmpty() ? "count" : f.unit(), f.count());
        }
        if (f.perSecond() >= 0) {
            figures.put("perSecond", f.perSecond());
        }
        String position = c.position();
        if (c.kind() == ComponentKind.CONNECTOR) {
            Optional<ApplyCheckpoint> checkpoint = metaDb.incremental().applyCheckpoint(pid, c.id().direction().captureName());
            checkpoint.ifPresent(cp -> {
                figures.put("spool", cp.segment() + ":" + cp.offset());
                figures.put("eventsApplied", cp.eventsApplied());
                figures.put("checkpointAt", text(cp.updatedAt()));
            });
            if (position == null) {
                position = checkpoint.map(ApplyCheckpoint::position).orElse(null);
            }
        }
        return new ComponentStatus(c.id().toString(), c.kind().id(), c.state().name(), c.node() == null ? null : c.node().toString(),
                position, f.lagMillis() >= 0 ? f.lagMillis() : null, figures);
    }

    private StepStatus step(long pid, String stepId) {
        StepRecord r = metaDb.projects().step(pid, stepId);
        Map<String, Object> figures = figures(r.progressJson());
        String reason = State.of(r.state()) == State.SKIPPED
                ? metaDb.events().lastMessage(pid, stepId, Engine.SKIP_EVENT_PREFIX)
                        .map(m -> m.substring(Engine.SKIP_EVENT_PREFIX.length())).orElse(null)
                : null;
        return new StepStatus(stepId, r.state(), progress(figures), figures, r.error(), reason);
    }

    private static Map<String, Object> figures(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (java.io.IOException e) {
            LOG.debug("unreadable progress document {}: {}", json, e.toString());
            return Map.of();
        }
    }

    /** Done/total, rate and ETA from a step's progress document: rows (full copy, verify) or changes (incremental). */
    static StepStatus.Progress progress(Map<String, Object> f) {
        if (f.get("rowsDone") instanceof Number done) {
            return new StepStatus.Progress("rows", done.longValue(), longOf(f.get("rowsTotal")), rate(f.get("rowsPerSecond")),
                    eta(f.get("etaSeconds")));
        }
        if (f.get("eventsApplied") instanceof Number done) {
            return new StepStatus.Progress("changes", done.longValue(), null, rate(f.get("eventsPerSecond")), null);
        }
        return null;
    }

    private static Long longOf(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    private static Double rate(Object o) {
        return o instanceof Number n && n.doubleValue() >= 0 ? n.doubleValue() : null;
    }

    private static Long eta(Object o) {
        return o instanceof Number n && n.longValue() >= 0 ? n.longValue() : null;
    }

    private static Long lag(StepStatus step) {
        if (step == null) {
            return null;
        }
        Long lag = longOf(step.figures().get("lagMillis"));
        return lag == null || lag < 0 ? null : lag;
    }

    private static String rows(StepStatus step) {
        StepStatus.Progress p = step.progress();
        return p == null ? null : p.total() == null ? p.done() + " " + p.unit() : p.done() + "/" + p.total() + " " + p.unit();
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}

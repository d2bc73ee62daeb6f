package io.tideway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tideway.core.project.ProjectConfig;
import io.tideway.engine.Engine;
import io.tideway.engine.status.ComponentStatus;
import io.tideway.engine.status.ProjectStatus;
import io.tideway.engine.status.StepStatus;
import io.tideway.engine.status.TableStatus;
import io.tideway.metadb.MetaDb;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show a project's steps, their state and figures (works while `tideway run` runs elsewhere).")
final class StatusCommand extends ProjectCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(names = "--json", description = "Print the status as JSON (the fields are listed in the README).")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        ProjectConfig cfg = loadProject();
        try (MetaDb db = openMetaDb()) {
            ProjectStatus s = new Engine(db, main.dataDir).status(cfg).orElse(null);
            if (s == null) {
                System.out.println("tideway: project " + cfg.name() + " has not run yet");
                return 1;
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(s));
            } else {
                print(s);
            }
            return 0;
        }
    }

    private static void print(ProjectStatus s) throws JsonProcessingException {
        ObjectMapper compact = new ObjectMapper();
        System.out.println("project " + s.project() + ": " + s.state());
        if (s.run() == null) {
            System.out.println("   not running now");
        } else {
            System.out.println("   running in " + s.run().owner() + " since " + s.run().startedAt() + " (heartbeat "
                    + s.run().heartbeatAt() + ")" + (s.run().live() ? "" : ", that process looks gone"));
        }
        for (StepStatus st : s.steps()) {
            System.out.printf("   %-12s %-12s %s%s%s%s%n", st.step(), st.state(), progress(st.progress()),
                    st.figures().isEmpty() ? "" : compact.writeValueAsString(st.figures()),
                    st.error() == null ? "" : "  error: " + st.error(), st.skipReason() == null ? "" : "  reason: " + st.skipReason());
        }
        if (!s.switchover().isEmpty()) {
            System.out.println("   switchover:");
            for (var sub : s.switchover()) {
                System.out.printf("     %d %-24s %-10s%s%s%n", sub.number(), sub.name(), sub.state(),
                        sub.finishedAt() == null ? "" : "  at " + sub.finishedAt(), sub.error() == null ? "" : "  error: " + sub.error());
            }
        }
        if (s.lagMillis() != null) {
            System.out.println("   lag: " + s.lagMillis() + " ms");
        }
        if (!s.components().isEmpty()) {
            System.out.println("   components:");
            for (ComponentStatus c : s.components()) {
                System.out.printf("     %-40s %-11s %-12s%s%s%s%n", c.id(), c.kind(), c.state(),
                        c.position() == null ? "" : "  position " + c.position(),
                        c.lagMillis() == null ? "" : "  lag " + c.lagMillis() + " ms", figures(c.figures()));
            }
        }
        if (!s.tables().isEmpty()) {
            System.out.println("   tables:");
            for (TableStatus t : s.tables()) {
                System.out.printf("     %-40s -> %-40s %-10s %,d of ~%,d rows%n", t.source(), t.destination(), t.state(),
                        t.rowsDone(), t.estimatedRows());
            }
        }
        if (!s.recentEvents().isEmpty()) {
            System.out.println("   recent events:");
            for (var e : s.recentEvents()) {
                System.out.println("     " + e.at() + " " + e.level() + (e.step() == null ? "" : " " + e.step()) + ": " + e.message());
            }
        }
    }

    private static String progress(StepStatus.Progress p) {
        if (p == null) {
            return "";
        }
        String done = p.total() == null ? String.format("%,d %s", p.done(), p.unit())
                : String.format("%,d/%,d %s", p.done(), p.total(), p.unit());
        String rate = p.perSecond() == null ? "" : String.format(", %,.0f/s", p.perSecond());
        String eta = p.etaSeconds() == null ? "" : ", ETA " + p.etaSeconds() + " s";
        return done + rate + eta + "  ";
    }

    private static String figures(Map<String, Object> f) {
        StringBuilder b = new StringBuilder();
        f.forEach((k, v) -> b.append("  ").append(k).append(' ').append(v));
        return b.toString();
    }
}

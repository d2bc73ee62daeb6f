package io.tideway.engine.result;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.engine.Engine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The results the CLI prints and the REST API will return serialize with Jackson under stable names. */
class ResultsJsonTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRunResultListsEachStepWithItsOutcomeAndPrintsTheSameLinesAsBefore() throws Exception {
        Engine.RunResult r = new Engine.RunResult("shop", "MONITORING", List.of(
                new StepResult("schema", StepResult.ALREADY_COMPLETED, "already completed"),
                new StepResult("incremental", StepResult.STOPPED, "1,605 changes applied")));
        assertThat(r.summaries()).containsExactly("schema: already completed", "incremental: 1,605 changes applied");
        JsonNode n = json.readTree(json.writeValueAsString(r));
        assertThat(n.fieldNames()).toIterable().containsExactly("project", "state", "steps");
        assertThat(n.get("steps").get(1).get("outcome").asText()).isEqualTo("STOPPED");
    }

    @Test
    void aVerifyResultCarriesTheExitCodeScriptsRelyOn() throws Exception {
        assertThat(VerifyResult.Status.EQUAL.exitCode()).isZero();
        assertThat(VerifyResult.Status.DIFFERENT.exitCode()).isEqualTo(1);
        assertThat(VerifyResult.Status.UNCONFIRMED.exitCode()).isEqualTo(3);
        VerifyResult v = new VerifyResult("shop", VerifyResult.Status.DIFFERENT, 1, "1 row differs in 1 table", "/d/verify/shop",
                Map.of("shop.t", "/d/verify/shop/shop.t.sql"), null);
        JsonNode n = json.readTree(json.writeValueAsString(v));
        assertThat(n.get("status").asText()).isEqualTo("DIFFERENT");
        assertThat(n.get("exitCode").asInt()).isEqualTo(1);
        assertThat(n.get("correctionSql").get("shop.t").asText()).endsWith(".sql");
    }

    @Test
    void switchoverAndReleaseResultsSerialize() throws Exception {
        SwitchoverResult s = new SwitchoverResult("shop", List.of(new SwitchoverResult.SubStep(1, "precheck", "COMPLETED",
                "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", null)), Map.of("writeFreezeMillis", 1200), List.of("report"));
        JsonNode n = json.readTree(json.writeValueAsString(s));
        assertThat(n.get("subSteps").get(0).get("name").asText()).isEqualTo("precheck");
        assertThat(n.get("report").get("writeFreezeMillis").asLong()).isEqualTo(1200);
        JsonNode rel = json.readTree(json.writeValueAsString(new ReleaseResult("shop", "RELEASED", false, List.of("spool deleted"))));
        assertThat(rel.get("done").get(0).asText()).isEqualTo("spool deleted");
        assertThat(rel.get("alreadyReleased").asBoolean()).isFalse();
    }
}

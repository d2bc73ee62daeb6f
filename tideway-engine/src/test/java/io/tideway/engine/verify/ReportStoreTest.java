package io.tideway.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.metadb.MetaDb;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportStoreTest {
    @TempDir
    Path dir;

    @Test
    void aStoredReportReadsBackAsTheSameJsonAsItsExport() throws Exception {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("id", 7);
        key.put("code", "a\u00e9");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("n", null);
        row.put("big", new java.math.BigInteger("18446744073709551615"));
        VerificationReport.TableEntry keyed = new VerificationReport.TableEntry("s.customers", "d.customers", true, List.of("id", "code"),
                10, 11, 2, 2, 1, 0, List.of("updated_at"), new VerificationReport.Where("id > 1", "id > 1"), false, false, 1, 1, 1, 0,
                "d.customers.sql", null, List.of(
                        new VerificationReport.Row("MISSING", key, null, null, null),
                        new VerificationReport.Row("DIFFERENT", key, List.of("name"),
                                Map.of("name", new VerificationReport.Pair("x", null)), null)));
        VerificationReport.TableEntry keyless = new VerificationReport.TableEntry("s.log", "d.log", false, List.of(), 3, 4, 1, 1, 0,
                0, List.of(), null, false, false, 0, 1, 0, 0, "d.log.sql", 2, List.of(new VerificationReport.Row("EXTRA", null, null,
                null, row)));
        VerificationReport report = new VerificationReport("p", "0.2.0", "mariadb at h:1/s", "postgresql at h:2/d",
                "2026-01-01T00:00:00Z", "2026-01-01T00:00:01.5Z", false, false, null, "3 rows differ in 2 tables", 13, 3,
                List.of("s.log has no primary or unique key"), new VerificationReport.RepairFigures(2, 1, true, "equal"),
                List.of(keyed, keyless));
        try (MetaDb db = MetaDb.openEmbedded(dir, "0.2.0-test")) {
            DataSourceConfig src = new DataSourceConfig(DataSourceType.fromId("mariadb"), "h", 1, "u", "secret", "s", Map.of());
            DataSourceConfig dst = new DataSourceConfig(DataSourceType.fromId("postgresql"), "h", 2, "u", "secret", "d", Map.of());
            long pid = db.projects().upsert("p", src, dst, null);
            assertThat(ReportStore.latest(db, pid)).isEmpty();
            ReportStore.save(db, pid, report);
            VerificationReport back = ReportStore.latest(db, pid).orElseThrow();
            ObjectMapper json = new ObjectMapper();
            assertThat(json.readTree(VerifyOutput.json(back))).isEqualTo(json.readTree(VerifyOutput.json(report)));
            assertThat(VerifyOutput.json(report)).doesNotContain("secret").contains("\"rowsNotShown\" : 2")
                    .doesNotContain("\"inFlight\"");
        }
    }
}

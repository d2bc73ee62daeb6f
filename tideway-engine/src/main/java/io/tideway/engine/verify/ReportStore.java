package io.tideway.engine.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.metadb.MetaDb;
import io.tideway.metadb.VerifyReports;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps {@link VerificationReport}s in the MetaDB: the report without its rows as one document, each
 * listed row as its own, so that the rows of a report are read and counted without parsing it whole.
 */
public final class ReportStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportStore() { }

    /** Stores a project's report; returns its id. */
    public static long save(MetaDb metaDb, long projectId, VerificationReport report) {
        List<VerifyReports.StoredDifference> rows = new ArrayList<>();
        List<VerificationReport.TableEntry> bare = new ArrayList<>();
        try {
            for (int t = 0; t < report.tables().size(); t++) {
                VerificationReport.TableEntry e = report.tables().get(t);
                for (int r = 0; r < e.differences().size(); r++) {
                    VerificationReport.Row row = e.differences().get(r);
                    rows.add(new VerifyReports.StoredDifference(t, r, row.kind(), JSON.writeValueAsString(row)));
                }
                bare.add(e.withDifferences(List.of()));
            }
            return metaDb.verifyReports().save(projectId, Instant.parse(report.startedAt()), Instant.parse(report.finishedAt()),
                    report.equal(), report.unconfirmed(), report.summary(), JSON.writeValueAsString(report.withTables(bare)), rows);
        } catch (JsonProcessingException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "storing the verification report: " + e.getMessage(), e);
        }
    }

    /** The project's latest report, as stored. */
    public static Optional<VerificationReport> latest(MetaDb metaDb, long projectId) {
        return metaDb.verifyReports().latest(projectId).map(ReportStore::read);
    }

    private static VerificationReport read(VerifyReports.StoredReport stored) {
        try {
            VerificationReport head = JSON.readValue(stored.reportJson(), VerificationReport.class);
            List<List<VerificationReport.Row>> rows = new ArrayList<>();
            head.tables().forEach(t -> rows.add(new ArrayList<>()));
            for (VerifyReports.StoredDifference d : stored.differences()) {
                rows.get(d.tableNo()).add(JSON.readValue(d.rowJson(), VerificationReport.Row.class));
            }
            List<VerificationReport.TableEntry> tables = new ArrayList<>();
            for (int t = 0; t < head.tables().size(); t++) {
                tables.add(head.tables().get(t).withDifferences(rows.get(t)));
            }
            return head.withTables(tables);
        } catch (JsonProcessingException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the verification report " + stored.id() + " of the MetaDB: "
                    + e.getMessage(), e);
        }
    }
}

package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideway.core.model.DataSourceType;
import io.tideway.engine.Engine;
import io.tideway.engine.RunLease;
import io.tideway.engine.Version;
import io.tideway.engine.config.ProjectFiles;
import io.tideway.engine.verify.VerificationReport;
import io.tideway.engine.verify.VerifyOutput;
import io.tideway.metadb.MetaDb;
import io.tideway.test.EmbeddedServers;
import io.tideway.test.SampleData;
import io.tideway.test.TypeRichData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `tideway verify` on a migrated MariaDB database: it finds nothing on equal data, and after
 * differences are planted on the destination (a missing and an extra row, a changed value of
 * every type, NULL against an empty string, a trailing space, timestamps a microsecond off, rows
 * of a table without a key), it finds every one of them and nothing else; the correction SQL
 * it writes, applied to the destination, makes the two equal, and so does `--repair`.
 */
@ExtendWith(EmbeddedServers.class)
abstract class AbstractVerifyIT {
    static final String MAX_ORDER = "18446744073709551615";

    @TempDir
    Path tmp;

    String srcDb;
    String dstDb;
    Path data;
    Path project;

    abstract DataSourceType destination();

    abstract String freshDestination();

    abstract Connection connectDestination() throws SQLException;

    /** A source table's name on the destination, qualified and quoted. */
    abstract String q(String table);

    /** The statement that changes every column of all_types row 4 on the destination. */
    abstract String changeEveryTypeOfRow4();

    record Outcome(int exit, String out, String err) { }

    @Test
    void everyPlantedDifferenceIsFoundAndCorrected() throws Exception {
        srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "src");
        dstDb = freshDestination();
        try (Connection c = EmbeddedServers.mariadb().connect(srcDb)) {
            TypeRichData.mariadb(c);
            SampleData.mariadbShop(c, 3000);
            // a text key whose order differs between collations: rows fall into other chunks on the destination
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE words (w VARCHAR(20) NOT NULL PRIMARY KEY, n INT)");
                s.execute("INSERT INTO words SELECT CONCAT(ELT(1 + seq % 6, 'a', 'B', '_c', '-d', 'É', 'e'), LPAD(seq, 5, '0')), seq"
                        + " FROM seq_1_to_2000");
            }
        }
        data = tmp.resolve("data");
        String name = "verify-" + getClass().getSimpleName().toLowerCase();
        project = Projects.write(tmp, "v", "name: " + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full, verify]\n"
                + "full: { parallelism: 2, chunk-size: 400 }\n");
        Path dir = data.resolve("verify").resolve(name);

        // 1. the migration's own verify step finds nothing, and neither does `tideway verify`
        assertThat(run("run", project.toString(), "--until", "synced").exit()).isZero();
        Outcome equal = run("verify", project.toString());
        assertThat(equal.exit()).as(equal.out() + equal.err()).isZero();
        assertThat(equal.out()).contains("source and destination hold the same rows");
        JsonNode clean = report(dir);
        assertThat(clean.get("equal").asBoolean()).isTrue();
        assertThat(clean.get("tables")).hasSize(7);
        if (destination() == DataSourceType.fromId("postgresql")) {
            assertThat(table(clean, "words").get("rowsMatchedAcrossChunks").asInt())
                    .as("rows the collations put into other chunks, matched by key").isPositive();
        }
        if (destination() == DataSourceType.fromId("mariadb")) {
            assertThat(table(clean, "orders").get("chunksEqualByChecksum").asInt()).as("same family: chunks equal by checksum")
                    .isEqualTo(table(clean, "orders").get("chunks").asInt()).isGreaterThan(3);
        }

        // 2. planted differences are all found, with nothing else
        plant();
        Outcome found = run("verify", project.toString());
        assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(1);
        assertThat(found.out()).contains("customers: 600 rows compared, 1 missing, 1 extra, 0 different")
                .contains("missing   key 7").contains("extra     key 100000").contains("different key " + MAX_ORDER + ": total");
        assertEveryPlantedDifference(report(dir));
        // the report is stored in the MetaDB; report.json is its export
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            VerificationReport stored = new Engine(db, data).verificationReport(ProjectFiles.load(project)).orElseThrow();
            assertThat(stored.tables().stream().mapToInt(t -> t.differences().size()).sum()).isEqualTo(11);
            assertThat(new ObjectMapper().readTree(VerifyOutput.json(stored))).isEqualTo(report(dir));
        }
        List<Path> sql;
        try (Stream<Path> files = Files.list(dir)) {
            sql = files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
        assertThat(sql).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(dstName("all_types"), dstName("audit_log"), dstName("customers"), dstName("order_lines"),
                        dstName("orders"), dstName("products"), dstName("words"));

        // 3. the correction SQL applied to the destination makes the two equal
        for (Path p : sql) {
            apply(p);
        }
        Outcome afterSql = run("verify", project.toString());
        assertThat(afterSql.exit()).as(afterSql.out() + afterSql.err()).isZero();
        Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project), 7);

        // 4. the verify step of `run --until synced` fails on differences, with a one-line reason
        plant();
        Outcome runFails = run("run", project.toString(), "--until", "synced");
        assertThat(runFails.exit()).isEqualTo(1);
        assertThat(runFails.err().strip()).doesNotContain("\n").contains("11 rows differ in 7 tables").contains(dir.toString());

        // 5. --repair makes them equal, and says so; `tideway verify` runs as the project's Checker, here
        // rechecking and repairing 2 rows at a time (its coordinator.keyBatch)
        String checker = name + ".checker";
        assertThat(run("components", "set", checker, "coordinator.keyBatch=2").exit()).isZero();
        Outcome repaired = run("verify", project.toString(), "--repair");
        assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();
        assertThat(repaired.out()).contains("repair: ").contains("source and destination hold the same rows");
        assertThat(report(dir).get("repair").get("equalAfterRepair").asBoolean()).isTrue();
        Outcome shown = run("components", "show", checker);
        assertThat(shown.out()).contains("state      STOPPED").contains("position   7 of 7 tables, ")
                .containsPattern("figures    [0-9,]+ rows compared, [0-9,]+/s").contains("keyBatch             2");
        // a Checker RUNNING in another live process (here: this JVM's parent) refuses a second verification, naming it
        String other = RunLease.owner().replaceAll(":[0-9]+$", ":" + ProcessHandle.current().parent().orElseThrow().pid());
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            assertThat(db.components().setState(checker, "STOPPED", "RUNNING", "node-x", "10.0.0.9", other)).isTrue();
        }
        Outcome refused = run("verify", project.toString());
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("component " + checker + " is RUNNING in process " + other + " on node-x (10.0.0.9)")
                .contains("verifies one at a time");
        try (MetaDb db = MetaDb.openEmbedded(data, Version.current())) {
            assertThat(db.components().setState(checker, "RUNNING", "STOPPED", null, null)).isTrue();
        }
        assertThat(run("verify", project.toString()).exit()).isZero();
        Runs.assertEqualNow(io.tideway.engine.config.ProjectFiles.load(project), 7);

        // 6. excluded columns are not compared; a pattern that matches nothing is an error
        execute("UPDATE " + q("customers") + " SET name = 'renamed' WHERE id = 8");
        assertThat(run("verify", project.toString(), "--exclude-columns", "customers.name").exit()).isZero();
        assertThat(table(report(dir), "customers").get("excludedColumns").get(0).asText()).isEqualTo("name");
        Outcome bad = run("verify", project.toString(), "--exclude-columns", "customers.nosuch");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("customers.nosuch").contains("matches no column");
        Outcome named = run("verify", project.toString());
        assertThat(named.exit()).isEqualTo(1);
        assertThat(named.out()).contains("different key 8: name");

        // 7. sampling compares a share of the chunks; throttling slows the comparison down
        Outcome sampled = run("verify", project.toString(), "--sample", "0.3", "--exclude-columns", "customers.name");
        assertThat(sampled.exit()).as(sampled.out() + sampled.err()).isZero();
        JsonNode orders = table(report(dir), "orders");
        assertThat(orders.get("chunksCompared").asInt()).isLessThan(orders.get("chunks").asInt()).isGreaterThan(0);
        long t0 = System.nanoTime();
        Outcome throttled = run("verify", project.toString(), "--throttle-rows", "2000", "--exclude-columns", "customers.name");
        double secs = (System.nanoTime() - t0) / 1e9;
        assertThat(throttled.exit()).as(throttled.out() + throttled.err()).isZero();
        long rows = report(dir).get("rowsCompared").asLong();
        assertThat(secs).as("%d rows at 2000 rows/s", rows).isGreaterThan(rows / 2000.0 - 1.5);
    }

    /**
     * Row filters: only the rows in a table's condition are compared on each side (by checksum in
     * the same family, by merge across families) and only they are corrected, by the correction SQL
     * and by --repair; a bad condition fails before anything is compared, naming the table and the
     * condition. Also: a TINYINT(1) holding 7 against 1 is a difference, and --repair of a row whose
     * excluded column is NOT NULL works and leaves that column as it is.
     */
    @Test
    void rowFiltersTinyintOneAndRepairBesideAnExcludedNotNullColumn() throws Exception {
        srcDb = EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "fsrc");
        dstDb = freshDestination();
        try (Connection c = EmbeddedServers.mariadb().connect(srcDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, region VARCHAR(10) NOT NULL, flag TINYINT(1) NOT NULL,"
                    + " note VARCHAR(40) NOT NULL, qty INT NOT NULL)");
            s.execute("INSERT INTO items SELECT seq, IF(seq % 2 = 0, 'eu', 'us'), seq % 2, CONCAT('note ', seq), seq * 10"
                    + " FROM seq_1_to_400");
        }
        data = tmp.resolve("fdata");
        String name = "filter-" + getClass().getSimpleName().toLowerCase();
        project = Projects.write(tmp, "f", "name: " + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("mariadb"), srcDb) + "\n"
                + "destination: " + Projects.endpoint(destination(), dstDb) + "\n"
                + "tables: { include: [\"" + srcDb + ".*\"] }\n"
                + "steps: [schema, full]\n"
                + "full: { parallelism: 2, chunk-size: 50 }\n");
        Path dir = data.resolve("verify").resolve(name);
        assertThat(run("run", project.toString(), "--until", "synced").exit()).isZero();
        assertThat(run("verify", project.toString()).exit()).isZero();

        // 1. TINYINT(1) is a small integer, not a boolean: 7 against 1 is a difference (checksum and merge alike)
        execute("UPDATE " + q("items") + " SET flag = 7 WHERE id = 5");
        Outcome tiny = run("verify", project.toString());
        assertThat(tiny.exit()).as(tiny.out() + tiny.err()).isEqualTo(1);
        assertThat(tiny.out()).contains("different key 5: flag");
        assertThat(run("verify", project.toString(), "--repair").exit()).isZero();

        // 2. --repair of a differing row, with a NOT NULL column excluded: it works, and leaves that column alone
        execute("UPDATE " + q("items") + " SET qty = -1, note = 'kept on the destination' WHERE id = 6");
        Outcome excl = run("verify", project.toString(), "--exclude-columns", "items.note", "--repair");
        assertThat(excl.exit()).as(excl.out() + excl.err()).isZero();
        assertThat(excl.out()).contains("repair: 1 rows written");
        assertThat(destinationValue("SELECT qty FROM " + q("items") + " WHERE id = 6")).isEqualTo("60");
        assertThat(destinationValue("SELECT note FROM " + q("items") + " WHERE id = 6")).isEqualTo("kept on the destination");
        Path excludedSql = dir.resolve(dstName("items"));
        assertThat(Files.readAllLines(excludedSql)).filteredOn(l -> l.startsWith("UPDATE ")).singleElement().asString()
                .contains("60").doesNotContain("note");
        execute("UPDATE " + q("items") + " SET note = 'note 6' WHERE id = 6");

        // 3. a filter: differences in it are found, those outside are not
        plantAroundFilter();
        String eu = "items:region = 'eu'";
        Outcome filtered = run("verify", project.toString(), "--where", eu);
        assertThat(filtered.exit()).as(filtered.out() + filtered.err()).isEqualTo(1);
        assertThat(filtered.out()).contains("only rows where region = 'eu'");
        JsonNode items = table(report(dir), "items");
        assertThat(kinds(items)).containsExactlyInAnyOrder("DIFFERENT id=10 [qty]", "MISSING id=14", "EXTRA id=1001",
                "MISSING id=20", "EXTRA id=21");
        assertThat(items.get("rowsCompared").asInt()).isEqualTo(200);
        assertThat(items.get("where").get("destination").asText()).isEqualTo("region = 'eu'");
        if (destination() == DataSourceType.fromId("mariadb")) {
            assertThat(items.get("chunksEqualByChecksum").asInt()).as("same family: filtered chunks equal by checksum").isPositive();
        }

        // 4. its correction SQL touches only rows in the filter: afterwards the filter finds nothing, the rest is as planted
        apply(dir.resolve(dstName("items")));
        assertThat(run("verify", project.toString(), "--where", eu).exit()).isZero();
        assertOnlyOutsideTheFilterDiffers(dir);

        // 5. so does --repair
        execute("DELETE FROM " + q("items") + " WHERE id IN (14, 20, 1001)");
        execute("UPDATE " + q("items") + " SET qty = qty + 1 WHERE id = 10");
        execute("UPDATE " + q("items") + " SET region = 'eu' WHERE id = 21");
        Outcome repaired = run("verify", project.toString(), "--where", eu, "--repair");
        assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();
        assertOnlyOutsideTheFilterDiffers(dir);

        // 6. a destination variant of the condition is used on the destination
        Outcome variant = run("verify", project.toString(), "--where", eu, "--destination-where", "items:region = 'none'");
        assertThat(variant.exit()).isEqualTo(1);
        assertThat(table(report(dir), "items").get("missing").asInt()).isEqualTo(200);

        // 7. a condition either side rejects, or a pattern without a table, fails before comparing, naming them
        Outcome bad = run("verify", project.toString(), "--where", "items:nosuch = 1");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("verify.where").contains(srcDb + ".items").contains("'nosuch = 1'").contains("source");
        Outcome badDst = run("verify", project.toString(), "--where", eu, "--destination-where", "items:regio = 'eu'");
        assertThat(badDst.exit()).isEqualTo(2);
        assertThat(badDst.err()).contains("destination").contains("'regio = 'eu''").doesNotContain("the source table");
        Outcome none = run("verify", project.toString(), "--where", "nosuch:id > 1");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("'nosuch' matches no table");
        Outcome injected = run("verify", project.toString(), "--where", "items:id > 1) OR (1 = 1");
        assertThat(injected.exit()).isEqualTo(2);
        assertThat(injected.err()).contains("closes a parenthesis");
    }

    /** Differences in the filter region = 'eu' (even ids) and outside it (odd ids). */
    private void plantAroundFilter() throws SQLException {
        execute("UPDATE " + q("items") + " SET qty = qty + 1 WHERE id IN (10, 11)");
        execute("DELETE FROM " + q("items") + " WHERE id IN (13, 14)");
        execute("INSERT INTO " + q("items") + " (id, region, flag, note, qty) VALUES (1001, 'eu', 0, 'x', 0), (1003, 'us', 0, 'y', 0)");
        execute("UPDATE " + q("items") + " SET region = 'us' WHERE id = 20");   // in the filter on the source only: missing
        execute("UPDATE " + q("items") + " SET region = 'eu' WHERE id = 21");   // in it on the destination only: extra,
                                                                                // corrected by the source's row, not deleted
    }

    private void assertOnlyOutsideTheFilterDiffers(Path dir) throws Exception {
        Outcome all = run("verify", project.toString());
        assertThat(all.exit()).isEqualTo(1);
        assertThat(kinds(table(report(dir), "items"))).containsExactlyInAnyOrder("DIFFERENT id=11 [qty]", "MISSING id=13",
                "EXTRA id=1003");
        assertThat(destinationValue("SELECT region FROM " + q("items") + " WHERE id = 21")).isEqualTo("us");
        assertThat(destinationValue("SELECT region FROM " + q("items") + " WHERE id = 20")).isEqualTo("eu");
    }

    private String destinationValue(String sql) throws SQLException {
        try (Connection c = connectDestination(); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private void plant() throws SQLException {
        execute("DELETE FROM " + q("customers") + " WHERE id = 7");
        execute("INSERT INTO " + q("customers") + " (id, email, name, created_at, balance, active, last_login)"
                + " VALUES (100000, 'extra@example.com', 'Extra', '2024-01-01 00:00:00', 1.00, 1, NULL)");
        execute("UPDATE " + q("orders") + " SET total = total + 1 WHERE id = " + MAX_ORDER);
        execute("UPDATE " + q("products") + " SET title = 'changed' WHERE sku = 'SKU-00000010'");
        execute("DELETE FROM " + q("order_lines") + " WHERE order_id = " + MAX_ORDER + " AND line_no = 1");
        execute("DELETE FROM " + q("audit_log") + " WHERE message = 'event 5'");
        execute("INSERT INTO " + q("audit_log") + " SELECT * FROM " + q("audit_log") + " WHERE message = 'event 6'");
        execute(changeEveryTypeOfRow4());
        execute("UPDATE " + q("all_types") + " SET vc = NULL WHERE id = 1");             // '' on the source
        execute("UPDATE " + q("all_types") + " SET tx = '' WHERE id = 3");               // NULL on the source
        execute("UPDATE " + q("all_types") + " SET ch = 'abc   ' WHERE id = 2");         // CHAR pads: no difference
        execute("UPDATE " + q("words") + " SET n = -1 WHERE w = '_c00002'");
    }

    private void assertEveryPlantedDifference(JsonNode r) {
        assertThat(r.get("equal").asBoolean()).isFalse();
        assertThat(r.get("rowsDiffering").asInt()).isEqualTo(11);
        assertThat(kinds(table(r, "words"))).containsExactly("DIFFERENT w=_c00002 [n]");
        JsonNode customers = table(r, "customers");
        assertThat(kinds(customers)).containsExactlyInAnyOrder("MISSING id=7", "EXTRA id=100000");
        assertThat(kinds(table(r, "orders"))).containsExactly("DIFFERENT id=" + MAX_ORDER + " [total]");
        assertThat(kinds(table(r, "products"))).containsExactly("DIFFERENT sku=SKU-00000010 [title]");
        assertThat(kinds(table(r, "order_lines"))).containsExactly("MISSING order_id=" + MAX_ORDER + ",line_no=1");
        JsonNode log = table(r, "audit_log");
        assertThat(log.get("keyed").asBoolean()).isFalse();
        assertThat(log.get("missing").asInt()).isEqualTo(1);
        assertThat(log.get("extra").asInt()).isEqualTo(1);
        assertThat(log.findValuesAsText("message")).containsExactlyInAnyOrder("event 5", "event 6");
        List<String> allButId = List.of("b", "i8", "u8", "i16", "u16", "i24", "u24", "i32", "u32", "i64", "u64", "d65", "d10", "f",
                "dbl", "bit1", "bit64", "ch", "vc", "tx", "mtx", "bin", "vbin", "bl", "dt", "tm", "dtm", "ts", "yr", "js", "en", "st", "uu");
        JsonNode types = table(r, "all_types");
        assertThat(types.get("different").asInt()).isEqualTo(3);
        for (JsonNode d : types.get("differences")) {
            List<String> cols = new ArrayList<>();
            d.get("columns").forEach(c -> cols.add(c.asText()));
            switch (d.get("key").get("id").asInt()) {
                case 1 -> assertThat(cols).containsExactly("vc");
                case 3 -> assertThat(cols).containsExactly("tx");
                case 4 -> assertThat(cols).containsExactlyInAnyOrderElementsOf(allButId);
                default -> throw new AssertionError("unexpected difference " + d);
            }
        }
        JsonNode ts = null;
        for (JsonNode d : types.get("differences")) {
            if (d.get("key").get("id").asInt() == 4) {
                ts = d.get("values").get("ts");
            }
        }
        assertThat(ts.get("source").asText()).endsWith(":56.123456");
        assertThat(ts.get("destination").asText()).endsWith(":56.123457")
                .startsWith(ts.get("source").asText().substring(0, 19));
    }

    /** "KIND col=value[,col=value] [columns]" per difference of a table. */
    private static List<String> kinds(JsonNode t) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : t.get("differences")) {
            List<String> key = new ArrayList<>();
            d.get("key").fields().forEachRemaining(e -> key.add(e.getKey() + "=" + e.getValue().asText()));
            List<String> cols = new ArrayList<>();
            if (d.has("columns")) {
                d.get("columns").forEach(c -> cols.add(c.asText()));
            }
            out.add(d.get("kind").asText() + " " + String.join(",", key) + (cols.isEmpty() ? "" : " " + cols));
        }
        return out;
    }

    private JsonNode table(JsonNode report, String table) {
        for (JsonNode t : report.get("tables")) {
            if (t.get("source").asText().equals(srcDb + "." + table)) {
                return t;
            }
        }
        throw new AssertionError("no table " + table + " in " + report);
    }

    private String dstName(String table) {
        return (destination() == DataSourceType.fromId("mariadb") ? dstDb : srcDb) + "." + table + ".sql";
    }

    private static JsonNode report(Path dir) throws Exception {
        return new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    }

    /** Applies a correction file the way a DBA's client would: its statements, one per line, in order. */
    private void apply(Path sqlFile) throws Exception {
        try (Connection c = connectDestination(); Statement s = c.createStatement()) {
            for (String line : Files.readAllLines(sqlFile, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("--")) {
                    continue;
                }
                assertThat(line).endsWith(";");
                s.execute(line.substring(0, line.length() - 1));
            }
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connectDestination(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] full = new String[args.length + 2];
            full[0] = "--data-dir";
            full[1] = data.toString();
            System.arraycopy(args, 0, full, 2, args.length);
            int exit = Main.execute(full);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.out.print(out.toString(StandardCharsets.UTF_8));
            System.err.print(err.toString(StandardCharsets.UTF_8));
        }
    }
}

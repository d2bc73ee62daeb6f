package io.tideway.metadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.KeyRange;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every MetaDB vendor must do alike. Subclasses say where the MetaDB lives; one MetaDB per
 * test class, and each test uses its own project names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetaDbContract {
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    MetaDb db;

    /** Opens (and migrates) the MetaDB of this test class. */
    abstract MetaDb open(String tidewayVersion);

    /** Starts the server the MetaDB lives in, if any. */
    void startBackend() { }

    void stopBackend() { }

    @BeforeAll
    void openDb() {
        startBackend();
        db = open("0.1.0-test");
    }

    @AfterAll
    void closeDb() {
        try {
            if (db != null) {
                db.close();
            }
        } finally {
            stopBackend();
        }
    }

    static DataSourceConfig mariadb(String password) {
        return new DataSourceConfig(DataSourceType.fromId("mariadb"), "10.0.0.5", 3306, "app", password, "shop",
                Map.of("useSsl", "false", "connectTimeout", "5000"));
    }

    static DataSourceConfig postgres(String password) {
        return new DataSourceConfig(DataSourceType.fromId("postgresql"), "pg.internal", 5433, "postgres", password, "shop", Map.of());
    }

    @Test
    void opening_again_is_an_idempotent_migrate_that_records_the_newer_version() {
        try (MetaDb again = open("0.2.0-test")) {
            assertThat(again.schemaVersion()).isEqualTo(MetaDb.SCHEMA_VERSION);
            assertThat(again.lastMigratedByVersion()).isEqualTo("0.2.0-test");
            assertThat(db.lastMigratedByVersion()).isEqualTo("0.2.0-test");
        }
        assertThat(db.schemaVersion()).isEqualTo(MetaDb.SCHEMA_VERSION);
    }

    @Test
    void a_project_round_trips_with_its_passwords_decrypted_and_upsert_keeps_its_id() {
        String secret = "s3cr\u00e9t'\"; DROP";
        long id = db.projects().upsert("round-trip", mariadb(secret), postgres(""), "name: round-trip\n");
        ProjectRecord p = db.projects().find("round-trip").orElseThrow();
        assertThat(p.id()).isEqualTo(id);
        assertThat(p.name()).isEqualTo("round-trip");
        assertThat(p.source()).isEqualTo(mariadb(secret));
        assertThat(p.source().password()).isEqualTo(secret);
        assertThat(p.destination()).isEqualTo(postgres(""));
        assertThat(p.configYaml()).isEqualTo("name: round-trip\n");
        assertThat(p.state()).isEqualTo(Projects.CREATED);
        assertThat(p.createdAt()).isEqualTo(T0);

        db.projects().setState(id, io.tideway.core.project.Lifecycle.State.RUNNING);
        long again = db.projects().upsert("round-trip", mariadb("new-pass"), postgres("pg-pass"), "name: round-trip # v2\n");
        assertThat(again).isEqualTo(id);
        ProjectRecord q = db.projects().find("round-trip").orElseThrow();
        assertThat(q.source().password()).isEqualTo("new-pass");
        assertThat(q.destination().password()).isEqualTo("pg-pass");
        assertThat(q.configYaml()).isEqualTo("name: round-trip # v2\n");
        assertThat(q.state()).isEqualTo("RUNNING");
        assertThat(db.projects().find("no-such-project")).isEmpty();
    }

    @Test
    void passwords_are_stored_encrypted() throws Exception {
        String secret = "Very-Secret-Pa55word";
        long id = db.projects().upsert("encrypted", mariadb(secret), postgres(secret), null);
        List<String> stored = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT d.password_enc FROM data_source d JOIN project p"
                     + " ON d.id = p.source_id OR d.id = p.destination_id WHERE p.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
        }
        assertThat(stored).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1:").doesNotContain(secret));
        assertThat(stored.get(0)).isNotEqualTo(stored.get(1)); // a random IV per value
    }

    @Test
    void step_states_carry_their_timestamps() {
        long id = db.projects().upsert("steps", mariadb("x"), postgres("y"), null);
        StepRecord none = db.projects().step(id, "full");
        assertThat(none.state()).isEqualTo(Projects.NOT_STARTED);
        assertThat(none.startedAt()).isNull();

        Instant t1 = T0.plusSeconds(60);
        clock.set(t1);
        db.projects().setStepState(id, "full", io.tideway.core.project.Lifecycle.State.RUNNING, null);
        db.projects().setStepProgress(id, "full", "{\"rows\":10}");
        Instant t2 = T0.plusSeconds(120);
        clock.set(t2);
        db.projects().setStepState(id, "full", io.tideway.core.project.Lifecycle.State.FAILED, "connection reset");
        StepRecord failed = db.projects().step(id, "full");
        assertThat(failed.state()).isEqualTo("FAILED");
        assertThat(failed.startedAt()).isEqualTo(t1);
        assertThat(failed.finishedAt()).isEqualTo(t2);
        assertThat(failed.error()).isEqualTo("connection reset");
        assertThat(failed.progressJson()).isEqualTo("{\"rows\":10}");

        Instant t3 = T0.plusSeconds(180);
        clock.set(t3);
        db.projects().setStepState(id, "full", io.tideway.core.project.Lifecycle.State.RUNNING, null);
        StepRecord retried = db.projects().step(id, "full");
        assertThat(retried.startedAt()).isEqualTo(t1);
        assertThat(retried.finishedAt()).isNull();
        assertThat(retried.error()).isNull();

        Instant t4 = T0.plusSeconds(240);
        clock.set(t4);
        db.projects().setStepState(id, "full", io.tideway.core.project.Lifecycle.State.COMPLETED, null);
        db.projects().setStepProgress(id, "schema", "{\"tables\":3}");
        StepRecord done = db.projects().step(id, "full");
        assertThat(done.finishedAt()).isEqualTo(t4);
        assertThat(db.projects().steps(id)).extracting(StepRecord::step, StepRecord::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("full", "COMPLETED"),
                        org.assertj.core.groups.Tuple.tuple("schema", Projects.NOT_STARTED));
        // the lifecycle is enforced by the write: a completed step cannot be skipped or fail
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.projects().setStepState(id, "full",
                        io.tideway.core.project.Lifecycle.State.SKIPPED, null))
                .isInstanceOf(io.tideway.core.model.TidewayException.class)
                .hasMessageContaining("step full of project ").hasMessageContaining(" is COMPLETED and cannot become SKIPPED")
                .hasMessageContaining("may only become RUNNING");
        assertThat(db.projects().step(id, "full").state()).isEqualTo("COMPLETED");
        clock.set(T0);
    }

    @Test
    void tables_keep_case_sensitive_and_unicode_names_apart() {
        long id = db.projects().upsert("tables", mariadb("x"), postgres("y"), null);
        TableId upper = new TableId("shop", "Orders");
        TableId lower = new TableId("shop", "orders");
        TableId unicode = new TableId("sh\u00f6p", "\u8ba2\u5355 \"x\"");
        db.checkpoints().upsertTable(id, upper, new TableId("store", "Orders"), "PENDING", 10);
        db.checkpoints().upsertTable(id, lower, new TableId("store", "orders"), "PENDING", 20);
        db.checkpoints().upsertTable(id, unicode, new TableId("store", "o"), "PENDING", 30);
        db.checkpoints().setTableState(id, lower, "COPYING");
        db.checkpoints().setTableProgress(id, lower, 7, 700);
        // a second upsert updates destination, state and estimate, keeps progress
        db.checkpoints().upsertTable(id, lower, new TableId("store", "orders_v2"), "COPYING", 25);

        TableRecord l = db.checkpoints().table(id, lower).orElseThrow();
        assertThat(l.destination()).isEqualTo(new TableId("store", "orders_v2"));
        assertThat(l.state()).isEqualTo("COPYING");
        assertThat(l.estimatedRows()).isEqualTo(25);
        assertThat(l.rowsDone()).isEqualTo(7);
        assertThat(l.bytesDone()).isEqualTo(700);
        assertThat(l.chunked()).isFalse();
        assertThat(db.checkpoints().table(id, upper).orElseThrow().estimatedRows()).isEqualTo(10);
        assertThat(db.checkpoints().table(id, unicode).orElseThrow().source()).isEqualTo(unicode);
        assertThat(db.checkpoints().tables(id)).extracting(TableRecord::source).containsExactlyInAnyOrder(upper, lower, unicode);
        assertThat(db.checkpoints().table(id, new TableId("shop", "ORDERS"))).isEmpty();
        assertThatThrownBy(() -> db.checkpoints().setTableState(id, new TableId("shop", "nope"), "X"))
                .isInstanceOf(TidewayException.class).hasMessageContaining("shop.nope");
    }

    @Test
    void a_chunk_plan_is_saved_once_and_chunks_are_checkpointed() {
        long id = db.projects().upsert("chunks", mariadb("x"), postgres("y"), null);
        TableId t = new TableId("shop", "orders");
        db.checkpoints().upsertTable(id, t, t, "PENDING", 300);
        List<KeyRange> plan = List.of(
                new KeyRange(null, List.of(100L)),
                new KeyRange(List.of(100L), List.of(new BigInteger("18446744073709551615"))),
                new KeyRange(List.of(new BigInteger("18446744073709551615")), null));
        assertThat(db.checkpoints().saveChunkPlan(id, t, plan)).isTrue();
        assertThat(db.checkpoints().saveChunkPlan(id, t, List.of(KeyRange.ALL))).isFalse();
        assertThat(db.checkpoints().table(id, t).orElseThrow().chunked()).isTrue();

        List<ChunkRecord> chunks = db.checkpoints().chunks(id, t);
        assertThat(chunks).extracting(ChunkRecord::chunkNo).containsExactly(0, 1, 2);
        assertThat(chunks).extracting(ChunkRecord::range).containsExactlyElementsOf(plan);
        assertThat(chunks).extracting(ChunkRecord::state).containsOnly(Checkpoints.PENDING);

        db.checkpoints().markChunkStarted(id, t, 1);
        db.checkpoints().markChunkStarted(id, t, 2);
        db.checkpoints().markChunkDone(id, t, 2, 123, 4567);
        chunks = db.checkpoints().chunks(id, t);
        assertThat(chunks).extracting(ChunkRecord::state)
                .containsExactly(Checkpoints.PENDING, Checkpoints.STARTED, Checkpoints.DONE);
        assertThat(chunks.get(2).rows()).isEqualTo(123);
        assertThat(chunks.get(2).bytes()).isEqualTo(4567);
        assertThatThrownBy(() -> db.checkpoints().markChunkDone(id, t, 3, 1, 1))
                .isInstanceOf(TidewayException.class).hasMessageContaining("chunk 3");

        db.checkpoints().deleteChunks(id, t);
        assertThat(db.checkpoints().chunks(id, t)).isEmpty();
        assertThat(db.checkpoints().table(id, t).orElseThrow().chunked()).isFalse();
        List<KeyRange> composite = List.of(new KeyRange(null, List.of("m\u00fcller", new BigDecimal("1.50"))),
                new KeyRange(List.of("m\u00fcller", new BigDecimal("1.50")), null));
        assertThat(db.checkpoints().saveChunkPlan(id, t, composite)).isTrue();
        assertThat(db.checkpoints().chunks(id, t)).extracting(ChunkRecord::range).containsExactlyElementsOf(composite);
    }

    @Test
    void a_chunk_plan_needs_a_registered_table() {
        long id = db.projects().upsert("unregistered", mariadb("x"), postgres("y"), null);
        assertThatThrownBy(() -> db.checkpoints().saveChunkPlan(id, new TableId("shop", "ghost"), List.of(KeyRange.ALL)))
                .isInstanceOf(TidewayException.class).hasMessageContaining("shop.ghost").hasMessageContaining("not registered");
    }

    @Test
    void events_list_the_latest_oldest_first() {
        long id = db.projects().upsert("events", mariadb("x"), postgres("y"), null);
        for (int i = 1; i <= 5; i++) {
            db.events().add(id, "INFO", i % 2 == 0 ? "full" : null, "message " + i + " \u2713");
        }
        List<EventRecord> last3 = db.events().list(id, 3);
        assertThat(last3).extracting(EventRecord::message).containsExactly("message 3 \u2713", "message 4 \u2713", "message 5 \u2713");
        assertThat(last3).extracting(EventRecord::step).containsExactly(null, "full", null);
        assertThat(last3.get(0).at()).isEqualTo(T0);
        assertThat(db.events().list(id, 100)).hasSize(5);
    }

    @Test
    void a_verification_report_round_trips_with_its_rows_in_order_and_only_the_latest_are_kept() throws Exception {
        long id = db.projects().upsert("reports", mariadb("x"), postgres("y"), null);
        Instant started = T0.minusSeconds(5);
        String unicode = "{\"kind\":\"DIFFERENT\",\"key\":{\"id\":2},\"values\":{\"name\":{\"source\":\"Zo\u00eb \u2713\"}}}";
        List<VerifyReports.StoredDifference> rows = List.of(
                new VerifyReports.StoredDifference(0, 0, "MISSING", "{\"kind\":\"MISSING\",\"key\":{\"id\":1}}"),
                new VerifyReports.StoredDifference(0, 1, "DIFFERENT", unicode),
                new VerifyReports.StoredDifference(2, 0, "EXTRA", "{\"kind\":\"EXTRA\",\"row\":{\"a\":null}}"));
        db.verifyReports().save(id, started, T0, true, false, "equal", "{\"first\":true}", List.of());
        long second = db.verifyReports().save(id, started, T0, false, false, "3 rows differ", "{\"tables\":[]}", rows);
        VerifyReports.StoredReport r = db.verifyReports().latest(id).orElseThrow();
        assertThat(r.id()).isEqualTo(second);
        assertThat(r.startedAt()).isEqualTo(started);
        assertThat(r.finishedAt()).isEqualTo(T0);
        assertThat(r.equal()).isFalse();
        assertThat(r.summary()).isEqualTo("3 rows differ");
        assertThat(r.reportJson()).isEqualTo("{\"tables\":[]}");
        assertThat(r.differences()).isEqualTo(rows);
        for (int i = 0; i < VerifyReports.KEPT; i++) {
            db.verifyReports().save(id, started, T0, true, false, "equal " + i, "{}", List.of());
        }
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM verify_report WHERE project_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(VerifyReports.KEPT);
            }
        }
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM verify_difference WHERE report_id = ?")) {
            ps.setLong(1, second);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("the rows of a report deleted go with it").isZero();
            }
        }
        assertThat(db.verifyReports().latest(id).orElseThrow().summary()).isEqualTo("equal " + (VerifyReports.KEPT - 1));
    }

    @Test
    void a_component_keeps_its_state_and_every_version_of_its_configuration_and_a_change_is_an_event_with_who() {
        long id = db.projects().upsert("components", mariadb("x"), postgres("y"), null);
        String cid = "components.connector.forward";
        ComponentRecord r = new ComponentRecord(cid, id, "connector", "forward", null, null, "CONFIGURED", null, null);
        assertThat(db.components().create(r, "{\"format\":1,\"source\":{\"dbType\":\"mariadb\"}}", "project file")).isTrue();
        assertThat(db.components().create(r, "{}", "project file")).as("a second create").isFalse();
        assertThat(db.components().setState(cid, "CONFIGURED", "RUNNING", "node-1", "10.0.0.7")).isTrue();
        assertThat(db.components().setState(cid, "CONFIGURED", "STOPPED", null, null)).as("from a state it is not in").isFalse();
        db.components().setPosition(cid, "mariadb-bin.000003:1234");
        assertThat(db.components().list(id)).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo("RUNNING");
            assertThat(c.nodeHost()).isEqualTo("node-1");
            assertThat(c.nodeIp()).isEqualTo("10.0.0.7");
            assertThat(c.position()).isEqualTo("mariadb-bin.000003:1234");
            assertThat(c.direction()).isEqualTo("forward");
        });
        assertThat(db.components().addVersion(cid, 1, "{\"format\":1}", "alice", "connector", "changed")).contains(2);
        assertThat(db.components().addVersion(cid, 1, "{}", "bob", "connector", "changed")).as("after a stale version").isEmpty();
        assertThat(db.components().config(cid)).get().satisfies(v -> {
            assertThat(v.version()).isEqualTo(2);
            assertThat(v.who()).isEqualTo("alice");
            assertThat(v.sectionsJson()).isEqualTo("{\"format\":1}");
        });
        assertThat(db.components().versions(cid)).extracting(ComponentConfigRecord::who).containsExactly("alice", "project file");
        assertThat(db.events().list(id, 10)).singleElement().satisfies(e -> {
            assertThat(e.who()).isEqualTo("alice");
            assertThat(e.message()).isEqualTo("changed");
        });
        assertThat(db.components().find("components.store.forward")).isEmpty();
    }

    @Test
    void a_component_keeps_the_process_that_started_it_and_its_live_figures() {
        long id = db.projects().upsert("checker", mariadb("x"), postgres("y"), null);
        String cid = "checker.checker";
        db.components().create(new ComponentRecord(cid, id, "checker", null, null, null, "CONFIGURED", null, null), "{}", "x");
        assertThat(db.components().owner(cid)).isEmpty();
        assertThat(db.components().setState(cid, "CONFIGURED", "RUNNING", "node-1", "10.0.0.7", "node-1:42")).isTrue();
        assertThat(db.components().setState(cid, "RUNNING", "STOPPED", null, null)).isTrue();
        assertThat(db.components().owner(cid)).as("kept after it stops").contains("node-1:42");
        db.components().setFigures(cid, "3 of 7 tables", "{\"rowsCompared\":1200}");
        assertThat(db.components().figures(cid)).contains("{\"rowsCompared\":1200}");
        assertThat(db.components().find(cid).orElseThrow().position()).isEqualTo("3 of 7 tables");
        assertThat(db.components().figures("nosuch.checker")).isEmpty();
    }

    @Test
    void capture_state_round_trips_offsets_by_partition_and_history_in_order() {
        long id = db.projects().upsert("capture-state", mariadb(""), postgres(""), null);
        var st = db.incremental().captureState(id, "fwd");
        assertThat(st.loadOffsets()).isEmpty();
        String longKey = "[\"engine\",{\"server\":\"" + "x".repeat(600) + "\"}]";
        st.saveOffsets(java.util.Map.of(longKey, "{\"file\":\"mysql-bin.000001\",\"pos\":4}"));
        st.saveOffsets(java.util.Map.of(longKey, "{\"file\":\"mysql-bin.000002\",\"pos\":99}"));
        assertThat(st.loadOffsets()).containsExactly(java.util.Map.entry(longKey, "{\"file\":\"mysql-bin.000002\",\"pos\":99}"));
        st.appendHistory("first");
        st.appendHistory("second ü");
        assertThat(st.loadHistory()).containsExactly("first", "second ü");
        assertThat(db.incremental().captureState(id, "reverse").loadHistory()).as("captures are kept apart").isEmpty();
        db.incremental().clearCapture(id, "fwd");
        assertThat(st.loadOffsets()).isEmpty();
        assertThat(st.loadHistory()).isEmpty();
    }

    @Test
    void the_apply_checkpoint_is_replaced_each_time() {
        long id = db.projects().upsert("apply-cp", mariadb(""), postgres(""), null);
        assertThat(db.incremental().applyCheckpoint(id, "fwd")).isEmpty();
        db.incremental().saveApplyCheckpoint(id, "fwd", new Incremental.ApplyCheckpoint(1, 100, "p1", 5, 10, null));
        db.incremental().saveApplyCheckpoint(id, "fwd", new Incremental.ApplyCheckpoint(2, 7, "p2", 6, 20, null));
        var cp = db.incremental().applyCheckpoint(id, "fwd").orElseThrow();
        assertThat(cp.segment()).isEqualTo(2);
        assertThat(cp.offset()).isEqualTo(7);
        assertThat(cp.position()).isEqualTo("p2");
        assertThat(cp.eventsApplied()).isEqualTo(20);
    }

    @Test
    void switchover_sub_steps_keep_their_state_times_and_detail() {
        long id = db.projects().upsert("switch", mariadb(""), postgres(""), null);
        assertThat(db.switchovers().steps(id)).isEmpty();
        db.switchovers().set(id, 1, "precheck", "RUNNING", null, null);
        db.switchovers().set(id, 1, "precheck", "FAILED", null, "lag too high");
        db.switchovers().set(id, 1, "precheck", "RUNNING", null, null);
        db.switchovers().set(id, 1, "precheck", "COMPLETED", "{\"lagMillis\":12}", null);
        db.switchovers().set(id, 3, "source-writes-stopped", "RUNNING", "{\"confirmedAt\":\"x\"}", null);
        db.switchovers().set(id, 3, "source-writes-stopped", "RUNNING", null, null);
        var steps = db.switchovers().steps(id);
        assertThat(steps).extracting(Switchovers.SubStep::number).containsExactly(1, 3);
        var one = steps.get(0);
        assertThat(one.state()).isEqualTo("COMPLETED");
        assertThat(one.error()).as("a retry clears the error").isNull();
        assertThat(one.detailJson()).isEqualTo("{\"lagMillis\":12}");
        assertThat(one.startedAt()).isNotNull();
        assertThat(one.finishedAt()).isNotNull();
        assertThat(steps.get(1).detailJson()).as("a null detail keeps the stored one").isEqualTo("{\"confirmedAt\":\"x\"}");
        assertThat(steps.get(1).finishedAt()).isNull();

        assertThat(db.switchovers().markerInUseSince(id, "forward")).isEmpty();
        db.switchovers().markerInUse(id, "forward", "shop.tideway_apply_marker");
        db.switchovers().markerInUse(id, "forward", "shop.tideway_apply_marker");
        assertThat(db.switchovers().markerInUseSince(id, "forward")).isPresent();
        assertThat(db.switchovers().markerInUseSince(id, "reverse")).isEmpty();
        db.switchovers().clearMarkers(id);
        assertThat(db.switchovers().markerInUseSince(id, "forward")).isEmpty();
    }

    @Test
    void a_second_run_is_refused_naming_the_first_unless_the_first_is_gone() {
        long id = db.projects().upsert("run-lock", mariadb(""), postgres(""), null);
        db.incremental().acquireRun(id, "host-a:1", 30_000, o -> false);
        assertThatThrownBy(() -> db.incremental().acquireRun(id, "host-b:2", 30_000, o -> false))
                .hasMessageContaining("already running in host-a:1");
        assertThat(db.incremental().sendCommand(id, "PAUSE")).isTrue();
        assertThat(db.incremental().heartbeat(id, "host-a:1")).isEqualTo("PAUSE");
        assertThat(db.incremental().heartbeat(id, "host-a:1")).as("a command is taken once").isNull();
        // the first owner's process is gone: taken over at once
        db.incremental().acquireRun(id, "host-b:2", 30_000, o -> o.equals("host-a:1"));
        assertThat(db.incremental().run(id).orElseThrow().owner()).isEqualTo("host-b:2");
        // a stale heartbeat is taken over too
        clock.set(T0.plusSeconds(3600));
        db.incremental().acquireRun(id, "host-c:3", 30_000, o -> false);
        assertThat(db.incremental().run(id).orElseThrow().owner()).isEqualTo("host-c:3");
        db.incremental().releaseRun(id, "host-c:3");
        assertThat(db.incremental().run(id)).isEmpty();
        assertThat(db.incremental().sendCommand(id, "PAUSE")).as("nobody runs it").isFalse();
        clock.set(T0);
    }

    @Test
    void every_run_that_takes_a_project_over_gets_a_newer_epoch_even_when_its_clock_is_behind() {
        long id = db.projects().upsert("run-epoch", mariadb(""), postgres(""), null);
        db.incremental().acquireRun(id, "host-a:1", 30_000, o -> false);
        long a = db.incremental().runEpoch(id, "host-a:1").orElseThrow();
        assertThat(db.incremental().runEpoch(id, "host-b:2")).as("not b's run").isEmpty();
        db.incremental().acquireRun(id, "host-b:2", 30_000, o -> o.equals("host-a:1"));
        long b = db.incremental().runEpoch(id, "host-b:2").orElseThrow();
        assertThat(b).isGreaterThan(a);
        assertThat(db.incremental().runEpoch(id, "host-a:1")).as("a no longer holds the run").isEmpty();
        clock.set(T0.minusSeconds(60));
        db.incremental().acquireRun(id, "host-c:3", 30_000, o -> o.equals("host-b:2"));
        assertThat(db.incremental().runEpoch(id, "host-c:3").orElseThrow()).as("a node whose clock is behind").isGreaterThan(b);
        db.incremental().releaseRun(id, "host-c:3");
        clock.set(T0);
    }

    @Test
    void a_run_after_a_release_gets_a_higher_epoch_even_when_its_clock_is_behind() {
        long id = db.projects().upsert("run-epoch-release", mariadb(""), postgres(""), null);
        db.incremental().acquireRun(id, "host-a:1", 30_000, o -> false);
        long a = db.incremental().runEpoch(id, "host-a:1").orElseThrow();
        db.incremental().releaseRun(id, "host-a:1");
        assertThat(db.incremental().run(id)).as("the lease row is gone").isEmpty();
        clock.set(T0.minusSeconds(3600));
        db.incremental().acquireRun(id, "host-b:2", 30_000, o -> false);
        long b = db.incremental().runEpoch(id, "host-b:2").orElseThrow();
        assertThat(b).as("a later run on a node whose clock is an hour behind").isGreaterThan(a);
        assertThatThrownBy(() -> db.incremental().acquireRun(id, "host-c:3", 30_000, o -> false))
                .hasMessageContaining("already running in host-b:2");
        db.incremental().releaseRun(id, "host-b:2");
        db.incremental().acquireRun(id, "host-b:2", 30_000, o -> false);
        assertThat(db.incremental().runEpoch(id, "host-b:2").orElseThrow()).as("a refused run took no epoch; the next one does")
                .isEqualTo(b + 1);
        db.incremental().releaseRun(id, "host-b:2");
        clock.set(T0);
    }
}

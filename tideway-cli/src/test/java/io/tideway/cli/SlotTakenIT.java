package io.tideway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedPostgreSql;
import io.tideway.test.EmbeddedServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * Bad input of the incremental step from a PostgreSQL source: the replication slot Tideway names
 * after the project ({@code tideway_<project>}) is already taken, by a consumer streaming from
 * it or by another tool's slot of that name. The run stops with one line naming the slot and what
 * to do, and leaves the other consumer's slot as it was.
 */
@ExtendWith(EmbeddedServers.class)
class SlotTakenIT {
    @TempDir
    Path tmp;

    record Outcome(int exit, String out, String err) { }

    private Outcome run(Path project) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(new String[] {"--data-dir", tmp.resolve("data").toString(), "run", project.toString()});
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path project(String name, String src, String dst) throws Exception {
        try (Connection c = EmbeddedServers.postgres().connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)");
            s.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
        }
        return Projects.write(tmp, name, "name: " + name + "\n"
                + "source: " + Projects.endpoint(DataSourceType.fromId("postgresql"), src) + "\n"
                + "destination: " + Projects.endpoint(DataSourceType.fromId("postgresql"), dst) + "\n"
                + "tables: { include: [\"public.*\"] }\n"
                + "steps: [schema, full, incremental]\n");
    }

    @Test
    void aSlotInUseByAnotherConsumerIsNamedAndLeftToIt() throws Exception {
        EmbeddedPostgreSql pg = EmbeddedServers.postgres();
        String src = EmbeddedServers.freshDatabase(pg, SlotTakenIT.class, "busy_src");
        String dst = EmbeddedServers.freshDatabase(pg, SlotTakenIT.class, "busy_dst");
        Path project = project("slot-busy", src, dst);
        String slot = "tideway_slot_busy";
        try (Connection c = pg.connect(src); Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION other_tool FOR TABLE t");
        }
        // another consumer streams from a slot of the name the project would use
        Properties p = new Properties();
        PGProperty.USER.set(p, pg.user());
        PGProperty.PASSWORD.set(p, pg.password());
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        try (Connection rc = DriverManager.getConnection(pg.jdbcUrl(src), p)) {
            PGConnection pgc = rc.unwrap(PGConnection.class);
            pgc.getReplicationAPI().createReplicationSlot().logical().withSlotName(slot).withOutputPlugin("pgoutput").make();
            try (PGReplicationStream stream = pgc.getReplicationAPI().replicationStream().logical().withSlotName(slot)
                    .withSlotOption("proto_version", 1).withSlotOption("publication_names", "other_tool").start()) {
                int pid = activePid(slot);
                assertThat(pid).as("the other consumer holds the slot").isPositive();

                Outcome o = run(project);

                assertThat(o.exit()).isEqualTo(2);
                assertThat(o.err()).contains("replication slot " + slot).contains("in use by another consumer")
                        .contains("server process " + pid).contains("pg_terminate_backend(" + pid + ")")
                        .contains("another name");
                assertThat(activePid(slot)).as("the slot is still the other consumer's").isEqualTo(pid);
            }
        } finally {
            dropSlot(slot);
        }
    }

    @Test
    void aSlotOfAnotherToolWithTheSameNameIsNamedAndLeftAlone() throws Exception {
        EmbeddedPostgreSql pg = EmbeddedServers.postgres();
        String src = EmbeddedServers.freshDatabase(pg, SlotTakenIT.class, "foreign_src");
        String dst = EmbeddedServers.freshDatabase(pg, SlotTakenIT.class, "foreign_dst");
        Path project = project("slot-foreign", src, dst);
        String slot = "tideway_slot_foreign";
        try (Connection c = pg.connect(src);
             PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'test_decoding')")) {
            ps.setString(1, slot);
            ps.execute();
        }
        try {
            Outcome o = run(project);

            assertThat(o.exit()).isEqualTo(2);
            assertThat(o.err()).contains("replication slot " + slot).contains("test_decoding")
                    .contains("pg_drop_replication_slot('" + slot + "')");
            try (Connection c = pg.connect(src); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                assertThat(rs.next()).as("the other tool's slot is kept").isTrue();
                assertThat(rs.getString(1)).isEqualTo("test_decoding");
            }
        } finally {
            dropSlot(slot);
        }
    }

    private static int activePid(String slot) throws Exception {
        try (Connection c = EmbeddedServers.postgres().connect("postgres");
             PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static void dropSlot(String slot) throws Exception {
        for (int i = 0; i < 100 && activePid(slot) > 0; i++) {
            Thread.sleep(100);   // the closed stream's server process is ending
        }
        try (Connection c = EmbeddedServers.postgres().connect("postgres");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }
}

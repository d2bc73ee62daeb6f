package io.tideway.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.change.CaptureState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StateOffsetStoreTest {
    /** Offsets as installations saved them before the store moved here: the engine's JSON texts, unchanged. */
    private static final String BINLOG_KEY = "[\"shop\",{\"server\":\"shop\"}]";
    private static final String BINLOG_OFFSET = "{\"transaction_id\":null,\"ts_sec\":1733600000,\"file\":\"mysql-bin.000003\","
            + "\"pos\":1542,\"row\":1,\"server_id\":1,\"event\":2}";
    private static final String PG_KEY = "[\"tideway-shop_to_pg\",{\"server\":\"shop_to_pg\"}]";
    private static final String PG_OFFSET = "{\"lsn_proc\":24641952,\"messageType\":\"INSERT\",\"lsn_commit\":24641880,"
            + "\"lsn\":24641952,\"txId\":771,\"ts_usec\":1733600000123456}";

    private static final class MemoryState implements CaptureState {
        final Map<String, String> offsets = new LinkedHashMap<>();
        final List<Map<String, String>> saves = new ArrayList<>();

        @Override
        public Map<String, String> loadOffsets() {
            return new LinkedHashMap<>(offsets);
        }

        @Override
        public void saveOffsets(Map<String, String> o) {
            saves.add(new LinkedHashMap<>(o));
            offsets.putAll(o);
        }

        @Override
        public List<String> loadHistory() {
            return List.of();
        }

        @Override
        public void appendHistory(String record) {
        }
    }

    @Test
    void savedOffsetsAreReadBackAndWrittenAgainAsTheSameText() throws Exception {
        MemoryState state = new MemoryState();
        state.offsets.put(BINLOG_KEY, BINLOG_OFFSET);
        state.offsets.put(PG_KEY, PG_OFFSET);
        StateOffsetStore store = new StateOffsetStore(state);
        store.start();
        try {
            Map<ByteBuffer, ByteBuffer> read = store.get(List.of(bytes(BINLOG_KEY), bytes(PG_KEY))).get(10, TimeUnit.SECONDS);
            assertThat(text(read.get(bytes(BINLOG_KEY)))).isEqualTo(BINLOG_OFFSET);
            assertThat(text(read.get(bytes(PG_KEY)))).isEqualTo(PG_OFFSET);

            String next = BINLOG_OFFSET.replace("\"pos\":1542", "\"pos\":2077");
            store.set(Map.of(bytes(BINLOG_KEY), bytes(next)), null).get(10, TimeUnit.SECONDS);
            assertThat(state.saves).hasSize(1);
            assertThat(state.saves.get(0)).containsEntry(BINLOG_KEY, next).containsEntry(PG_KEY, PG_OFFSET).hasSize(2);
        } finally {
            store.stop();
        }

        // a restart reads what the save left
        StateOffsetStore again = new StateOffsetStore(state);
        again.start();
        try {
            assertThat(again.snapshot()).containsEntry(BINLOG_KEY, BINLOG_OFFSET.replace("\"pos\":1542", "\"pos\":2077"))
                    .containsEntry(PG_KEY, PG_OFFSET);
        } finally {
            again.stop();
        }
    }

    @Test
    void fieldsOfSavedOffsetsAreRead() {
        assertThat(SavedOffsets.text(BINLOG_OFFSET, "file")).contains("mysql-bin.000003");
        assertThat(SavedOffsets.number(BINLOG_OFFSET, "pos")).contains(1542L);
        assertThat(SavedOffsets.number(PG_OFFSET, "lsn_commit")).contains(24641880L);
        assertThat(SavedOffsets.number(PG_OFFSET, "lsn")).contains(24641952L);
        assertThat(SavedOffsets.number(PG_OFFSET, "missing")).isEmpty();
        assertThat(SavedOffsets.number(Map.of(PG_KEY, PG_OFFSET), "txId")).contains(771L);
    }

    @Test
    void aStateIsFoundByItsIdUntilUnregistered() {
        MemoryState state = new MemoryState();
        String id = CaptureStates.register(state);
        assertThat(CaptureStates.get(id)).isSameAs(state);
        CaptureStates.unregister(id);
        assertThatThrownBy(() -> CaptureStates.get(id))
                .hasMessageContaining("no capture state is registered under id '" + id + "'");
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }
}

package io.tideway.mysql.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.tideway.core.change.CaptureState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryWithOffsetsTest {

    @Test
    void historyRecordsAreWrittenInOrderJustBeforeTheNextOffsets() {
        List<String> writes = new ArrayList<>();
        CaptureState saved = new CaptureState() {
            @Override
            public Map<String, String> loadOffsets() {
                return Map.of();
            }

            @Override
            public void saveOffsets(Map<String, String> offsets) {
                writes.add("offsets " + offsets.get("p"));
            }

            @Override
            public List<String> loadHistory() {
                return writes.stream().filter(w -> w.startsWith("h")).toList();
            }

            @Override
            public void appendHistory(String record) {
                writes.add(record);
            }
        };
        HistoryWithOffsets state = new HistoryWithOffsets(saved);
        state.appendHistory("h1");
        state.appendHistory("h2");
        assertThat(writes).as("nothing written while the snapshot may hold the server's lock").isEmpty();
        assertThat(state.loadHistory()).as("the connector reads what it recorded").containsExactly("h1", "h2");
        state.saveOffsets(Map.of("p", "1"));
        state.appendHistory("h3");
        state.saveOffsets(Map.of("p", "2"));
        state.saveOffsets(Map.of("p", "3"));
        assertThat(writes).containsExactly("h1", "h2", "offsets 1", "h3", "offsets 2", "offsets 3");
        assertThat(state.loadHistory()).containsExactly("h1", "h2", "h3");
    }
}

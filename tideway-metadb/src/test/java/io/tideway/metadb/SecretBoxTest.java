package io.tideway.metadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.TidewayException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir
    Path dir;

    @Test
    void values_round_trip_and_never_show_the_plain_text() {
        SecretBox box = SecretBox.forDataDir(dir.resolve("data"));
        for (String plain : new String[] {"", "hunter2", "p\u00e4ss \u8bcd \ud83d\udd11", "x".repeat(2000)}) {
            String stored = box.encrypt(plain);
            assertThat(stored).startsWith("v1:");
            if (!plain.isEmpty()) {
                assertThat(stored).doesNotContain(plain);
            }
            assertThat(box.decrypt(stored)).isEqualTo(plain);
            assertThat(box.encrypt(plain)).isNotEqualTo(stored);
        }
    }

    @Test
    void the_same_key_file_is_used_again() {
        String stored = SecretBox.forDataDir(dir).encrypt("again");
        assertThat(SecretBox.forDataDir(dir).decrypt(stored)).isEqualTo("again");
    }

    @Test
    void a_wrong_key_or_a_tampered_value_fails_clearly() throws Exception {
        String stored = SecretBox.forDataDir(dir.resolve("a")).encrypt("secret");
        SecretBox other = SecretBox.forDataDir(dir.resolve("b"));
        assertThatThrownBy(() -> other.decrypt(stored))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("not the key")
                .hasMessageNotContaining("secret\"");
        char[] chars = stored.toCharArray();
        chars[10] = chars[10] == 'A' ? 'B' : 'A';
        SecretBox a = SecretBox.forDataDir(dir.resolve("a"));
        assertThatThrownBy(() -> a.decrypt(new String(chars))).isInstanceOf(TidewayException.class);
        assertThatThrownBy(() -> a.decrypt("v9:AAAA")).hasMessageContaining("'v9'");
    }

    @Test
    void a_damaged_key_file_is_reported() throws Exception {
        Files.writeString(dir.resolve("secret.key"), "not base64 at all!");
        assertThatThrownBy(() -> SecretBox.forDataDir(dir))
                .isInstanceOf(TidewayException.class)
                .hasMessageContaining("secret.key")
                .hasMessageContaining("damaged");
    }
}

package io.tideway.engine.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * README.md's settings tables are the declarations. When a declaration changes, rewrite them with
 * {@value #REWRITE}.
 */
class SettingsTableTest {
    static final String PROPERTY = "settings.readme.write";
    static final String REWRITE = "./mvnw -q -o -pl tideway-engine -am test -Dtest=SettingsTableTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -D" + PROPERTY + "=true";

    @Test
    void every_setting_has_a_description() {
        assertThat(SettingsTable.undescribed(AllSettings.list())).as("settings declared without a description").isEmpty();
    }

    @Test
    void the_readme_settings_tables_are_made_from_the_declarations() throws Exception {
        Path readme = readme();
        String text = Files.readString(readme);
        String expected = SettingsTable.block(AllSettings.list());
        if (Boolean.getBoolean(PROPERTY)) {
            Files.writeString(readme, SettingsTable.replaceBlock(text, expected));
            return;
        }
        assertThat(SettingsTable.currentBlock(text))
                .as("README.md's settings tables (between " + SettingsTable.BEGIN + " and " + SettingsTable.END
                        + ") differ from the declarations; rewrite them with\n    " + REWRITE + "\n")
                .isEqualTo(expected);
    }

    @Test
    void the_tables_show_each_setting_with_its_default_unit_and_whether_it_is_live() {
        String block = SettingsTable.block(AllSettings.list());
        assertThat(block).contains("#### Project file: `full:`")
                .contains("| `full.chunk-size` | integer >= 1 | 50000 | rows | no |")
                .contains("| `full.parallelism` | integer from 1 to 1024 | this machine's cores, at least 2 and at most 4 | chunks | no |")
                .contains("Secret: masked");
    }

    /** The project's README.md, found from the module's directory up. */
    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("tideway-engine"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }
}

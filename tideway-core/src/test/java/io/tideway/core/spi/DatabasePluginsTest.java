package io.tideway.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tideway.core.model.DataSourceType;
import io.tideway.core.settings.ConnectionSettings;
import org.junit.jupiter.api.Test;

class DatabasePluginsTest {

    @Test
    void aTypeIsFoundInThePluginOnTheClassPathThatDeclaresIt() {
        DataSourceType t = DataSourceType.fromId(" TestDB-Cluster ");
        assertThat(t).isSameAs(TestDbPlugin.TESTDB_CLUSTER);
        assertThat(t.family()).isEqualTo(new DataSourceType.Family("testdb"));
        assertThat(t.defaultPort()).isEqualTo(7778);
        assertThat(t.displayName()).isEqualTo("TestDB Cluster");
        assertThat(DatabasePlugins.forType(t)).isInstanceOf(TestDbPlugin.class);
        assertThat(DataSourceType.all()).containsExactly(TestDbPlugin.TESTDB, TestDbPlugin.TESTDB_CLUSTER);
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheTypesTheInstalledPluginsDeclare() {
        assertThatThrownBy(() -> DataSourceType.fromId("oracle"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown data source type 'oracle'; expected one of testdb, testdb-cluster");
        assertThatThrownBy(() -> DatabasePlugins.forType(new DataSourceType("oracle", new DataSourceType.Family("oracle"),
                1521, "Oracle"))).hasMessageContaining("no database plugin for data source type 'oracle'");
    }

    @Test
    void aPluginDeclaresItsConnectionSettingsTheCommonOnesIncluded() {
        var settings = DatabasePlugins.forType(TestDbPlugin.TESTDB).connectionSettings();
        assertThat(settings).containsAll(ConnectionSettings.COMMON).contains(TestDbPlugin.WALLET);
        assertThat(ConnectionSettings.PASSWORD.secret()).isTrue();
        assertThat(ConnectionSettings.HOST.under("source", "The database the project reads from"))
                .satisfies(s -> {
                    assertThat(s.key()).isEqualTo("source.host");
                    assertThat(s.description()).isEqualTo("The database the project reads from: its host name or IP address.");
                    assertThat(s.required()).isTrue();
                });
    }
}

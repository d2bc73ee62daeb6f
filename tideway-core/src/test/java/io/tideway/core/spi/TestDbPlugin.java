package io.tideway.core.spi;

import io.tideway.core.change.ChangeCapture;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.settings.ConnectionSettings;
import io.tideway.core.settings.Setting;
import io.tideway.core.settings.SettingType;
import java.util.List;
import java.util.stream.Stream;

/**
 * A database plugin that only this module's tests install (registered in the test resources'
 * META-INF/services): two types of a family core never heard of, and a connection setting of its own.
 */
public final class TestDbPlugin implements DatabasePlugin {
    static final DataSourceType.Family FAMILY = new DataSourceType.Family("testdb");
    static final DataSourceType TESTDB = new DataSourceType("testdb", FAMILY, 7777, "TestDB");
    static final DataSourceType TESTDB_CLUSTER = new DataSourceType("testdb-cluster", FAMILY, 7778, "TestDB Cluster");
    static final Setting<String> WALLET = Setting.of("wallet", SettingType.text("a wallet directory"))
            .defaultValue("").description("where its certificates are.").build();

    @Override
    public String id() {
        return "testdb";
    }

    @Override
    public List<DataSourceType> types() {
        return List.of(TESTDB, TESTDB_CLUSTER);
    }

    @Override
    public List<Setting<?>> connectionSettings() {
        return Stream.concat(ConnectionSettings.COMMON.stream(), Stream.of(WALLET)).toList();
    }

    @Override
    public Dialect dialect() {
        throw new UnsupportedOperationException("a plugin for tests: types and settings only");
    }

    @Override
    public ChangeCapture capture() {
        throw new UnsupportedOperationException("a plugin for tests: types and settings only");
    }
}

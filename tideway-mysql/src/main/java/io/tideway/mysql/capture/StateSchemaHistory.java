package io.tideway.mysql.capture;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.Tables;
import io.debezium.relational.ddl.DdlParser;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistory;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import io.debezium.relational.history.TableChanges;
import io.tideway.core.change.CaptureState;
import io.tideway.debezium.CaptureStates;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The connector's schema history (the DDL it has seen, in order, each with the structured
 * definitions of the tables it changed) kept in a {@link CaptureState}: one JSON document per
 * record, appended as the connector reads DDL. A restart rebuilds the tables from the structured
 * definitions; their ids are written so that they read back whatever quotes the names hold (see
 * {@link ConnectorTableIds}).
 */
public final class StateSchemaHistory implements SchemaHistory {
    static final String ID_KEY = CONFIGURATION_FIELD_PREFIX_STRING + CaptureStates.ID_PROPERTY;

    private final Records records = new Records();

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener,
            boolean useCatalogBeforeSchema) {
        records.configure(config, comparator, listener, useCatalogBeforeSchema);
    }

    @Override
    public void start() {
        records.start();
    }

    @Override
    public void record(Map<String, ?> source, Map<String, ?> position, String databaseName, String ddl) {
        records.record(source, position, databaseName, ddl);
    }

    @Override
    public void record(Map<String, ?> source, Map<String, ?> position, String databaseName, String schemaName, String ddl,
            TableChanges changes, Instant timestamp) {
        records.record(source, position, databaseName, schemaName, ddl, ConnectorTableIds.readable(changes), timestamp);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void recover(Map<Map<String, ?>, Map<String, ?>> offsets, Tables schema, DdlParser ddlParser) throws InterruptedException {
        records.recover(offsets, schema, ddlParser);
    }

    @Override
    public void stop() {
        records.stop();
    }

    @Override
    public boolean exists() {
        return records.exists();
    }

    @Override
    public boolean storageExists() {
        return true;
    }

    @Override
    public void initializeStorage() {
        records.initializeStorage();
    }

    @Override
    public String toString() {
        return "Tideway capture state";
    }

    /** The records themselves, in the capture's state. */
    private static final class Records extends AbstractSchemaHistory {
        private final DocumentWriter writer = DocumentWriter.defaultWriter();
        private final DocumentReader reader = DocumentReader.defaultReader();
        private CaptureState state;

        @Override
        public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener,
                boolean useCatalogBeforeSchema) {
            super.configure(config, comparator, listener, useCatalogBeforeSchema);
            state = CaptureStates.get(config.getString(ID_KEY));
        }

        @Override
        protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
            try {
                state.appendHistory(writer.write(record.document()));
            } catch (IOException e) {
                throw new SchemaHistoryException("could not write a schema history record: " + e.getMessage(), e);
            }
        }

        @Override
        protected void recoverRecords(Consumer<HistoryRecord> out) {
            for (String s : state.loadHistory()) {
                try {
                    out.accept(new HistoryRecord(reader.read(s)));
                } catch (IOException e) {
                    throw new SchemaHistoryException("could not read a saved schema history record: " + e.getMessage(), e);
                }
            }
        }

        @Override
        public boolean storageExists() {
            return true;
        }

        @Override
        public boolean exists() {
            return !state.loadHistory().isEmpty();
        }
    }
}

package io.tideway.mysql.capture;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import io.tideway.core.change.CaptureState;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The connector's schema history (the DDL it has seen, in order) kept in a {@link CaptureState}:
 * one JSON document per record, appended as the connector reads DDL.
 */
public final class StateSchemaHistory extends AbstractSchemaHistory {
    static final String ID_KEY = CONFIGURATION_FIELD_PREFIX_STRING + CaptureRegistry.ID_PROPERTY;

    private final DocumentWriter writer = DocumentWriter.defaultWriter();
    private final DocumentReader reader = DocumentReader.defaultReader();
    private CaptureState state;

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener,
            boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        state = CaptureRegistry.get(config.getString(ID_KEY));
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
    protected void recoverRecords(Consumer<HistoryRecord> records) {
        for (String s : state.loadHistory()) {
            try {
                records.accept(new HistoryRecord(reader.read(s)));
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

    @Override
    public String toString() {
        return "Tideway capture state";
    }
}

package io.tideway.mysql.capture;

import io.debezium.schema.DefaultTopicNamingStrategy;
import io.debezium.spi.schema.DataCollectionId;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connector's default topic names, looked up in a plain concurrent map. The default strategy's
 * own bounded LRU cache counts its access queue on every hit (a walk over the queue), once per
 * captured row; Tideway names topics for a fixed, small set of tables, so an unbounded map is enough.
 */
public final class TopicNames extends DefaultTopicNamingStrategy {
    private final ConcurrentHashMap<DataCollectionId, String> names = new ConcurrentHashMap<>();

    public TopicNames(Properties props) {
        super(props);
    }

    @Override
    public String dataChangeTopic(DataCollectionId id) {
        String name = names.get(id);
        return name != null ? name : names.computeIfAbsent(id, super::dataChangeTopic);
    }
}

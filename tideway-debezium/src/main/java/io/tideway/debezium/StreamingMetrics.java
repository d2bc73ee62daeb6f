package io.tideway.debezium;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads a connector's streaming metrics (the engine registers them as MBeans): whether its log
 * reader is connected, and where it reads.
 */
public final class StreamingMetrics {
    private StreamingMetrics() { }

    /**
     * The named attributes of the streaming metrics of the connector whose logical name (its
     * {@code topic.prefix}) is {@code server}, while its reader is connected; empty when it is not
     * connected, or has no such metrics.
     */
    public static Optional<Map<String, Object>> whenConnected(String server, String... attributes) {
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName n : mbs.queryNames(new ObjectName("debezium.*:type=connector-metrics,context=streaming,*"), null)) {
                if (!server.equals(n.getKeyProperty("server"))) {
                    continue;
                }
                if (Boolean.TRUE.equals(mbs.getAttribute(n, "Connected"))) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (String a : attributes) {
                        out.put(a, mbs.getAttribute(n, a));
                    }
                    return Optional.of(out);
                }
            }
            return Optional.empty();
        } catch (JMException e) {
            return Optional.empty();
        }
    }
}

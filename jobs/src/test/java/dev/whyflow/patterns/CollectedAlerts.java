package dev.whyflow.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that hands the alerts of a MiniCluster job to the test in the same JVM (at least once:
 * after a restart it sees the replay too).
 */
final class CollectedAlerts implements Sink<Alert> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, ConcurrentLinkedQueue<Alert>> RECEIVED =
            new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    CollectedAlerts() {
        RECEIVED.put(id, new ConcurrentLinkedQueue<>());
    }

    List<Alert> alerts() {
        return new ArrayList<>(RECEIVED.get(id));
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        ConcurrentLinkedQueue<Alert> queue = RECEIVED.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(Alert alert, Context ctx) {
                queue.add(alert);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}

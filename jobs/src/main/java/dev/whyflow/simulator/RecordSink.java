package dev.whyflow.simulator;

import java.io.IOException;

/** Where the simulator's records go: one call per record, in output order. */
public interface RecordSink extends AutoCloseable {

    /**
     * @param ordinal 0-based position of the record in the output
     * @param key the Kafka key (session id, else anonymous id, else customer id); may be null
     * @param value the record's bytes are {@code value[0 .. length)}; the array may be reused after
     *     the call
     */
    void accept(long ordinal, String key, byte[] value, int length) throws IOException;

    @Override
    default void close() throws IOException {}
}

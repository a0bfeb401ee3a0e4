package dev.whyflow.capture;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Wraps a sink and fails the job when the records written (counted across restarts, in this JVM)
 * pass each of the given points: a real task failure, after which Flink restores the last
 * checkpoint and replays from there.
 */
public final class FailingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    public static final AtomicLong WRITTEN = new AtomicLong();
    public static final AtomicInteger FAILURES = new AtomicInteger();
    static volatile long[] failAt = new long[0];

    private final Sink<T> delegate;

    public FailingSink(Sink<T> delegate) {
        this.delegate = delegate;
    }

    public static void reset(long... points) {
        WRITTEN.set(0);
        FAILURES.set(0);
        failAt = points.clone();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<T> writer = delegate.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                long n = WRITTEN.incrementAndGet();
                int done = FAILURES.get();
                if (done < failAt.length
                        && n >= failAt[done]
                        && FAILURES.compareAndSet(done, done + 1)) {
                    throw new IOException(
                            "injected failure " + (done + 1) + " after " + n + " records");
                }
                writer.write(element, ctx);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }
}

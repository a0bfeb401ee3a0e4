package dev.whyflow.vectors;

import dev.whyflow.embeddings.CachingEmbedder;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.SharedEmbedders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds texts for {@code AsyncDataStream}, in batches, on a bounded number of threads.
 *
 * <p>{@code asyncInvoke} only queues the text. Each of {@code threads} inference threads takes the
 * oldest waiting text plus up to {@code batchSize - 1} more and embeds them in one batched model
 * call ({@link dev.whyflow.embeddings.OnnxEmbedder#embedAll}): under load the batches fill up, when
 * quiet a text waits for no one. The queue holds at most the async operator's capacity (every
 * queued text is one of its in-flight elements), so when inference is slower than the input the
 * operator's capacity fills and the job back-pressures its sources; nothing buffers without bound.
 * In-flight texts are part of the async operator's checkpoint and re-queued on restore.
 *
 * <p>The model is leased from {@link SharedEmbedders}: all subtasks of the job in one TaskManager
 * share one loaded model (ONNX Runtime allows concurrent calls on one session) and one LRU cache.
 */
public final class BatchedInference extends RichAsyncFunction<TextToEmbed, EmbeddedText> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchedInference.class);

    private final Map<String, String> embeddingOptions;
    private final String model;
    private final int threads;
    private final int capacity;

    private transient SharedEmbedders.Lease lease;
    private transient BlockingQueue<Waiting> queue;
    private transient List<Thread> workers;
    private transient volatile boolean running;
    private transient Counter textsEmbedded;
    private transient Counter batches;

    /**
     * @param options the job's options: model, inference threads
     * @param capacity the async operator's capacity (the most texts in flight per subtask)
     */
    public BatchedInference(EmbeddingOptions options, int capacity) {
        this.embeddingOptions = options.embeddingOptions();
        this.model = options.modelName();
        this.threads = options.inferenceThreads();
        this.capacity = capacity;
    }

    private record Waiting(TextToEmbed text, ResultFuture<EmbeddedText> result) {}

    @Override
    public void open(OpenContext openContext) {
        EmbeddingConfig config = EmbeddingConfig.fromOptions(embeddingOptions);
        lease = SharedEmbedders.acquire(config);
        queue = new ArrayBlockingQueue<>(capacity);
        textsEmbedded = getRuntimeContext().getMetricGroup().counter("textsEmbedded");
        batches = getRuntimeContext().getMetricGroup().counter("inferenceBatches");
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "cacheHitRate",
                        () -> lease.cache().map(CachingEmbedder::hitRate).orElse(0.0));
        getRuntimeContext().getMetricGroup().gauge("textsWaiting", () -> queue.size());
        running = true;
        workers = new ArrayList<>(threads);
        String task = getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks();
        for (int i = 0; i < threads; i++) {
            Thread t =
                    new Thread(() -> infer(config.batchSize()), "inference " + i + " of " + task);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    @Override
    public void asyncInvoke(TextToEmbed text, ResultFuture<EmbeddedText> result) throws Exception {
        // never blocks: the operator has at most `capacity` elements in flight
        if (!queue.offer(new Waiting(text, result))) {
            result.completeExceptionally(
                    new IllegalStateException(
                            "inference queue full ("
                                    + capacity
                                    + "): the async operator's capacity is larger than the queue"));
        }
    }

    @Override
    public void timeout(TextToEmbed text, ResultFuture<EmbeddedText> result) {
        result.completeExceptionally(
                new TimeoutException("no embedding for " + text + " within the async timeout"));
    }

    private void infer(int batchSize) {
        List<Waiting> batch = new ArrayList<>(batchSize);
        List<String> texts = new ArrayList<>(batchSize);
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, batchSize - 1);
            for (Waiting w : batch) texts.add(w.text().text);
            try {
                List<float[]> vectors = lease.embedAll(texts);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i)
                            .result()
                            .complete(
                                    List.of(
                                            new EmbeddedText(
                                                    batch.get(i).text(), vectors.get(i), model)));
                }
                textsEmbedded.inc(batch.size());
                batches.inc();
            } catch (RuntimeException e) {
                if (running)
                    LOG.warn("inference of {} texts failed: {}", batch.size(), e.toString());
                for (Waiting w : batch) w.result().completeExceptionally(e);
            }
            batch.clear();
            texts.clear();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (workers != null) {
            for (Thread t : workers) t.interrupt();
            for (Thread t : workers) t.join(10_000);
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}

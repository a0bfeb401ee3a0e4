package dev.whyflow.udfs;

import dev.whyflow.embeddings.CachingEmbedder;
import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.SharedEmbedders;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * A scalar function backed by the shared embedding model: leased in {@link #open}, given back in
 * {@link #close}, so all parallel instances in one TaskManager share one loaded model and one
 * cache.
 *
 * <p>Configured through Flink's global job parameters ({@code pipeline.global-job-parameters}),
 * with the {@code whyflow.embeddings.*} names of {@link EmbeddingConfig}; the cache defaults to
 * {@link #DEFAULT_CACHE_SIZE} texts here.
 */
abstract class EmbeddingModelFunction extends ScalarFunction {

    /** Texts per TaskManager whose vectors are kept (about 1.6 KB each with 384 dimensions). */
    static final int DEFAULT_CACHE_SIZE = 10_000;

    private transient SharedEmbedders.Lease lease;

    @Override
    public void open(FunctionContext context) throws Exception {
        Map<String, String> options = new HashMap<>();
        options.put(EmbeddingConfig.OPTION_CACHE_SIZE, String.valueOf(DEFAULT_CACHE_SIZE));
        for (String name : EmbeddingConfig.OPTIONS) {
            String value = context.getJobParameter(name, null);
            if (value != null) {
                options.put(name, value);
            }
        }
        lease = SharedEmbedders.acquire(EmbeddingConfig.fromOptions(options));
        lease.cache().ifPresent(cache -> registerCacheMetrics(context, cache));
    }

    private static void registerCacheMetrics(FunctionContext context, CachingEmbedder cache) {
        var group = context.getMetricGroup().addGroup("whyflowEmbeddings");
        group.gauge("cacheHitRate", cache::hitRate);
        group.gauge("cacheSize", cache::size);
    }

    /** The unit-length embedding of {@code text}; the function must be open. */
    final float[] embed(String text) {
        if (lease == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " used before open()");
        }
        return lease.embed(text);
    }

    @Override
    public void close() throws Exception {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }

    /** Loading a model while planning would put 200 MB of native memory into the SQL client. */
    @Override
    public boolean supportsConstantFolding() {
        return false;
    }
}

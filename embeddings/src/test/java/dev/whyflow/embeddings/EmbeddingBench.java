package dev.whyflow.embeddings;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of the project's embedder against langchain4j's reference on the same distinct
 * shop-like texts, the cache on a Zipf-distributed stream, and the model's off-heap footprint.
 *
 * <pre>
 * run_java embeddings dev.whyflow.embeddings.EmbeddingBench --out target/bench/embeddings.json
 * </pre>
 *
 * Options: {@code --seconds N} per measured figure (default 6, at least 5 counts as a result),
 * {@code --option-seconds N} per alternative configuration (default 4; 0 skips them).
 *
 * <p>The project's figure runs the default config with two callers sharing one embedder, as two
 * Flink subtasks in one TaskManager share one model through {@link SharedEmbedders}; each caller
 * embeds chunks of one batch. The reference embeds one text per call, as langchain4j's {@code
 * embed} does. Both are measured in alternating slices so that load from other processes on the
 * machine hits both alike. Warm-up runs are excluded.
 */
public final class EmbeddingBench {

    private static final int CALLERS = 2;
    private static final int SLICES = 3;
    private static final int ZIPF_POOL = 10_000;
    private static final double ZIPF_EXPONENT = 1.1;
    private static final int CACHE_SIZE = 2_000;
    private static final int CACHE_WARMUP_TEXTS = 16_000;

    private EmbeddingBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("target/bench/embeddings.json");
        double seconds = 6;
        double optionSeconds = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--option-seconds" -> optionSeconds = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        result.put("cpu", cpu());
        result.put("load_average_at_start", loadAverage());

        // footprint first, before anything else loads native code
        EmbeddingConfig config = EmbeddingConfig.defaults();
        System.gc();
        long rssBefore = rssKb();
        long heapBefore = heapUsedKb();
        long t0 = System.nanoTime();
        OnnxEmbedder first = OnnxEmbedder.open(config);
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        result.put("model_load_ms", loadMs);
        result.put("rss_before_load_mb", mb(rssBefore));
        result.put("rss_growth_on_load_mb", mb(rssKb() - rssBefore));
        result.put("heap_growth_on_load_mb", mb(heapUsedKb() - heapBefore));
        run(
                first,
                config.batchSize(),
                CALLERS,
                texts(1_000_000_000L, 8_000),
                new AtomicLong(),
                2.0);
        result.put("rss_growth_after_short_batches_mb", mb(rssKb() - rssBefore));
        // 256-token texts from both callers: the largest working set the default token budget
        // allows
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                List<String> longTexts = new ArrayList<>();
                for (int i = 0; i < config.batchSize(); i++) {
                    longTexts.add(c + " " + i + " " + TestTexts.longTexts().get(0));
                }
                calls.add(callers.submit(() -> first.embedAll(longTexts)));
            }
            for (Future<?> f : calls) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
        result.put("rss_growth_after_256_token_batches_mb", mb(rssKb() - rssBefore));
        first.close();
        System.gc();
        result.put("rss_growth_after_close_mb", mb(rssKb() - rssBefore));

        OnnxEmbedder embedder = OnnxEmbedder.open(config);
        List<String> warmup = texts(1_100_000_000L, 8_000);
        run(embedder, config.batchSize(), CALLERS, warmup, new AtomicLong(), 2.0);

        List<String> texts = texts(0, 200_000);
        result.put("avg_tokens_per_text", averageTokens(embedder, texts.subList(0, 2_000)));
        result.put(
                "avg_padded_tokens_per_text",
                averagePaddedTokens(embedder, texts.subList(0, 2_048), config));

        EmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        for (int i = 0; i < 300; i++) {
            reference.embed(warmup.get(i));
        }

        // ours and the reference, alternating, over the same texts in the same order
        AtomicLong oursCursor = new AtomicLong();
        AtomicLong refCursor = new AtomicLong();
        double oursTime = 0;
        double refTime = 0;
        double oursCpu = 0;
        double refCpu = 0;
        double slice = seconds / SLICES;
        for (int s = 0; s < SLICES; s++) {
            double cpu = processCpuSeconds();
            oursTime += run(embedder, config.batchSize(), CALLERS, texts, oursCursor, slice);
            oursCpu += processCpuSeconds() - cpu;
            cpu = processCpuSeconds();
            refTime +=
                    timed(
                            slice,
                            () -> {
                                int i = (int) refCursor.getAndIncrement();
                                reference.embed(texts.get(i));
                                return 1;
                            });
            refCpu += processCpuSeconds() - cpu;
        }
        double oursRate = oursCursor.get() / oursTime;
        double refRate = refCursor.get() / refTime;
        result.put("texts_per_s", round(oursRate));
        result.put("reference_texts_per_s", round(refRate));
        result.put("ratio", Math.round(oursRate / refRate * 100) / 100.0);
        // CPU time of the whole process: robust to other load on the machine, unlike the rates
        // above
        result.put("texts_per_cpu_s", round(oursCursor.get() / oursCpu));
        result.put("reference_texts_per_cpu_s", round(refCursor.get() / refCpu));
        result.put("texts_measured", oursCursor.get());
        result.put("reference_texts_measured", refCursor.get());
        result.put("measured_seconds", Math.round(oursTime * 10) / 10.0);
        result.put("reference_measured_seconds", Math.round(refTime * 10) / 10.0);
        Map<String, Object> chosen = new LinkedHashMap<>();
        chosen.put("batch_size", config.batchSize());
        chosen.put("intra_op_threads", config.intraOpThreads());
        chosen.put("callers", CALLERS);
        chosen.put("max_sequence_length", config.maxSequenceLength());
        result.put("config", chosen);

        // the cache on a stream with realistic repetition: Zipf over a pool of distinct texts
        CachingEmbedder cache = new CachingEmbedder(embedder, CACHE_SIZE);
        List<String> pool = texts(2_000_000_000L, ZIPF_POOL);
        List<String> stream = zipfStream(pool, 400_000, 7);
        AtomicLong streamCursor = new AtomicLong();
        // warm-up: a fixed share of the stream, so the cache state does not depend on machine load
        for (int from = 0; from < CACHE_WARMUP_TEXTS; from += config.batchSize()) {
            cache.embedAll(stream.subList(from, from + config.batchSize()));
        }
        streamCursor.set(CACHE_WARMUP_TEXTS);
        cache.resetCounters();
        long streamStart = streamCursor.get();
        double cachedTime = run(cache, config.batchSize(), CALLERS, stream, streamCursor, seconds);
        result.put("cached_texts_per_s", round((streamCursor.get() - streamStart) / cachedTime));
        result.put("cache_hit_rate", Math.round(cache.hitRate() * 1000) / 1000.0);
        Map<String, Object> cacheSetup = new LinkedHashMap<>();
        cacheSetup.put("capacity", CACHE_SIZE);
        cacheSetup.put("pool", ZIPF_POOL);
        cacheSetup.put("zipf_exponent", ZIPF_EXPONENT);
        cacheSetup.put("evictions", cache.evictions());
        result.put("cache", cacheSetup);

        embedder.close();

        // the alternatives the default was chosen from
        if (optionSeconds > 0) {
            List<Object> options = new ArrayList<>();
            // {batch size, intra-op threads, callers}; {1, 1, 1} is one SQL EMBED subtask
            int[][] alternatives = {
                {32, 1, 2},
                {8, 1, 2},
                {1, 1, 2},
                {32, 2, 1},
                {32, 2, 2},
                {1, 2, 1},
                {32, 1, 1},
                {1, 1, 1}
            };
            long offset = 3_000_000_000L;
            for (int[] alt : alternatives) {
                EmbeddingConfig c = config.withBatchSize(alt[0]).withIntraOpThreads(alt[1]);
                try (OnnxEmbedder e = OnnxEmbedder.open(c)) {
                    run(e, alt[0], alt[2], texts(offset, 3_000), new AtomicLong(), 1.0);
                    List<String> optionTexts = texts(offset + 10_000, 40_000);
                    AtomicLong cursor = new AtomicLong();
                    double time = run(e, alt[0], alt[2], optionTexts, cursor, optionSeconds);
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("batch_size", alt[0]);
                    o.put("intra_op_threads", alt[1]);
                    o.put("callers", alt[2]);
                    o.put("texts_per_s", round(cursor.get() / time));
                    options.add(o);
                    System.err.println("option " + o);
                }
                offset += 100_000;
            }
            result.put("options", options);
        }
        result.put("load_average_at_end", loadAverage());

        String json = toJson(result, "");
        System.out.println(json);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, json + "\n", StandardCharsets.UTF_8);
    }

    /** Distinct shop sentences starting at index {@code from}. */
    static List<String> texts(long from, int count) {
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            texts.add(TestTexts.shopSentence(from + i));
        }
        return texts;
    }

    static List<String> zipfStream(List<String> pool, int length, long seed) {
        double[] cdf = new double[pool.size()];
        double sum = 0;
        for (int k = 0; k < cdf.length; k++) {
            sum += 1 / Math.pow(k + 1, ZIPF_EXPONENT);
            cdf[k] = sum;
        }
        Random random = new Random(seed);
        List<String> stream = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = cdf.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            stream.add(pool.get(lo));
        }
        return stream;
    }

    /**
     * {@code callers} threads each take the next {@code chunk} texts from {@code cursor} and call
     * {@code embedAll} until {@code seconds} have passed; returns the elapsed seconds. The cursor
     * ends at the number of texts embedded.
     */
    static double run(
            Embedder embedder,
            int chunk,
            int callers,
            List<String> texts,
            AtomicLong cursor,
            double seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicLong done = new AtomicLong(cursor.get());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    while (System.nanoTime() < end) {
                                        int from = (int) cursor.getAndAdd(chunk);
                                        if (from + chunk > texts.size()) {
                                            throw new IllegalStateException(
                                                    "bench ran out of texts: raise the text count");
                                        }
                                        embedder.embedAll(texts.subList(from, from + chunk));
                                        done.addAndGet(chunk);
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        cursor.set(done.get());
        return elapsed;
    }

    private interface Step {
        int call() throws Exception;
    }

    private static double timed(double seconds, Step step) throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            step.call();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double averageTokens(OnnxEmbedder embedder, List<String> texts) {
        long tokens = 0;
        for (String t : texts) {
            tokens += embedder.tokenIds(t).length;
        }
        return Math.round(10.0 * tokens / texts.size()) / 10.0;
    }

    /**
     * Tokens the model computes per text once each caller's chunk is cut into batches ({@link
     * OnnxEmbedder#cutBatches}): the real tokens plus padding.
     */
    private static double averagePaddedTokens(
            OnnxEmbedder embedder, List<String> texts, EmbeddingConfig config) {
        long padded = 0;
        int chunk = config.batchSize();
        for (int from = 0; from + chunk <= texts.size(); from += chunk) {
            int[] lengths = new int[chunk];
            for (int i = 0; i < chunk; i++) {
                lengths[i] = embedder.tokenIds(texts.get(from + i)).length;
            }
            Arrays.sort(lengths);
            int begin = 0;
            for (int end : OnnxEmbedder.cutBatches(lengths, chunk, config.maxBatchTokens())) {
                padded += (long) (end - begin) * lengths[end - 1];
                begin = end;
            }
        }
        return Math.round(100.0 * padded / (texts.size() / chunk * chunk)) / 100.0;
    }

    /**
     * The CPU's model name and the vector extensions int8 inference depends on: ONNX Runtime's int8
     * kernels run several times faster with VNNI (avx512_vnni, avx_vnni) or AMX than with AVX2
     * alone.
     */
    private static Map<String, Object> cpu() {
        Map<String, Object> cpu = new LinkedHashMap<>();
        List<String> extensions = new ArrayList<>();
        try {
            String model = "unknown";
            String flags = "";
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                }
            }
            cpu.put("model", model);
            for (String ext : List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")) {
                if (flags.contains(" " + ext + " ")) {
                    extensions.add(ext);
                }
            }
        } catch (IOException e) {
            cpu.put("model", "unknown (" + e.getMessage() + ")");
        }
        cpu.put("vector_extensions", extensions);
        return cpu;
    }

    /** VmRSS of this process in kB, from /proc/self/status. */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    private static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
    }

    private static long heapUsedKb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1024;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double mb(long kb) {
        return Math.round(kb / 102.4) / 10.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @SuppressWarnings("unchecked")
    private static String toJson(Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(indent)
                        .append("  \"")
                        .append(e.getKey())
                        .append("\": ")
                        .append(toJson(e.getValue(), indent + "  "));
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            return sb.append(indent).append("}").toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[\n");
            for (int i = 0; i < list.size(); i++) {
                sb.append(indent).append("  ").append(toJson(list.get(i), indent + "  "));
                sb.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            return sb.append(indent).append("]").toString();
        }
        if (value instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%s", d);
        }
        return String.valueOf(value);
    }
}

package dev.whyflow.vectors;

import dev.whyflow.JobNames;
import dev.whyflow.Recovery;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.contract.SessionSummaryJson;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.ParameterTool;

/**
 * EmbeddingJob: turns CaptureJob's texts into vectors in the store, each distinct text once.
 *
 * <ul>
 *   <li>{@code whyflow.events.enriched} → keyed by semantic key, first sightings only ({@link
 *       FirstSighting}) → {@code semantic_vectors} (insert-if-absent);
 *   <li>{@code whyflow.events.enriched} → keyed by session, the journey before each order ({@link
 *       OrderDescriber}, {@link OrderText}) → {@code order_vectors} (upsert);
 *   <li>{@code whyflow.sessions} (closed sessions, which CaptureJob publishes after writing their
 *       rows) → {@code sessions.narrative_embedding}.
 * </ul>
 *
 * All three go through one {@link AsyncDataStream} operator with bounded capacity whose {@link
 * BatchedInference} embeds in batches on a bounded number of threads: slow inference back-pressures
 * the sources instead of buffering. Writes are idempotent and flushed at every checkpoint, so a
 * restart from the last checkpoint loses and duplicates nothing.
 *
 * <p><b>Why a job of its own, not an operator inside CaptureJob.</b> The model costs 250–400 MB of
 * native memory per TaskManager and milliseconds of CPU per text; here it lives in its own job (its
 * own user-code classloader and budget of {@code taskmanager.memory.task.off-heap.size}), is scaled
 * on its own (inference parallelism and slots independent of CaptureJob's partitions), and can be
 * stopped, upgraded or fall behind without touching CaptureJob: events, sessions and the enriched
 * topic stay fresh to the second while embedding catches up, and CaptureJob's checkpoints never
 * wait for inference. The price is reading the enriched topic a second time (cheap) and learning of
 * closed sessions from a topic ({@code whyflow.sessions}) rather than in-process.
 *
 * <p>Submit: {@code flink run -c dev.whyflow.vectors.EmbeddingJob whyflow-jobs.jar [--key value]…},
 * keys in {@link EmbeddingOptions}.
 */
public final class EmbeddingJob {

    static final OutputTag<EmbeddedText> SESSION_VECTORS = new OutputTag<>("session-vectors") {};
    static final OutputTag<EmbeddedText> ORDER_VECTORS = new OutputTag<>("order-vectors") {};

    private EmbeddingJob() {}

    /** Where the vectors go; {@link #sinks} builds the production ones. Any may be null (none). */
    public record Sinks(
            Sink<EmbeddedText> semanticVectors,
            Sink<EmbeddedText> sessionVectors,
            Sink<EmbeddedText> orderVectors) {}

    public static void main(String[] args) throws Exception {
        EmbeddingOptions options = EmbeddingOptions.fromArgs(ParameterTool.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        defineWorkflow(
                env,
                options,
                enrichedSource(options).build(),
                sessionsSource(options).build(),
                sinks(options));
        env.execute(JobNames.of(EmbeddingJob.class));
    }

    public static void configure(StreamExecutionEnvironment env, EmbeddingOptions o) {
        Recovery.restartWithBackoff(env);
        env.enableCheckpointing(o.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig()
                .setMinPauseBetweenCheckpoints(
                        Math.min(1_000, o.checkpointInterval().toMillis() / 2));
    }

    /** The enriched topic, read committed (bounded variants in tests and the benchmark). */
    public static KafkaSourceBuilder<EnrichedEvent> enrichedSource(EmbeddingOptions o) {
        return source(
                o,
                o.enrichedTopic(),
                new TopicReader<>(EnrichedEventJson::fromBytes, EnrichedEvent.class));
    }

    /** The closed sessions topic, read committed. */
    public static KafkaSourceBuilder<SessionSummary> sessionsSource(EmbeddingOptions o) {
        return source(
                o,
                o.sessionsTopic(),
                new TopicReader<>(SessionSummaryJson::fromBytes, SessionSummary.class));
    }

    private static <T> KafkaSourceBuilder<T> source(
            EmbeddingOptions o, String topic, TopicReader<T> reader) {
        return KafkaSource.<T>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(topic)
                .setGroupId(o.groupId())
                .setClientIdPrefix(o.groupId() + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(o.start().resetStrategy()))
                .setDeserializer(reader)
                // CaptureJob writes both topics in transactions
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    public static Sinks sinks(EmbeddingOptions o) {
        return new Sinks(
                VectorSinks.semanticVectors(o),
                VectorSinks.sessionVectors(o),
                VectorSinks.orderVectors(o));
    }

    /**
     * The topology, apart from I/O. {@code sessions} may be null (no narratives). Returns every
     * embedded text (tests and the benchmark observe it).
     */
    public static DataStream<EmbeddedText> defineWorkflow(
            StreamExecutionEnvironment env,
            EmbeddingOptions o,
            Source<EnrichedEvent, ?, ?> enriched,
            Source<SessionSummary, ?, ?> sessions,
            Sinks sinks) {
        DataStream<EnrichedEvent> events =
                env.fromSource(enriched, WatermarkStrategy.noWatermarks(), "enriched events")
                        .uid("enriched-events-source");

        DataStream<TextToEmbed> all =
                events.filter(OrderDescriber::follows)
                        .name("journey events")
                        .uid("journey-events")
                        .keyBy(e -> e.sessionId)
                        .process(new OrderDescriber(o.journeyTtl()))
                        .name("order descriptions")
                        .uid("order-descriptions");
        if (o.eventTexts()) {
            DataStream<TextToEmbed> texts =
                    events.filter(FirstSighting::hasText)
                            .name("events with text")
                            .uid("events-with-text")
                            .keyBy(e -> e.semanticKey)
                            .process(new FirstSighting(o.seenTtl()))
                            .name("first sighting of a text")
                            .uid("first-sighting");
            all = all.union(texts);
        }
        if (sessions != null) {
            DataStream<TextToEmbed> narratives =
                    env.fromSource(sessions, WatermarkStrategy.noWatermarks(), "closed sessions")
                            .uid("closed-sessions-source")
                            .map(s -> TextToEmbed.narrative(s.sessionId, s.narrative))
                            .name("session narratives")
                            .uid("session-narratives");
            all = all.union(narratives);
        }

        SingleOutputStreamOperator<EmbeddedText> embedded =
                AsyncDataStream.unorderedWait(
                                all,
                                new BatchedInference(o, o.inFlight()),
                                o.inferenceTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                o.inFlight())
                        .name("embed (batched, async)")
                        .uid("embed");

        SingleOutputStreamOperator<EmbeddedText> semantic =
                embedded.process(new ByDestination()).name("by destination").uid("by-destination");
        if (sinks.semanticVectors() != null) {
            semantic.sinkTo(sinks.semanticVectors())
                    .name("semantic_vectors table")
                    .uid("semantic-vectors-table");
        }
        if (sinks.sessionVectors() != null) {
            semantic.getSideOutput(SESSION_VECTORS)
                    .sinkTo(sinks.sessionVectors())
                    .name("sessions narrative_embedding")
                    .uid("session-vectors-table");
        }
        if (sinks.orderVectors() != null) {
            semantic.getSideOutput(ORDER_VECTORS)
                    .sinkTo(sinks.orderVectors())
                    .name("order_vectors table")
                    .uid("order-vectors-table");
        }
        return embedded;
    }

    /** Semantic texts on the main output, narratives and orders on their side outputs. */
    static final class ByDestination extends ProcessFunction<EmbeddedText, EmbeddedText> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(EmbeddedText v, Context ctx, Collector<EmbeddedText> out) {
            switch (v.source.kind) {
                case SEMANTIC_TEXT -> out.collect(v);
                case SESSION_NARRATIVE -> ctx.output(SESSION_VECTORS, v);
                case ORDER -> ctx.output(ORDER_VECTORS, v);
            }
        }
    }
}

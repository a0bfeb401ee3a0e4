package dev.whyflow.capture;

import dev.whyflow.JobNames;
import dev.whyflow.Recovery;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.store.PostgresUpsertSink;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * CaptureJob: reads raw events from Kafka, validates, deduplicates, enriches, sessionizes and links
 * causes, and stores everything exactly once in effect:
 *
 * <ul>
 *   <li>{@code events}, {@code sessions}, {@code metrics_1m}, {@code failed_events}: idempotent
 *       COPY-and-merge upserts, written before each checkpoint completes;
 *   <li>{@code whyflow.events.enriched} and {@code whyflow.events.dlq}: Kafka transactions
 *       committed with each checkpoint, so {@code read_committed} consumers see each record once.
 * </ul>
 *
 * Submit: {@code flink run -c dev.whyflow.capture.CaptureJob whyflow-jobs.jar [--key value]…}, keys
 * in {@link CaptureOptions}.
 */
public final class CaptureJob {

    /** How long a visitor's history (for customer segments) is kept without activity. */
    static final Duration VISITOR_HISTORY_TTL = Duration.ofDays(400);

    private CaptureJob() {}

    /**
     * Where CaptureJob's outputs go; {@link #sinks} builds the production ones. {@code
     * sessionsTopic} (closed sessions for EmbeddingJob) may be null: none.
     */
    public record Sinks(
            Sink<EnrichedEvent> eventsTable,
            Sink<EnrichedEvent> enrichedTopic,
            Sink<SessionSummary> sessionsTable,
            Sink<MetricRow> metricsTable,
            Sink<FailedEvent> failedTable,
            Sink<FailedEvent> deadLetterTopic,
            Sink<SessionSummary> sessionsTopic) {

        /** Without the sessions topic. */
        public Sinks(
                Sink<EnrichedEvent> eventsTable,
                Sink<EnrichedEvent> enrichedTopic,
                Sink<SessionSummary> sessionsTable,
                Sink<MetricRow> metricsTable,
                Sink<FailedEvent> failedTable,
                Sink<FailedEvent> deadLetterTopic) {
            this(
                    eventsTable,
                    enrichedTopic,
                    sessionsTable,
                    metricsTable,
                    failedTable,
                    deadLetterTopic,
                    null);
        }
    }

    public static void main(String[] args) throws Exception {
        CaptureOptions options = CaptureOptions.fromArgs(ParameterTool.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        defineWorkflow(env, options, source(options), sinks(options));
        env.execute(JobNames.of(CaptureJob.class));
    }

    public static void configure(StreamExecutionEnvironment env, CaptureOptions o) {
        Recovery.restartWithBackoff(env);
        env.enableCheckpointing(o.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Safe: no function keeps or changes a record after emitting it, and the sinks turn each
        // record into bytes as it arrives. Saves a copy of every event at every chained operator.
        env.getConfig().enableObjectReuse();
        env.getCheckpointConfig()
                .setMinPauseBetweenCheckpoints(
                        Math.min(1_000, o.checkpointInterval().toMillis() / 2));
    }

    public static KafkaSource<Captured> source(CaptureOptions o) {
        return KafkaSource.<Captured>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(o.rawTopic())
                .setGroupId(o.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(o.start().resetStrategy()))
                .setDeserializer(
                        new RawEventDeserializer(o.maxEventBytes(), o.futureSkew().toMillis()))
                .setProperty(
                        "max.partition.fetch.bytes",
                        String.valueOf(Math.max(o.maxEventBytes() * 2, 4 << 20)))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    public static Sinks sinks(CaptureOptions o) {
        return new Sinks(
                new PostgresUpsertSink<>(
                        o.store(),
                        StoreRows.EVENTS,
                        new StoreRows.Events(),
                        o.batchSize(),
                        o.flushInterval()),
                KafkaSink.<EnrichedEvent>builder()
                        .setBootstrapServers(o.bootstrapServers())
                        .setRecordSerializer(new TopicFormats.EnrichedRecords(o.enrichedTopic()))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(o.groupId() + "-enriched")
                        .setProperty("transaction.timeout.ms", "900000")
                        .setProperty("compression.type", "lz4")
                        // every event passes here: 512 KiB batches (default 16 KiB) cost the task
                        // thread
                        // less per record; read_committed readers see them at the checkpoint anyway
                        .setProperty("batch.size", String.valueOf(512 << 10))
                        .setProperty("linger.ms", "20")
                        .build(),
                new PostgresUpsertSink<>(
                        o.store(),
                        StoreRows.SESSIONS,
                        new StoreRows.Sessions(),
                        o.batchSize(),
                        o.flushInterval()),
                new PostgresUpsertSink<>(
                        o.store(),
                        StoreRows.METRICS,
                        new StoreRows.Metrics(),
                        o.batchSize(),
                        o.flushInterval()),
                new PostgresUpsertSink<>(
                        o.store(),
                        FailedEventRows.TABLE,
                        new FailedEventRows(),
                        o.batchSize(),
                        o.flushInterval()),
                KafkaSink.<FailedEvent>builder()
                        .setBootstrapServers(o.bootstrapServers())
                        .setRecordSerializer(new TopicFormats.DeadLetterRecords(o.dlqTopic()))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(o.groupId() + "-dlq")
                        .setProperty("transaction.timeout.ms", "900000")
                        .setProperty("max.request.size", String.valueOf(4 << 20))
                        .build(),
                sessionsTopic(o));
    }

    /**
     * Closed sessions for EmbeddingJob: committed with the checkpoint, after their sessions-table
     * rows.
     */
    public static KafkaSink<SessionSummary> sessionsTopic(CaptureOptions o) {
        return KafkaSink.<SessionSummary>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setRecordSerializer(new TopicFormats.SessionRecords(o.sessionsTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(o.groupId() + "-sessions")
                .setProperty("transaction.timeout.ms", "900000")
                .setProperty("compression.type", "lz4")
                .build();
    }

    /** The topology, apart from I/O: tests run it with their own topics and database. */
    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            CaptureOptions o,
            Source<Captured, ?, ?> source,
            Sinks sinks) {
        WatermarkStrategy<Captured> watermarks =
                WatermarkStrategy.<Captured>forBoundedOutOfOrderness(o.outOfOrderness())
                        .withTimestampAssigner((c, kafkaTime) -> c.eventTime())
                        .withIdleness(o.idleness());
        DataStream<Captured> captured =
                env.fromSource(source, watermarks, "raw events").uid("raw-events-source");

        SingleOutputStreamOperator<Event> accepted =
                captured.process(new SplitRefused()).name("split refused").uid("split-refused");
        DataStream<FailedEvent> refused = accepted.getSideOutput(SplitRefused.REFUSED);

        BroadcastStream<Event> catalog =
                accepted.filter(ProductDimensions::isCatalogEvent)
                        .name("catalog events")
                        .uid("catalog-events")
                        .broadcast(ProductDimensions.PRODUCTS);
        // one keyed stage for deduplication and all enrichment: a visitor's events reach it in
        // their partition's order (no shuffle in between), and every sink below chains onto it
        SingleOutputStreamOperator<EnrichedEvent> enriched =
                accepted.keyBy(JourneyEnricher::enrichmentKey)
                        .connect(catalog)
                        .process(
                                new JourneyEnricher(
                                        o.sessionGap(),
                                        VISITOR_HISTORY_TTL,
                                        o.dedupeHorizon(),
                                        o.allowedLateness()))
                        .name("deduplicate, enrich, sessionize")
                        // not "journeys" nor "deduplicate-products": the stage's state changed
                        // (deduplication
                        // and sessions per visitor), so savepoints of the earlier topology must not
                        // map onto it
                        .uid("visitors");
        DataStream<SessionSummary> sessions = enriched.getSideOutput(JourneyEnricher.SESSIONS);

        DataStream<MetricRow> metrics =
                MinuteRollup.of(enriched, o.allowedLateness()).name("rollup 1m").uid("rollup-1m");

        enriched.sinkTo(sinks.eventsTable()).name("events table").uid("events-table");
        enriched.transform(
                        "watermark stamps",
                        enriched.getType(),
                        new WatermarkStamps(WatermarkStamps.MARKER_INTERVAL))
                .uid("watermark-stamps")
                .sinkTo(sinks.enrichedTopic())
                .name("enriched topic")
                .uid("enriched-topic");
        sessions.sinkTo(sinks.sessionsTable()).name("sessions table").uid("sessions-table");
        metrics.sinkTo(sinks.metricsTable()).name("metrics_1m table").uid("metrics-table");
        refused.sinkTo(sinks.failedTable()).name("failed_events table").uid("failed-events-table");
        refused.sinkTo(sinks.deadLetterTopic()).name("dead-letter topic").uid("dead-letter-topic");
        if (sinks.sessionsTopic() != null) {
            sessions.sinkTo(sinks.sessionsTopic()).name("sessions topic").uid("sessions-topic");
        }
    }
}

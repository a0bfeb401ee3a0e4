package dev.whyflow.patterns;

import dev.whyflow.JobNames;
import dev.whyflow.Recovery;
import dev.whyflow.store.PostgresUpsertSink;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * PatternJob: finds funnels and abandonment in the enriched event stream with Flink CEP, and
 * payment methods whose payments mostly fail in windowed counts ({@link PaymentMethodFailures}),
 * and publishes them as alerts:
 *
 * <ul>
 *   <li>{@code whyflow.alerts.<pattern>}, one topic per {@link AlertPattern}, JSON with a versioned
 *       schema per family, in Kafka transactions committed with each checkpoint, so {@code
 *       read_committed} consumers see each alert once;
 *   <li>the {@code alerts} table, idempotent upserts on the alert id, which is derived from the
 *       matched events (a replay changes nothing).
 * </ul>
 *
 * Event time throughout: the source's watermark (bounded out-of-orderness) drives every timeout,
 * and each pattern's state is bounded by its {@code within()} window, the session's end or its
 * counting window. See {@code jobs/README-alerts.md} for the topics and schemas.
 *
 * <p>Submit: {@code flink run -c dev.whyflow.patterns.PatternJob whyflow-jobs.jar [--key value]…},
 * keys in {@link PatternOptions}.
 */
public final class PatternJob {

    private PatternJob() {}

    /**
     * Where the alerts go; {@link #sinks} builds the production ones. Either may be null (none).
     */
    public record Sinks(Sink<Alert> alertTopics, Sink<Alert> alertsTable) {}

    public static void main(String[] args) throws Exception {
        PatternOptions options = PatternOptions.fromArgs(ParameterTool.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        defineWorkflow(env, source(options), options, sinks(options));
        env.execute(JobNames.of(PatternJob.class));
    }

    public static void configure(StreamExecutionEnvironment env, PatternOptions o) {
        Recovery.restartWithBackoff(env);
        // Chained operators hand records on without copying them (the session tracker feeds every
        // pattern).
        // Safe here: no operator changes a record after emitting or buffering it, and network
        // inputs always deserialize into new objects.
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(o.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig()
                .setMinPauseBetweenCheckpoints(
                        Math.min(1_000, o.checkpointInterval().toMillis() / 2));
    }

    public static KafkaSource<JourneyEvent> source(PatternOptions o) {
        return sourceBuilder(o).build();
    }

    /**
     * The enriched-topic source as {@link #source} builds it, for variants (bounded in tests and
     * the benchmark).
     */
    public static KafkaSourceBuilder<JourneyEvent> sourceBuilder(PatternOptions o) {
        return KafkaSource.<JourneyEvent>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(o.enrichedTopic())
                .setGroupId(o.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(o.start().resetStrategy()))
                .setDeserializer(new JourneyEventDeserializer())
                // CaptureJob writes the enriched topic in transactions
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    public static Sinks sinks(PatternOptions o) {
        return new Sinks(
                alertTopics(o),
                new PostgresUpsertSink<>(
                        o.store(),
                        AlertRows.TABLE,
                        new AlertRows(),
                        o.batchSize(),
                        o.flushInterval()));
    }

    /** The alert topics: one Kafka transaction per checkpoint across all of them. */
    public static KafkaSink<Alert> alertTopics(PatternOptions o) {
        return KafkaSink.<Alert>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setRecordSerializer(new AlertTopics(o.alertTopicPrefix()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(o.transactionalIdPrefix())
                .setProperty(
                        "transaction.timeout.ms", String.valueOf(o.transactionTimeout().toMillis()))
                .setProperty("compression.type", "lz4")
                .build();
    }

    /** The CEP patterns, configured. */
    public static List<CepAlertPattern> patterns(PatternOptions o) {
        return List.of(
                new CartAbandonmentPattern(o.cartAbandonAfter(), o.highValueCartMinor()),
                new CheckoutAbandonmentPattern(o.checkoutAbandonAfter(), o.highValueCartMinor()),
                new CheckoutHesitationPattern(o.hesitationDwell(), o.hesitationOutcomeWindow()),
                new CartIndecisionPattern(o.indecisionWindow()),
                new PaymentFailureStreakPattern(o.paymentFailureCount(), o.paymentFailureWindow()),
                new SlowExperienceAbandonmentPattern(o.slowPageMs(), o.slowExperienceHorizon()));
    }

    /** The payment-method failure counter, configured. */
    public static PaymentMethodFailures paymentMethodFailures(PatternOptions o) {
        return new PaymentMethodFailures(
                o.paymentMethodWindow(),
                o.paymentMethodMinFailures(),
                o.paymentMethodFailureShare(),
                o.stateTtl());
    }

    /**
     * The topology, apart from I/O: journey events in, every pattern's alerts to {@code sinks} and
     * returned (tests collect them).
     */
    public static DataStream<Alert> defineWorkflow(
            StreamExecutionEnvironment env,
            Source<JourneyEvent, ?, ?> source,
            PatternOptions o,
            Sinks sinks) {
        return defineWorkflow(env, source, watermarks(o), o, sinks);
    }

    /**
     * Event time: the events' {@code occurred_at}, on CaptureJob's watermarks as the enriched topic
     * carries them ({@link CaptureWatermarks}; bounded out-of-orderness for records without them),
     * idle partitions left out.
     */
    public static WatermarkStrategy<JourneyEvent> watermarks(PatternOptions o) {
        return CaptureWatermarks.strategy(o.outOfOrderness(), o.idleness());
    }

    /**
     * {@link #defineWorkflow(StreamExecutionEnvironment, Source, PatternOptions, Sinks)} with other
     * watermarks (the benchmark observes them).
     */
    public static DataStream<Alert> defineWorkflow(
            StreamExecutionEnvironment env,
            Source<JourneyEvent, ?, ?> source,
            WatermarkStrategy<JourneyEvent> watermarks,
            PatternOptions o,
            Sinks sinks) {
        DataStream<JourneyEvent> events =
                env.fromSource(source, watermarks, "enriched events")
                        .uid("enriched-events-source")
                        .filter(new NoMarkers())
                        .name("journey events only")
                        .uid("journey-events-only");

        // One shuffle by session; every session-keyed pattern after it runs in the same task.
        DataStream<JourneyEvent> journeys =
                events.keyBy(new JourneyEvent.BySession())
                        .process(new SessionTracker(o.sessionGap(), o.stateTtl()))
                        .name("session tracker")
                        .uid("session-tracker");

        List<DataStream<Alert>> alerts = new ArrayList<>();
        DataStream<Alert> checkoutAbandonments = null;
        for (CepAlertPattern p : patterns(o)) {
            DataStream<Alert> found = detect(journeys, p);
            if (p.family() == AlertPattern.CHECKOUT_ABANDONMENT) checkoutAbandonments = found;
            alerts.add(found);
        }
        alerts.add(
                checkoutAbandonments
                        .flatMap(
                                new HighValueAtRiskRule(
                                        o.highValueCartMinor(), o.highValueSegments()))
                        .name("high value at risk")
                        .uid("high-value-at-risk"));
        alerts.add(
                journeys.filter(new PaymentMethodFailures.Outcomes())
                        .name("payment method failures input")
                        .uid("payment-method-failures-input")
                        .keyBy(new PaymentMethodFailures.ByMethod())
                        .process(paymentMethodFailures(o))
                        .name("payment method failures")
                        .uid("payment-method-failures"));
        DataStream<JourneyEvent> funnelSteps =
                journeys.filter(new FunnelProgression.Steps())
                        .name("funnel progression input")
                        .uid("funnel-progression-input");
        alerts.add(
                DataStreamUtils.reinterpretAsKeyedStream(
                                funnelSteps, new JourneyEvent.BySession(), Types.STRING)
                        .process(new FunnelProgression(o.stateTtl()))
                        .name("funnel progression")
                        .uid("funnel-progression"));

        DataStream<Alert> all = alerts.get(0);
        for (DataStream<Alert> more : alerts.subList(1, alerts.size())) all = all.union(more);
        if (sinks.alertTopics() != null)
            all.sinkTo(sinks.alertTopics()).name("alert topics").uid("alert-topics");
        if (sinks.alertsTable() != null)
            all.sinkTo(sinks.alertsTable()).name("alerts table").uid("alerts-table");
        return all;
    }

    /** One CEP pattern over the journey events it follows: its matches and its timeouts. */
    static DataStream<Alert> detect(DataStream<JourneyEvent> journeys, CepAlertPattern p) {
        String name = p.family().wireName();
        DataStream<JourneyEvent> followed =
                journeys.filter(new Follows(p)).name(name + " input").uid(name + "-input");
        KeyedStream<JourneyEvent, String> keyed =
                p.keyedBySession()
                        // already partitioned by session: no second shuffle
                        ? DataStreamUtils.reinterpretAsKeyedStream(followed, p.key(), Types.STRING)
                        : followed.keyBy(p.key());
        SingleOutputStreamOperator<Alert> matched =
                CEP.pattern(keyed, p.pattern())
                        .inEventTime()
                        .process(p, TypeInformation.of(Alert.class))
                        .name(name)
                        .uid(name + "-cep");
        return p instanceof TimedOutPartialMatchHandler<?>
                ? matched.union(matched.getSideOutput(CepAlertPattern.TIMED_OUT))
                : matched;
    }

    /** Drops the enriched topic's watermark markers once the source's watermarks have read them. */
    static final class NoMarkers implements FilterFunction<JourneyEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(JourneyEvent e) {
            // by its content, not its transient flag: without object reuse the filter gets a copy
            return e.eventId != null;
        }
    }

    /** Keeps the events a pattern follows. */
    static final class Follows implements FilterFunction<JourneyEvent> {
        private static final long serialVersionUID = 1L;
        private final CepAlertPattern pattern;

        Follows(CepAlertPattern pattern) {
            this.pattern = pattern;
        }

        @Override
        public boolean filter(JourneyEvent e) {
            return pattern.follows(e);
        }
    }
}

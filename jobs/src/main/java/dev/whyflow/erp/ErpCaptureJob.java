package dev.whyflow.erp;

import dev.whyflow.JobNames;
import dev.whyflow.Recovery;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Reads the ERP's change topic (Debezium's PostgreSQL connector on Kafka Connect) and writes the
 * contract events the row changes stand for to the raw topic, where CaptureJob validates,
 * deduplicates, enriches and stores them like any producer's ({@link ErpEventAssembler} says what
 * each change becomes).
 *
 * <p>Delivery is at least once, on purpose: every event id derives from the ERP row's key, so a
 * record written twice (a restart between checkpoints, a change Debezium sends again after a
 * connector restart) is the same event, which CaptureJob keeps once; and records are visible at
 * once, not at the next checkpoint, which is what the freshness of an ERP change as an event row
 * needs.
 */
public final class ErpCaptureJob {

    private ErpCaptureJob() {}

    public static void main(String[] args) throws Exception {
        ErpCaptureOptions o = ErpCaptureOptions.fromArgs(ParameterTool.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, o);
        defineWorkflow(env, o, source(o), rawTopic(o));
        env.execute(JobNames.of(ErpCaptureJob.class));
    }

    public static void configure(StreamExecutionEnvironment env, ErpCaptureOptions o) {
        Recovery.restartWithBackoff(env);
        env.enableCheckpointing(o.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    }

    public static KafkaSource<ErpChange> source(ErpCaptureOptions o) {
        return KafkaSource.<ErpChange>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(o.changesTopic())
                .setGroupId(o.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(o.start().resetStrategy()))
                .setDeserializer(new ErpChangeDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    public static Sink<Event> rawTopic(ErpCaptureOptions o) {
        return KafkaSink.<Event>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setRecordSerializer(new RawRecords(o.rawTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setProperty("linger.ms", "5")
                .build();
    }

    /** The topology apart from I/O: tests run it with their own topics. */
    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            ErpCaptureOptions o,
            Source<ErpChange, ?, ?> source,
            Sink<Event> raw) {
        DataStream<ErpChange> changes =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "erp changes")
                        .uid("erp-changes-source")
                        .setParallelism(1);
        DataStream<Event> events =
                changes.keyBy(c -> ErpEventAssembler.KEY)
                        .process(new ErpEventAssembler(o.flushAfter(), o.orderTtl()))
                        .name("erp row changes to events")
                        .uid("erp-event-assembler");
        events.sinkTo(raw).name("raw topic").uid("erp-raw-topic");
    }

    /**
     * Events as producers write them to the raw topic, keyed as {@link Event#partitionKey()} says.
     */
    static final class RawRecords implements KafkaRecordSerializationSchema<Event> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        RawRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Event e, KafkaSinkContext context, Long timestamp) {
            String key = e.partitionKey();
            return new ProducerRecord<>(
                    topic,
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(e));
        }
    }
}

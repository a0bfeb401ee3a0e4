package dev.whyflow.query;

import dev.whyflow.JobNames;
import dev.whyflow.Recovery;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Answers the questions of {@code whyflow.questions} on {@code whyflow.answers}, keyed by question
 * id: a Kafka source, {@link AnswerFunction} through {@code AsyncDataStream.unorderedWait} with a
 * bounded capacity (never more questions in flight than that per instance), a Kafka sink.
 *
 * <p>Delivery is at least once and idempotent per question id: after a failure a question may be
 * answered again, under the same key; consumers (and {@code ./whyflow ask}) take the first answer
 * of an id. Answers are not held back until a checkpoint, so a waiting user sees them at once.
 */
public final class QueryJob {

    private QueryJob() {}

    public static void main(String[] args) throws Exception {
        QueryOptions o = QueryOptions.fromArgs(ParameterTool.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(o.checkpointInterval().toMillis());
        Recovery.restartWithBackoff(env);
        defineWorkflow(env, source(o).build(), o, answers(o));
        env.execute(JobNames.of(QueryJob.class));
    }

    public static KafkaSourceBuilder<Question> source(QueryOptions o) {
        return KafkaSource.<Question>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setTopics(o.questionsTopic())
                .setGroupId(o.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(o.start().resetStrategy()))
                .setDeserializer(new QuestionDeserializer());
    }

    public static Sink<AnswerRecord> answers(QueryOptions o) {
        return KafkaSink.<AnswerRecord>builder()
                .setBootstrapServers(o.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new AnswerSerializer(o.answersTopic()))
                .build();
    }

    public static DataStream<AnswerRecord> defineWorkflow(
            StreamExecutionEnvironment env,
            Source<Question, ?, ?> questions,
            QueryOptions o,
            Sink<AnswerRecord> answers) {
        DataStream<Question> in =
                env.fromSource(questions, WatermarkStrategy.noWatermarks(), "questions")
                        .uid("query-questions-source");
        // one conversation's questions to one instance, whose engine holds the conversation's
        // context
        DataStream<AnswerRecord> out =
                AsyncDataStream.unorderedWait(
                                in.keyBy(Question::routingKey),
                                new AnswerFunction(o),
                                o.answerTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                o.capacity())
                        .name("answer questions")
                        .uid("query-answer");
        out.sinkTo(answers).name("answers").uid("query-answers-sink");
        return out;
    }

    /**
     * Kafka record → {@link Question}; never fails: a bad record becomes a question with an error.
     */
    static final class QuestionDeserializer implements KafkaRecordDeserializationSchema<Question> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Question> out) {
            out.collect(Question.parse(r.key(), r.value()));
        }

        @Override
        public TypeInformation<Question> getProducedType() {
            return TypeInformation.of(Question.class);
        }
    }

    static final class AnswerSerializer implements KafkaRecordSerializationSchema<AnswerRecord> {
        private final String topic;

        AnswerSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {}

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                AnswerRecord a, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    null,
                    System.currentTimeMillis(),
                    a.questionId.getBytes(StandardCharsets.UTF_8),
                    a.json);
        }
    }
}

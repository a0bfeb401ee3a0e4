package dev.whyflow.patterns;

import dev.whyflow.JobOptions;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * An incident streamed live for the web service's tests: PatternJob running on the test's
 * MiniCluster over an enriched topic, publishing its alerts to {@code prefix + family} topics in
 * Kafka transactions as in production, while the simulator streams a shop day with the
 * slow-checkout incident (android 5.4.0, the query tests' store's 2026-11-03) into that topic as
 * enriched events, about 500 a second, ({@link SimulatedEnrichedStream}: the simulator's events
 * with CaptureJob's session, channel and device enrichment, without running CaptureJob).
 */
public final class LiveIncident implements AutoCloseable {

    private final JobClient job;
    private final CompletableFuture<Long> streamed;

    private LiveIncident(JobClient job, CompletableFuture<Long> streamed) {
        this.job = job;
        this.streamed = streamed;
    }

    /**
     * Starts PatternJob on the current MiniCluster and the simulator's stream into it; returns at
     * once.
     */
    public static LiveIncident start(String alertPrefix, StoreConnection store) throws Exception {
        String enriched = KafkaTestBroker.newTopic("live-enriched", 1);
        Map<String, String> args = new HashMap<>();
        args.put(JobOptions.KAFKA_BOOTSTRAP.key(), KafkaTestBroker.bootstrapServers());
        args.put(JobOptions.TOPIC_ENRICHED.key(), enriched);
        args.put(PatternOptions.TOPIC_ALERTS_PREFIX.key(), alertPrefix);
        args.put(PatternOptions.GROUP_ID.key(), "patterns-" + enriched);
        args.put(PatternOptions.TRANSACTIONAL_ID_PREFIX.key(), "web-live-" + UUID.randomUUID());
        args.put(JobOptions.PG_URL.key(), store.url());
        args.put(JobOptions.PG_USER.key(), store.user());
        args.put(JobOptions.PG_PASSWORD.key(), store.password());
        PatternOptions o = PatternOptions.fromArgs(ParameterTool.fromMap(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        PatternJob.configure(env, o);
        PatternJob.defineWorkflow(
                env,
                PatternJob.source(o),
                o,
                new PatternJob.Sinks(PatternJob.alertTopics(o), null));
        JobClient job = env.executeAsync("patterns over a live incident");
        SimulationOptions day =
                SimulationOptions.of(
                                77,
                                LocalDate.parse("2026-11-03"),
                                1,
                                400,
                                "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T00:00,hours=24,load_ms=6500,adoption_hours=0.5")
                        .withHeartbeatMs(0);
        CompletableFuture<Long> streamed =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (KafkaProducer<byte[], byte[]> producer =
                                    KafkaTestBroker.producer()) {
                                // paced, about 500 events a second, so that alerts come as a
                                // stream, not as one burst
                                long n =
                                        SimulatedEnrichedStream.generate(
                                                day,
                                                (session, bytes) -> {
                                                    producer.send(
                                                            new ProducerRecord<>(
                                                                    enriched,
                                                                    session == null
                                                                            ? null
                                                                            : session.getBytes(
                                                                                    StandardCharsets
                                                                                            .UTF_8),
                                                                    bytes));
                                                    Thread.sleep(2);
                                                });
                                producer.flush();
                                return n;
                            } catch (Exception e) {
                                throw new IllegalStateException(
                                        "the simulated incident could not be streamed", e);
                            }
                        });
        return new LiveIncident(job, streamed);
    }

    public CompletableFuture<Long> streamed() {
        return streamed;
    }

    @Override
    public void close() throws Exception {
        job.cancel().get();
    }
}

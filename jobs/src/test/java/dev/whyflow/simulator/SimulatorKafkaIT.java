package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka output against a real (in-process) broker: the same records as the JSONL output of the
 * same options, byte for byte, keyed by session, customer or anonymous id, in order per key;
 * oversize records included.
 */
class SimulatorKafkaIT {

    @Test
    void sendsTheSameRecordsAsTheFileKeyedAndInOrderPerKey(@TempDir Path dir) throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String topic = KafkaTestBroker.newTopic("whyflow-sim", 4);
        String[] common = {
            "--seed",
            "4",
            "--start",
            "2026-11-02",
            "--days",
            "1",
            "--visitors-per-day",
            "120",
            "--bad-fraction",
            "0.05",
            "--incident",
            "stock-out:product=top,start=2026-11-02T08:00,hours=12"
        };
        Path file = dir.resolve("shop.jsonl");
        SimulatorFixtures.CliResult toFile =
                SimulatorFixtures.cli(concat(common, "--out", file.toString()));
        assertThat(toFile.code()).as(toFile.err()).isZero();
        Path truth = dir.resolve("kafka.truth.json");
        SimulatorFixtures.CliResult toKafka =
                SimulatorFixtures.cli(
                        concat(
                                common,
                                "--to-kafka",
                                "--bootstrap",
                                bootstrap,
                                "--topic",
                                topic,
                                "--truth",
                                truth.toString()));
        assertThat(toKafka.code()).as(toKafka.err()).isZero();
        assertThat(toKafka.out())
                .contains("kafka " + bootstrap + " topic " + topic)
                .contains(truth.toString());
        assertThat(Files.mismatch(truth, dir.resolve("shop.truth.json"))).isEqualTo(-1);

        List<byte[]> lines = SimulatorFixtures.lines(file);
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(60));
        assertThat(records).hasSameSizeAs(lines);

        // the same records overall ...
        List<String> fileValues =
                new ArrayList<>(lines.stream().map(SimulatorKafkaIT::hex).toList());
        List<String> topicValues =
                new ArrayList<>(records.stream().map(r -> hex(r.value())).toList());
        fileValues.sort(null);
        topicValues.sort(null);
        assertThat(topicValues).isEqualTo(fileValues);
        // ... and per key, the events in the file's order, keyed by session, else customer, else
        // anonymous id
        Map<String, List<String>> fileByKey = new HashMap<>();
        for (byte[] line : lines) {
            Event e = event(line);
            if (e != null)
                fileByKey.computeIfAbsent(e.partitionKey(), k -> new ArrayList<>()).add(hex(line));
        }
        Map<String, List<String>> topicByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Event e = event(r.value());
            if (e == null) continue;
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            assertThat(key).isEqualTo(e.partitionKey());
            topicByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(hex(r.value()));
        }
        assertThat(topicByKey).isEqualTo(fileByKey);
        assertThat(
                        records.stream()
                                .filter(
                                        r ->
                                                r.value().length
                                                        > EventValidator.DEFAULT_MAX_RECORD_BYTES)
                                .count())
                .isEqualTo(
                        lines.stream()
                                .filter(l -> l.length > EventValidator.DEFAULT_MAX_RECORD_BYTES)
                                .count());
    }

    @Test
    void theRateCapsRecordsPerSecondWithoutChangingThem(@TempDir Path dir) throws Exception {
        String bootstrap = KafkaTestBroker.bootstrapServers();
        String topic = KafkaTestBroker.newTopic("whyflow-sim-rate", 1);
        long t0 = System.nanoTime();
        SimulatorFixtures.CliResult r =
                SimulatorFixtures.cli(
                        "--seed",
                        "4",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "1",
                        "--visitors-per-day",
                        "25",
                        "--heartbeat-ms",
                        "0",
                        "--to-kafka",
                        "--bootstrap",
                        bootstrap,
                        "--topic",
                        topic,
                        "--rate",
                        "250",
                        "--truth",
                        dir.resolve("t.json").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.code()).as(r.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(30));
        assertThat(records.size()).isGreaterThan(300);
        assertThat(seconds).isGreaterThanOrEqualTo((records.size() - 25) / 250.0 * 0.9);
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            Event e = EventJson.fromBytes(rec.value());
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(e.partitionKey());
        }
    }

    private static final EventValidator VALIDATOR = new EventValidator();

    /** The event, if the record is one (the future check aside); null for malformed records. */
    private static Event event(byte[] raw) {
        var v = VALIDATOR.validate(raw, Long.MAX_VALUE / 2);
        return v.isValid() ? v.event() : null;
    }

    private static String hex(byte[] b) {
        return Integer.toHexString(Arrays.hashCode(b)) + ":" + b.length;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

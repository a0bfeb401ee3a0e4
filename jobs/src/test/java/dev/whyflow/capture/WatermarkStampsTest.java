package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.CaptureStamp;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventType;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * CaptureJob's stamps on the way to the enriched topic, and where the topic's serializer puts them.
 */
class WatermarkStampsTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);

    @Test
    void stampsEachRecordWithTheWatermarkItWasJudgedByAndMarksAdvancesNoRecordCarried()
            throws Exception {
        try (var h = harness(3, 5)) {
            h.processElement(enriched("a", 1_000), 1_000);
            h.processWatermark(new Watermark(900));
            h.processElement(enriched("b", 1_100), 1_100); // carries 900: no marker needed for it
            h.setProcessingTime(INTERVAL.toMillis());
            h.processWatermark(new Watermark(1_500)); // nothing carries 1500 yet
            h.setProcessingTime(2 * INTERVAL.toMillis());
            h.setProcessingTime(3 * INTERVAL.toMillis()); // no advance since: no second marker

            List<EnrichedEvent> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(e -> e.watermarkMarker ? "marker" : e.eventId())
                    .containsExactly("a", "b", "marker");
            assertThat(out)
                    .extracting(e -> e.captureWatermark)
                    .containsExactly(Long.MIN_VALUE, 900L, 1_500L);
            assertThat(out)
                    .allSatisfy(
                            e -> {
                                assertThat(e.captureWriter).isEqualTo(3);
                                assertThat(e.captureWriters).isEqualTo(5);
                            });
            assertThat(h.getOutput())
                    .filteredOn(o -> o instanceof Watermark)
                    .as("watermarks go on to the sink unchanged")
                    .hasSize(2);
        }
    }

    @Test
    void theTopicPutsEachWritersRecordsOnItsOwnPartitionWithTheStampAndMarkersWithoutValue() {
        TopicFormats.EnrichedRecords records = new TopicFormats.EnrichedRecords("enriched");
        KafkaSinkContext twoPartitions = context(2);
        EnrichedEvent e = enriched("e1", 5_000);
        e.sessionId = "s1";
        e.captureWriter = 3;
        e.captureWriters = 4;
        e.captureWatermark = 4_000;
        ProducerRecord<byte[], byte[]> r = records.serialize(e, twoPartitions, null);
        assertThat(r.partition()).isEqualTo(1);
        assertThat(new String(r.key())).isEqualTo("s1");
        assertThat(EnrichedEventJson.fromBytes(r.value()).eventId()).isEqualTo("e1");
        assertThat(CaptureStamp.of(r.headers())).isEqualTo(new CaptureStamp(3, 4, 2, 4_000));

        EnrichedEvent marker = new EnrichedEvent();
        marker.watermarkMarker = true;
        marker.captureWriter = 2;
        marker.captureWriters = 4;
        marker.captureWatermark = 4_500;
        ProducerRecord<byte[], byte[]> m = records.serialize(marker, twoPartitions, null);
        assertThat(m.partition()).isEqualTo(0);
        assertThat(m.key()).isNull();
        assertThat(m.value()).isNull();
        assertThat(CaptureStamp.of(m.headers())).isEqualTo(new CaptureStamp(2, 4, 2, 4_500));

        EnrichedEvent unstamped = enriched("e2", 5_000);
        unstamped.sessionId = "s2";
        ProducerRecord<byte[], byte[]> u = records.serialize(unstamped, twoPartitions, null);
        assertThat(u.partition()).as("by its key").isNull();
        assertThat(CaptureStamp.of(u.headers())).isNull();
    }

    private static OneInputStreamOperatorTestHarness<EnrichedEvent, EnrichedEvent> harness(
            int subtask, int parallelism) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new WatermarkStamps(INTERVAL), 128, parallelism, subtask);
        h.open();
        return h;
    }

    private static EnrichedEvent enriched(String id, long at) {
        return EnrichedEvent.of(Event.of(EventType.PAGE_VIEWED, id, at, "storefront-web"));
    }

    private static KafkaSinkContext context(int partitions) {
        return new KafkaSinkContext() {
            @Override
            public int getParallelInstanceId() {
                return 0;
            }

            @Override
            public int getNumberOfParallelInstances() {
                return 1;
            }

            @Override
            public int[] getPartitionsForTopic(String topic) {
                int[] ids = new int[partitions];
                for (int i = 0; i < partitions; i++) ids[i] = i;
                return ids;
            }
        };
    }
}

package dev.whyflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import dev.whyflow.sql.testing.TestDatabase;
import dev.whyflow.testing.KafkaTestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./whyflow failed} and {@code ./whyflow failed --replay FILE} against a real store and
 * broker: corrected events go back to the raw topic once, invalid lines and events already stored
 * are not sent, and the failures of what was sent are marked replayed.
 */
class FailedEventsCliIT {

    @Test
    void replaysCorrectedEventsOnceAndMarksTheirFailures(@TempDir Path dir) throws Exception {
        List<byte[]> lines = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        EventValidator validator = new EventValidator();
        SimulatedData data =
                SimulatedData.generate(SimulationOptions.of(11, LocalDate.of(2026, 11, 2), 1, 20));
        for (SimulatedData.Record r : data.records()) {
            Validation v = validator.validate(r.value(), System.currentTimeMillis());
            if (v.isValid()
                    && events.stream().noneMatch(e -> e.eventId.equals(v.event().eventId))) {
                events.add(v.event());
                lines.add(r.value());
            }
            if (events.size() == 3) break;
        }
        Event fixedA = events.get(0);
        Event fixedB = events.get(1);
        Event alreadyStored = events.get(2);

        String topic = KafkaTestBroker.newTopic("replay", 2);
        try (TestDatabase db = TestDatabase.create("replay");
                Connection c = db.open()) {
            failure(c, 7, fixedA);
            failure(c, 8, fixedB);
            stored(c, alreadyStored);
            Path file = dir.resolve("corrected.jsonl");
            Files.write(
                    file,
                    List.of(
                            text(lines.get(0)),
                            text(lines.get(2)),
                            "{\"event_id\": ",
                            text(lines.get(1)),
                            ""));

            String first =
                    run(
                            out ->
                                    FailedEventsCli.replay(
                                            db.store(),
                                            file,
                                            KafkaTestBroker.bootstrapServers(),
                                            topic,
                                            out),
                            false);
            assertThat(first)
                    .contains("line 3 not sent: PARSE_ERROR")
                    .contains(
                            "replayed 2 events to "
                                    + topic
                                    + "; 1 already stored (skipped); 1 invalid lines (not sent)");
            List<ConsumerRecord<byte[], byte[]>> sent =
                    KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(20));
            assertThat(sent)
                    .extracting(r -> text(r.value()))
                    .containsExactlyInAnyOrder(text(lines.get(0)), text(lines.get(1)));
            assertThat(sent)
                    .extracting(r -> text(r.key()))
                    .containsExactlyInAnyOrder(fixedA.partitionKey(), fixedB.partitionKey());
            assertThat(replayed(c)).containsExactlyInAnyOrder(fixedA.eventId, fixedB.eventId);

            // CaptureJob stores the corrected events; a second replay of the same file sends
            // nothing
            stored(c, fixedA);
            stored(c, fixedB);
            String second =
                    run(
                            out ->
                                    FailedEventsCli.replay(
                                            db.store(),
                                            file,
                                            KafkaTestBroker.bootstrapServers(),
                                            topic,
                                            out),
                            false);
            assertThat(second)
                    .contains("replayed 0 events to " + topic + "; 3 already stored (skipped)");
            assertThat(KafkaTestBroker.readCommitted(topic, Duration.ofSeconds(20))).hasSize(2);

            String listing =
                    run(
                            out -> {
                                FailedEventsCli.list(db.store(), out);
                                return true;
                            },
                            true);
            assertThat(listing).containsPattern("SCHEMA_VIOLATION\\s+2 .*\\(2 replayed\\)");
        }
    }

    private interface Command {
        boolean run(PrintStream out) throws Exception;
    }

    private static String run(Command command, boolean expectedResult) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertThat(command.run(out)).isEqualTo(expectedResult);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A failed_events row as CaptureJob writes it for a record the schema refused. */
    private static void failure(Connection c, long offset, Event e) throws Exception {
        try (PreparedStatement s =
                c.prepareStatement(
                        "INSERT INTO failed_events (failure_id, reason, message, source_topic,"
                                + " source_partition, source_offset, event_id, event_type, raw, raw_size, failed_at)"
                                + " VALUES (?, 'SCHEMA_VIOLATION', 'payload.amount_minor: must be an integer', 'whyflow.events.raw', 0, ?, ?, ?, ?, 3, now())")) {
            s.setString(1, "whyflow.events.raw/0/" + offset);
            s.setLong(2, offset);
            s.setString(3, e.eventId);
            s.setString(4, e.eventType.wireName());
            s.setBytes(5, "bad".getBytes(StandardCharsets.UTF_8));
            s.executeUpdate();
        }
    }

    private static void stored(Connection c, Event e) throws Exception {
        try (PreparedStatement s =
                c.prepareStatement(
                        "INSERT INTO events (event_id, occurred_at, event_type, schema_version, source)"
                                + " VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, e.eventId);
            s.setTimestamp(2, new Timestamp(e.occurredAt));
            s.setString(3, e.eventType.wireName());
            s.setInt(4, e.schemaVersion);
            s.setString(5, e.source);
            s.executeUpdate();
        }
    }

    private static List<String> replayed(Connection c) throws Exception {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement s =
                        c.prepareStatement(
                                "SELECT event_id FROM failed_events WHERE replayed_at IS NOT NULL");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) ids.add(rs.getString(1));
        }
        return ids;
    }
}

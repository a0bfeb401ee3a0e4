package dev.whyflow.capture;

import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code whyflow failed}: what CaptureJob refused, by reason, with recent examples; and {@code
 * whyflow failed --replay FILE}: sends corrected events (JSONL, one event per line) back to the raw
 * topic. Each line is validated first (an invalid line is reported and not sent); an event whose
 * event_id is already stored is skipped, so replaying twice creates no duplicate; the failed_events
 * rows of the replayed event ids are marked {@code replayed_at}.
 */
@Command(
        name = "failed",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "What CaptureJob refused, by reason; --replay sends corrected events back",
            "Lists what CaptureJob refused, by reason, with the latest example of each; --replay sends corrected "
                    + "events back to the raw topic (WHYFLOW_TOPIC_RAW on WHYFLOW_KAFKA_BOOTSTRAP), skipping those already stored."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:listed, or every line replayed",
            "1:a line invalid or not acknowledged, or failed",
            "2:usage error"
        })
public final class FailedEventsCli implements Callable<Integer> {

    @Option(
            names = "--replay",
            paramLabel = "FILE.jsonl",
            description = "send the corrected events in FILE (JSONL, one event a line)")
    Path replay;

    @ParentCommand WhyflowCli whyflow;

    private FailedEventsCli() {}

    @Override
    public Integer call() throws IOException, SQLException {
        StoreConnection store = StoreConnection.fromEnvironment();
        if (replay == null) {
            list(store, whyflow.out());
            return 0;
        }
        String topic = whyflow.env().getOrDefault("WHYFLOW_TOPIC_RAW", "whyflow.events.raw");
        return replay(store, replay, whyflow.kafkaBootstrap(), topic, whyflow.out()) ? 0 : 1;
    }

    static void list(StoreConnection store, PrintStream out) throws SQLException {
        try (Connection c = store.open()) {
            out.printf("%-18s %8s  %-20s %-20s%n", "reason", "count", "first", "last");
            try (PreparedStatement s =
                            c.prepareStatement(
                                    "SELECT reason, count(*), min(failed_at), max(failed_at), count(replayed_at) FROM failed_events"
                                            + " GROUP BY reason ORDER BY count(*) DESC");
                    ResultSet rs = s.executeQuery()) {
                boolean any = false;
                while (rs.next()) {
                    any = true;
                    out.printf(
                            "%-18s %8d  %-20s %-20s%s%n",
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getTimestamp(3).toInstant().toString().substring(0, 19),
                            rs.getTimestamp(4).toInstant().toString().substring(0, 19),
                            rs.getLong(5) > 0 ? "  (" + rs.getLong(5) + " replayed)" : "");
                }
                if (!any) out.println("(no failed events)");
            }
            out.println();
            out.println("latest, per reason:");
            try (PreparedStatement s =
                            c.prepareStatement(
                                    "SELECT DISTINCT ON (reason) reason, failure_id, coalesce(event_id, '-'), left(message, 120)"
                                            + " FROM failed_events ORDER BY reason, failed_at DESC");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.printf(
                            "  %-18s %-28s event %-38s %s%n",
                            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                }
            }
        }
    }

    static boolean replay(
            StoreConnection store, Path file, String bootstrap, String topic, PrintStream out)
            throws IOException, SQLException {
        EventValidator validator = new EventValidator();
        List<Event> events = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        int lineNo = 0;
        int invalid = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            Validation v = validator.validate(bytes, System.currentTimeMillis());
            if (!v.isValid()) {
                invalid++;
                out.printf(
                        "line %d not sent: %s: %s%n",
                        lineNo, v.rejection().reason().wireName(), v.rejection().message());
                continue;
            }
            events.add(v.event());
            raw.add(bytes);
        }
        int skipped = 0;
        int unsent = 0;
        List<String> sentIds = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // a command line tool: give up within a minute when the broker is away, and say so
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        try (Connection c = store.open();
                PreparedStatement stored =
                        c.prepareStatement("SELECT 1 FROM events WHERE event_id = ? LIMIT 1");
                PreparedStatement mark =
                        c.prepareStatement(
                                "UPDATE failed_events SET replayed_at = now() WHERE event_id = ? AND replayed_at IS NULL");
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                stored.setString(1, e.eventId);
                try (ResultSet rs = stored.executeQuery()) {
                    if (rs.next()) {
                        skipped++;
                        continue;
                    }
                }
                String key = e.partitionKey();
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                        raw.get(i))));
                sentIds.add(e.eventId);
            }
            producer.flush();
            // a failure row is marked replayed only once the broker has acknowledged its event
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get();
                    mark.setString(1, sentIds.get(i));
                    mark.executeUpdate();
                } catch (ExecutionException | InterruptedException ex) {
                    unsent++;
                    out.printf(
                            "event %s not sent: %s%n",
                            sentIds.get(i),
                            ex.getCause() == null ? ex : ex.getCause().getMessage());
                }
            }
        }
        int sent = acks.size() - unsent;
        out.printf(
                "replayed %d events to %s; %d already stored (skipped); %d invalid lines (not sent)%s%n",
                sent,
                topic,
                skipped,
                invalid,
                unsent > 0 ? "; " + unsent + " not acknowledged by the broker" : "");
        return invalid == 0 && unsent == 0;
    }
}

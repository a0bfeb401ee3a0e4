package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.RejectReason;
import dev.whyflow.contract.Timestamps;
import dev.whyflow.contract.Validation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad-input mode, checked on the JSONL file the CLI writes: every record the manifest lists as bad
 * is refused by EventValidator for exactly the reason it names, every other record is valid, and
 * the listed duplicates are byte-identical re-sends of earlier valid records.
 */
class BadInputTest {

    @TempDir static Path dir;

    private static List<byte[]> lines;
    private static JsonNode manifest;
    private static final Map<Long, String> badReason = new HashMap<>();
    private static final Map<Long, String> badKind = new HashMap<>();
    private static final Map<Long, JsonNode> duplicates = new HashMap<>();

    @BeforeAll
    static void simulate() {
        Path out = dir.resolve("bad.jsonl");
        SimulatorFixtures.CliResult r =
                SimulatorFixtures.cli(
                        "--seed",
                        "31",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "1",
                        "--visitors-per-day",
                        "700",
                        "--bad-fraction",
                        "0.04",
                        "--duplicate-fraction",
                        "0.02",
                        "--incident",
                        "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6",
                        "--incident",
                        "stock-out:product=top,start=2026-11-02T08:00,hours=12",
                        "--out",
                        out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        lines = SimulatorFixtures.lines(out);
        manifest = SimulatorFixtures.json(dir.resolve("bad.truth.json"));
        for (JsonNode b : manifest.get("bad_records")) {
            badReason.put(b.get("ordinal").asLong(), b.get("reason").asText());
            badKind.put(b.get("ordinal").asLong(), b.get("kind").asText());
        }
        for (JsonNode d : manifest.get("duplicates")) duplicates.put(d.get("ordinal").asLong(), d);
    }

    @Test
    void theFractionsAreAsAskedAndEveryKindOccurs() {
        double bad = (double) badReason.size() / lines.size();
        double dup = (double) duplicates.size() / lines.size();
        System.out.printf(
                "bad input: %d records, %d bad (%.4f), %d duplicates (%.4f), kinds %s%n",
                lines.size(),
                badReason.size(),
                bad,
                duplicates.size(),
                dup,
                manifest.get("bad_records_by_kind"));
        assertThat(bad).isBetween(0.035, 0.045);
        assertThat(dup).isBetween(0.016, 0.024);
        assertThat(new java.util.HashSet<>(badReason.values()))
                .containsExactlyInAnyOrder(
                        Arrays.stream(RejectReason.values())
                                .map(RejectReason::wireName)
                                .toArray(String[]::new));
        assertThat(manifest.get("bad_records_by_kind").size())
                .isEqualTo(BadRecords.Kind.values().length);
    }

    @Test
    void everyBadRecordIsRefusedForExactlyTheIntendedReasonAndNothingElseIs() {
        EventValidator validator = new EventValidator().warmUp();
        Map<String, Long> outcomes = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        long clock =
                Long.MIN_VALUE; // the receiver's "now": the latest event time of the valid traffic
        for (int i = 0; i < lines.size(); i++) {
            byte[] raw = lines.get(i);
            String intended = badReason.get((long) i);
            if (intended == null) clock = Math.max(clock, EventJson.fromBytes(raw).occurredAt);
            Validation v = validator.validate(raw, clock);
            String got = v.isValid() ? "VALID" : v.rejection().reason().wireName();
            String expected = intended == null ? "VALID" : intended;
            outcomes.merge(badKind.getOrDefault((long) i, "valid") + " -> " + got, 1L, Long::sum);
            if (!got.equals(expected) && wrong.size() < 10) {
                wrong.add(
                        "record "
                                + i
                                + ": expected "
                                + expected
                                + ", got "
                                + got
                                + (v.isValid() ? "" : " (" + v.rejection().message() + ")"));
            }
        }
        System.out.println(
                "bad input outcomes: " + outcomes + " (clock " + Timestamps.format(clock) + ")");
        assertThat(wrong).isEmpty();
    }

    @Test
    void duplicatesAreValidReSendsOfAnEarlierRecord() {
        EventValidator validator = new EventValidator();
        assertThat(duplicates).isNotEmpty();
        Map<String, Integer> firstSeen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode dup = duplicates.get((long) i);
            if (dup != null) {
                int original = dup.get("original_ordinal").asInt();
                assertThat(original).isLessThan(i);
                assertThat(lines.get(i)).isEqualTo(lines.get(original));
                assertThat(firstSeen.get(dup.get("event_id").asText())).isEqualTo(original);
                assertThat(validator.validate(lines.get(i), Long.MAX_VALUE / 2).isValid()).isTrue();
            } else if (!badReason.containsKey((long) i)) {
                String id = EventJson.fromBytes(lines.get(i)).eventId;
                assertThat(firstSeen.putIfAbsent(id, i))
                        .as("event_id of record %d seen before", i)
                        .isNull();
            }
        }
    }

    @Test
    void noRecordSpansTwoLines() {
        assertThat(lines.size()).isEqualTo(manifest.get("output").get("records").asLong());
        long oversize =
                lines.stream()
                        .filter(l -> l.length > EventValidator.DEFAULT_MAX_RECORD_BYTES)
                        .count();
        assertThat(oversize)
                .isEqualTo(manifest.get("bad_records_by_kind").get("oversize").asLong());
    }
}

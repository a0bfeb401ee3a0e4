package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's totals equal what the JSONL says, recomputed without the manifest's help. */
class TruthManifestTest {

    @Test
    void totalsEqualCountsRecomputedFromTheJsonl(@TempDir Path dir) {
        Path out = dir.resolve("shop.jsonl");
        SimulatorFixtures.CliResult r =
                SimulatorFixtures.cli(
                        "--seed",
                        "8",
                        "--start",
                        "2026-11-02",
                        "--days",
                        "2",
                        "--visitors-per-day",
                        "300",
                        "--bad-fraction",
                        "0.01",
                        "--incident",
                        "stock-out:product=top3,start=2026-11-03T08:00,hours=12",
                        "--incident",
                        "discount-expired:channel=email,code=NOV15,start=2026-11-03T08:00,hours=10",
                        "--out",
                        out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<byte[]> lines = SimulatorFixtures.lines(out);
        JsonNode m = SimulatorFixtures.json(dir.resolve("shop.truth.json"));

        // The receiver's "now" for record i: the latest event time of the valid records so far, or
        // the next record's, whichever is later (as if it had just arrived with its successors).
        EventValidator validator = new EventValidator();
        long[] occurred = new long[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            try {
                occurred[i] =
                        lines.get(i).length > EventValidator.DEFAULT_MAX_RECORD_BYTES
                                ? Long.MIN_VALUE
                                : EventJson.fromBytes(lines.get(i)).occurredAt;
            } catch (RuntimeException notAnEvent) {
                occurred[i] = Long.MIN_VALUE;
            }
        }
        Map<String, Long> byType = new TreeMap<>();
        Map<String, Long> revenue = new TreeMap<>();
        Map<String, Long> refunded = new TreeMap<>();
        Set<String> ids = new HashSet<>();
        long invalid = 0;
        long duplicates = 0;
        long clock = SimulatorFixtures.at("2026-11-02T00:00");
        for (int i = 0; i < lines.size(); i++) {
            long next = clock;
            for (int j = i + 1; j < lines.size(); j++) {
                if (occurred[j] != Long.MIN_VALUE) {
                    next = occurred[j];
                    break;
                }
            }
            Validation v = validator.validate(lines.get(i), Math.max(clock, next));
            if (!v.isValid()) {
                invalid++;
                continue;
            }
            Event e = v.event();
            clock = Math.max(clock, e.occurredAt);
            if (!ids.add(e.eventId)) {
                duplicates++;
                continue;
            }
            byType.merge(e.eventType.wireName(), 1L, Long::sum);
            if (e.eventType == EventType.ORDER_COMPLETED)
                revenue.merge(e.payload.currency, e.payload.amountMinor, Long::sum);
            if (e.eventType == EventType.REFUND_ISSUED)
                refunded.merge(e.payload.currency, e.payload.amountMinor, Long::sum);
        }

        JsonNode totals = m.get("totals");
        assertThat(toMap(totals.get("events_by_type"))).isEqualTo(byType);
        assertThat(totals.get("sessions").asLong()).isEqualTo(byType.get("session_started"));
        assertThat(totals.get("orders").asLong()).isEqualTo(byType.get("order_completed"));
        assertThat(totals.get("refunds").asLong())
                .isEqualTo(byType.getOrDefault("refund_issued", 0L));
        assertThat(toMap(totals.get("revenue_minor_by_currency"))).isEqualTo(revenue);
        assertThat(toMap(totals.get("refunded_minor_by_currency"))).isEqualTo(refunded);
        JsonNode output = m.get("output");
        assertThat(output.get("records").asLong()).isEqualTo(lines.size());
        assertThat(output.get("bad_records").asLong()).isEqualTo(invalid).isPositive();
        assertThat(output.get("duplicates").asLong()).isEqualTo(duplicates).isPositive();
        assertThat(output.get("valid_events").asLong())
                .isEqualTo(lines.size() - invalid - duplicates);
        assertThat(m.get("seed").asLong()).isEqualTo(8);
        assertThat(m.get("options").get("incidents")).hasSize(2);
        assertThat(r.out())
                .contains(lines.size() + " records")
                .contains(totals.get("orders").asLong() + " orders");
    }

    private static Map<String, Long> toMap(JsonNode object) {
        Map<String, Long> map = new TreeMap<>();
        object.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().asLong()));
        return map;
    }
}

package dev.whyflow.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.EventType;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.Validation;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three weeks at low volume: every event type occurs (refunds come days after orders) and
 * validates.
 */
class SimulatedWeeksTest {

    private static final EventValidator VALIDATOR = new EventValidator().warmUp();

    @Test
    void everyEventTypeOccursOverThreeWeeks() throws IOException {
        Map<EventType, Long> seen = new EnumMap<>(EventType.class);
        List<String> invalid = new ArrayList<>();
        long[] clock = {Long.MIN_VALUE};
        JsonNode manifest =
                SimulatorFixtures.stream(
                        SimulationOptions.of(
                                        5,
                                        LocalDate.parse("2026-10-12"),
                                        21,
                                        100,
                                        "discount-expired:channel=email,code=OCT20,start=2026-10-20T08:00,hours=12,send=0.5")
                                .withHeartbeatMs(0),
                        e -> {
                            byte[] raw = EventJson.toBytes(e);
                            clock[0] = Math.max(clock[0], e.occurredAt);
                            Validation v = VALIDATOR.validate(raw, clock[0]);
                            if (!v.isValid()) invalid.add(v.rejection().toString());
                            seen.merge(e.eventType, 1L, Long::sum);
                        });
        assertThat(invalid).isEmpty();
        // without heartbeats (to keep it quick) there are no page_engaged events, and all others
        // are there
        for (EventType t : EventType.values()) {
            if (t == EventType.PAGE_ENGAGED) assertThat(seen).doesNotContainKey(t);
            else assertThat(seen).as(t.wireName()).containsKey(t);
        }
        assertThat(manifest.get("totals").get("refunds").asLong())
                .isEqualTo(seen.get(EventType.REFUND_ISSUED));
    }
}

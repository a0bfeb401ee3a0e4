package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.SessionSummary;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * A simulated day through CaptureJob's enrichment (the real {@link JourneyEnricher}, catalogue
 * broadcast included, in a test harness): the enriched events and closed sessions CaptureJob writes
 * to its topics, without a cluster.
 */
public final class SimulatedCapture {

    private static final long OUT_OF_ORDERNESS = 5_000;

    public record Output(List<EnrichedEvent> enriched, List<SessionSummary> sessions) {}

    private SimulatedCapture() {}

    public static Output day(long seed, int visitors) throws Exception {
        List<SimulatedData.Record> records =
                SimulatedData.generate(
                                SimulationOptions.of(
                                        seed,
                                        LocalDate.parse("2026-11-02"),
                                        1,
                                        visitors,
                                        "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T09:00,hours=8,load_ms=6500",
                                        "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6"))
                        .records();
        try (var h = JourneyEnricherTest.harness()) {
            long last = Long.MIN_VALUE;
            long watermark = Long.MIN_VALUE;
            for (SimulatedData.Record r : records) {
                Event e = EventJson.fromBytes(r.value());
                if (ProductDimensions.isCatalogEvent(e)) h.processBroadcastElement(e, e.occurredAt);
                h.processElement(e, e.occurredAt);
                last = Math.max(last, e.occurredAt);
                // CaptureJob's bounded out-of-orderness, advanced once a minute: the simulator's
                // late events come out late
                if (last - OUT_OF_ORDERNESS > watermark + 60_000)
                    h.watermark(watermark = last - OUT_OF_ORDERNESS);
            }
            h.watermark(last + Duration.ofHours(2).toMillis());
            var sessions = h.getSideOutput(JourneyEnricher.SESSIONS);
            return new Output(
                    List.copyOf(h.extractOutputValues()),
                    sessions == null
                            ? List.of()
                            : sessions.stream().map(s -> s.getValue()).toList());
        }
    }
}

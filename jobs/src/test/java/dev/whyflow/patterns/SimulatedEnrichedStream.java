package dev.whyflow.patterns;

import dev.whyflow.capture.DeviceNormalizer;
import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventFormatException;
import dev.whyflow.contract.EventJson;
import dev.whyflow.simulator.RecordSink;
import dev.whyflow.simulator.ShopSimulation;
import dev.whyflow.simulator.SimulationOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulator's events as a stand-in for CaptureJob's enriched topic, for the benchmark's load: a
 * small version of CaptureJob's enrichment (the producer's session id, else a new session after 30
 * minutes of a visitor's inactivity; the session's first channel and segment; normalised device, os
 * and browser). Operations and ERP events pass with no session, as CaptureJob leaves them. Not
 * CaptureJob: running it would measure CaptureJob too.
 */
final class SimulatedEnrichedStream {

    private static final long GAP = 30 * 60_000L;

    /** Receives each enriched record: its key (the session) and its bytes. */
    interface Target {
        void accept(String sessionId, byte[] enriched) throws Exception;
    }

    private record Open(String sessionId, long lastAt, String channel, String segment) {}

    private SimulatedEnrichedStream() {}

    /** Runs the simulation and hands every enriched record to {@code target}; returns how many. */
    static long generate(SimulationOptions options, Target target) throws Exception {
        Map<String, Open> visitors = new HashMap<>();
        long[] count = {0};
        RecordSink sink =
                (ordinal, key, value, length) -> {
                    Event e;
                    try {
                        e = EventJson.fromBytes(value, 0, length);
                    } catch (EventFormatException bad) {
                        return; // CaptureJob sends these to the dead-letter topic
                    }
                    EnrichedEvent x = EnrichedEvent.of(e);
                    if (e.actor != null && e.actor.anonymousId != null) {
                        Open o = visitors.get(e.actor.anonymousId);
                        String producerSession = e.actor.sessionId;
                        if (o == null
                                || (producerSession != null
                                        ? !producerSession.equals(o.sessionId())
                                        : e.occurredAt - o.lastAt() > GAP)) {
                            String segment =
                                    e.context != null && e.context.customerSegment != null
                                            ? e.context.customerSegment
                                            : "new";
                            o =
                                    new Open(
                                            producerSession != null
                                                    ? producerSession
                                                    : "s-" + e.eventId,
                                            e.occurredAt,
                                            e.context == null ? null : e.context.channel,
                                            segment);
                        }
                        visitors.put(
                                e.actor.anonymousId,
                                new Open(
                                        o.sessionId(),
                                        Math.max(o.lastAt(), e.occurredAt),
                                        o.channel(),
                                        o.segment()));
                        x.sessionId = o.sessionId();
                        x.firstTouchChannel = o.channel();
                        x.customerSegment = o.segment();
                        DeviceNormalizer.apply(e.context, x);
                    }
                    try {
                        target.accept(x.sessionId, EnrichedEventJson.toBytes(x));
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    count[0]++;
                };
        new ShopSimulation(options).run(sink);
        return count[0];
    }
}

package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;

/**
 * What one enriched event contributes to its metrics_1m row: the row's dimensions and the event's
 * measures, and nothing else. The rollup is keyed by dimensions, so every event crosses the network
 * once more on its way to its window; this is what crosses, not the whole event. A Flink POJO.
 */
public class MetricSample {

    public String eventType;
    public String device;
    public String os;
    public String appVersion;
    public String channel;
    public String country;
    public String category;
    public String paymentMethod;
    public String currency;
    public String sessionId;
    public long amountMinor;
    public Integer pageLoadMs;

    public MetricSample() {}

    public static MetricSample of(EnrichedEvent e) {
        MetricSample s = new MetricSample();
        s.eventType = e.event.eventType.wireName();
        s.device = MetricRow.nz(e.device);
        s.os = MetricRow.nz(e.os);
        s.appVersion = MetricRow.nz(MetricRow.appVersion(e));
        s.channel = MetricRow.nz(MetricRow.channel(e));
        s.country = MetricRow.nz(MetricRow.country(e));
        s.category = MetricRow.nz(e.category);
        s.paymentMethod = MetricRow.nz(e.paymentMethod);
        s.currency = MetricRow.nz(MetricRow.currency(e));
        s.sessionId = e.sessionId;
        s.amountMinor =
                e.event.payload == null || e.event.payload.amountMinor == null
                        ? 0
                        : e.event.payload.amountMinor;
        s.pageLoadMs = e.event.context == null ? null : e.event.context.pageLoadMs;
        return s;
    }

    /** The row's dimensions as one key (without the minute). */
    public String dimensionKey() {
        return String.join(
                "|",
                eventType,
                device,
                os,
                appVersion,
                channel,
                country,
                category,
                paymentMethod,
                currency);
    }
}

package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import java.util.Arrays;
import java.util.Objects;

/**
 * One metrics_1m row: a minute, a combination of dimensions, and what happened in it. A Flink POJO.
 */
public class MetricRow {

    /**
     * Upper bounds (ms) of the page-load histogram; the same as the SQL function
     * page_load_buckets_ms().
     */
    public static final int[] PAGE_LOAD_BUCKETS_MS = {
        100,
        200,
        300,
        500,
        750,
        1000,
        1500,
        2000,
        3000,
        4000,
        5000,
        7500,
        10000,
        15000,
        30000,
        Integer.MAX_VALUE
    };

    public long bucket;
    public String eventType;
    public String device = "";
    public String os = "";
    public String appVersion = "";
    public String channel = "";
    public String country = "";
    public String category = "";
    public String paymentMethod = "";
    public String currency = "";
    public long events;
    public long sessions;
    public long amountMinor;
    public long pageLoadCount;
    public long pageLoadSumMs;
    public Integer pageLoadMaxMs;
    public long[] pageLoadHist;

    public MetricRow() {}

    static String appVersion(EnrichedEvent e) {
        return e.event.context == null ? null : e.event.context.appVersion;
    }

    static String channel(EnrichedEvent e) {
        if (e.firstTouchChannel != null) return e.firstTouchChannel;
        return e.event.context == null ? null : e.event.context.channel;
    }

    static String country(EnrichedEvent e) {
        return e.event.context == null ? null : e.event.context.country;
    }

    static String currency(EnrichedEvent e) {
        return e.event.payload == null ? null : e.event.payload.currency;
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }

    static int histogramBucket(int ms) {
        for (int i = 0; i < PAGE_LOAD_BUCKETS_MS.length; i++) {
            if (ms <= PAGE_LOAD_BUCKETS_MS[i]) return i;
        }
        return PAGE_LOAD_BUCKETS_MS.length - 1;
    }

    public String key() {
        return bucket
                + "|"
                + String.join(
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

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricRow m
                && key().equals(m.key())
                && events == m.events
                && sessions == m.sessions
                && amountMinor == m.amountMinor
                && pageLoadCount == m.pageLoadCount
                && pageLoadSumMs == m.pageLoadSumMs
                && Objects.equals(pageLoadMaxMs, m.pageLoadMaxMs)
                && Arrays.equals(pageLoadHist, m.pageLoadHist);
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return "MetricRow["
                + key()
                + " events="
                + events
                + " sessions="
                + sessions
                + " amount="
                + amountMinor
                + "]";
    }
}

package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import java.time.Duration;
import java.util.HashSet;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Per-minute rollups of enriched events by event type and dimensions (event-time tumbling windows
 * keyed by {@link MetricSample#dimensionKey}). Each event is reduced to its {@link MetricSample}
 * where it is (a chained map) before the shuffle to its window. With allowed lateness a late event
 * re-fires its window and the complete, corrected row replaces the old one in metrics_1m.
 *
 * <p>Events flagged {@link EnrichedEvent#late} upstream are left out (a chained filter), so that
 * every event is counted exactly once: in metrics_1m if not flagged, else as a {@code late} row of
 * the events table, which the query templates add to the rollups. A window silently drops an event
 * once {@code maxTimestamp + L <= W_window}; which events that hits depends on how far the
 * watermark has jumped (idle partitions, uneven reads in a backfill), so it differs between runs.
 * The upstream flag is {@code occurredAt + L <= W_upstream}. An event not flagged satisfies {@code
 * occurredAt + L > W_upstream >= W_window}: watermarks only advance along a channel, and an
 * operator's watermark is the minimum over its inputs, so when the event reaches its window that
 * window's watermark is no further than the one it was judged by; and {@code occurredAt <=
 * maxTimestamp}, so the window is not late and keeps it. Filtering the flagged ones here makes the
 * split exact whether or not the window would still have accepted them.
 */
public final class MinuteRollup {

    private MinuteRollup() {}

    /** The rollup over an enriched stream: one row per minute and dimension combination. */
    public static SingleOutputStreamOperator<MetricRow> of(
            DataStream<EnrichedEvent> enriched, Duration allowedLateness) {
        return enriched.filter(new NotLate())
                .name("not late")
                .uid("rollup-not-late")
                .map(MetricSample::of)
                .name("metric samples")
                .uid("metric-samples")
                .keyBy(MetricSample::dimensionKey)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .allowedLateness(allowedLateness)
                .aggregate(new Aggregate(), new ToRow());
    }

    /**
     * Keeps the events counted by the rollup: those not flagged late upstream (stored, and queried,
     * as late rows).
     */
    public static final class NotLate implements FilterFunction<EnrichedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(EnrichedEvent e) {
            return !e.late;
        }
    }

    /** The running totals of one window. A Flink POJO (the session set falls back to Kryo). */
    public static class Totals {
        public MetricSample first;
        public long events;
        public HashSet<String> sessions = new HashSet<>();
        public long amountMinor;
        public long pageLoadCount;
        public long pageLoadSumMs;
        public Integer pageLoadMaxMs;
        public long[] hist;

        public Totals() {}
    }

    public static final class Aggregate implements AggregateFunction<MetricSample, Totals, Totals> {
        private static final long serialVersionUID = 1L;

        @Override
        public Totals createAccumulator() {
            return new Totals();
        }

        @Override
        public Totals add(MetricSample e, Totals t) {
            if (t.first == null) t.first = e;
            t.events++;
            if (e.sessionId != null) t.sessions.add(e.sessionId);
            t.amountMinor += e.amountMinor;
            Integer load = e.pageLoadMs;
            if (load != null) {
                t.pageLoadCount++;
                t.pageLoadSumMs += load;
                t.pageLoadMaxMs = t.pageLoadMaxMs == null ? load : Math.max(t.pageLoadMaxMs, load);
                if (t.hist == null) t.hist = new long[MetricRow.PAGE_LOAD_BUCKETS_MS.length];
                t.hist[MetricRow.histogramBucket(load)]++;
            }
            return t;
        }

        @Override
        public Totals getResult(Totals t) {
            return t;
        }

        @Override
        public Totals merge(Totals a, Totals b) {
            if (a.first == null) a.first = b.first;
            a.events += b.events;
            a.sessions.addAll(b.sessions);
            a.amountMinor += b.amountMinor;
            a.pageLoadCount += b.pageLoadCount;
            a.pageLoadSumMs += b.pageLoadSumMs;
            if (b.pageLoadMaxMs != null)
                a.pageLoadMaxMs =
                        a.pageLoadMaxMs == null
                                ? b.pageLoadMaxMs
                                : Math.max(a.pageLoadMaxMs, b.pageLoadMaxMs);
            if (b.hist != null) {
                if (a.hist == null) a.hist = new long[b.hist.length];
                for (int i = 0; i < b.hist.length; i++) a.hist[i] += b.hist[i];
            }
            return a;
        }
    }

    /** Names the window's minute and copies the dimensions from its first event. */
    public static final class ToRow
            extends ProcessWindowFunction<Totals, MetricRow, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context ctx, Iterable<Totals> totals, Collector<MetricRow> out) {
            Totals t = totals.iterator().next();
            MetricSample e = t.first;
            MetricRow r = new MetricRow();
            r.bucket = ctx.window().getStart();
            r.eventType = e.eventType;
            r.device = e.device;
            r.os = e.os;
            r.appVersion = e.appVersion;
            r.channel = e.channel;
            r.country = e.country;
            r.category = e.category;
            r.paymentMethod = e.paymentMethod;
            r.currency = e.currency;
            r.events = t.events;
            r.sessions = t.sessions.size();
            r.amountMinor = t.amountMinor;
            r.pageLoadCount = t.pageLoadCount;
            r.pageLoadSumMs = t.pageLoadSumMs;
            r.pageLoadMaxMs = t.pageLoadMaxMs;
            r.pageLoadHist = t.hist;
            out.collect(r);
        }
    }
}

package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void everyTypeRoundTripsToAnEqualEventAndIdenticalBytes() throws Exception {
        EventJson.Writer writer = new EventJson.Writer();
        for (Event e : SampleEvents.all()) {
            byte[] bytes = EventJson.toBytes(e);
            Event back = EventJson.fromBytes(bytes);
            assertThat(back).as(e.eventType.wireName()).isEqualTo(e);
            assertThat(EventJson.toBytes(back)).isEqualTo(bytes);
            assertThat(writer.toBytes(e)).isEqualTo(bytes);
            assertThat(EventJson.fromTree(EventJson.mapper().readTree(bytes))).isEqualTo(e);
        }
    }

    @Test
    void writesExactlyTheWireFormat() {
        Event e =
                Event.of(
                        EventType.PAYMENT_FAILED,
                        "0f8fad5b-d9cb-469f-a165-70867728950e",
                        Timestamps.parse("2026-11-02T10:15:30.123Z"),
                        "payments");
        e.causedBy = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        e.correlationId = "chk-42";
        e.actor = new Actor(null, "a-1", "s-1");
        e.context = new EventContext();
        e.context.device = "mobile";
        e.context.os = "android";
        e.context.pageLoadMs = 0;
        e.entity = new Entity("payment", "pay-9");
        e.payload.method = "paypal";
        e.payload.failureCode = "timeout";
        e.payload.amountMinor = 4_999L;
        e.payload.currency = "EUR";
        e.payload.attempt = 1;
        assertThat(EventJson.toJson(e))
                .isEqualTo(
                        "{\"event_id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
                                + "\"event_type\":\"payment_failed\",\"schema_version\":1,\"occurred_at\":\"2026-11-02T10:15:30.123Z\","
                                + "\"source\":\"payments\",\"correlation_id\":\"chk-42\",\"caused_by\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\","
                                + "\"actor\":{\"anonymous_id\":\"a-1\",\"session_id\":\"s-1\"},"
                                + "\"context\":{\"device\":\"mobile\",\"os\":\"android\",\"page_load_ms\":0},"
                                + "\"entity\":{\"type\":\"payment\",\"id\":\"pay-9\"},"
                                + "\"payload\":{\"amount_minor\":4999,\"currency\":\"EUR\",\"method\":\"paypal\",\"attempt\":1,"
                                + "\"failure_code\":\"timeout\"}}");
    }

    @Test
    void writesNoNullsAndNoNewlines() {
        for (Event e : SampleEvents.all()) {
            String json = EventJson.toJson(e);
            assertThat(json).doesNotContain("null").doesNotContain("\n");
        }
    }

    @Test
    void nonAsciiTextIsUtf8() {
        Event e = SampleEvents.of(EventType.PRODUCT_VIEWED);
        byte[] bytes = EventJson.toBytes(e);
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains("Trail runner \\\"Föhn\\\" GTX");
        assertThat(EventJson.fromBytes(bytes).payload.productName)
                .isEqualTo("Trail runner \"Föhn\" GTX");
    }

    @Test
    void readsNonCanonicalButValidTimestamps() {
        assertThat(Timestamps.parse("2026-11-02T10:15:30Z"))
                .isEqualTo(Timestamps.parse("2026-11-02T10:15:30.000Z"));
        assertThat(Timestamps.parse("2026-11-02T10:15:30.1239Z"))
                .isEqualTo(Timestamps.parse("2026-11-02T10:15:30.123Z"));
        assertThatThrownBy(() -> Timestamps.parse("2026-11-02T10:15:30.123+01:00"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Timestamps.parse("2026-02-30T10:15:30.123Z"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Timestamps.parse("yesterday"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timestampArithmeticAgreesWithJavaTime() {
        DateTimeFormatter iso =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                        .withZone(ZoneOffset.UTC);
        SplittableRandom rnd = new SplittableRandom(7);
        long min = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
        long max = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 200_000; i++) {
            long t = i < 1000 ? i * 86_400_000L * 366 / 7 - 1 : rnd.nextLong(min, max);
            String s = Timestamps.format(t);
            assertThat(s).isEqualTo(iso.format(Instant.ofEpochMilli(t)));
            assertThat(Timestamps.parse(s)).isEqualTo(t);
        }
    }

    @Test
    void refusesWhatCannotBeAnEvent() {
        String ok = EventJson.toJson(SampleEvents.of(EventType.PAGE_VIEWED));
        assertThatThrownBy(() -> EventJson.fromJson("[1,2]"))
                .isInstanceOf(EventFormatException.class);
        assertThatThrownBy(
                        () ->
                                EventJson.fromJson(
                                        ok.replace(
                                                "\"payload\":{",
                                                "\"payload\":{\"colour\":\"red\",")))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("payload.colour");
        assertThatThrownBy(
                        () ->
                                EventJson.fromJson(
                                        ok.replace(
                                                "\"page_load_ms\":1240",
                                                "\"page_load_ms\":\"1240\"")))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("page_load_ms");
        assertThatThrownBy(() -> EventJson.fromJson(ok.replace("page_viewed", "page_teleported")))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("unknown event_type");
        assertThatThrownBy(() -> EventJson.fromJson(ok + "{}"))
                .isInstanceOf(EventFormatException.class);
        assertThatThrownBy(() -> EventJson.fromJson(ok.substring(0, ok.length() - 3)))
                .isInstanceOf(EventFormatException.class);
    }

    @Test
    void partitionKeyPrefersSessionThenDeviceThenCustomerId() {
        Event e = SampleEvents.of(EventType.PAGE_VIEWED);
        assertThat(e.partitionKey()).isEqualTo("s-77aa01");
        e.actor.sessionId = null;
        // an app's events keep one key when the customer logs in half-way
        assertThat(e.partitionKey()).isEqualTo("a-8d3b7e21");
        e.actor.anonymousId = null;
        assertThat(e.partitionKey()).isEqualTo("C00012345");
        e.actor = null;
        assertThat(e.partitionKey()).as("system events: their entity").isEqualTo(e.entity.id);
    }
}

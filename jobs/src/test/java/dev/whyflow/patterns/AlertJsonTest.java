package dev.whyflow.patterns;

import static dev.whyflow.patterns.ShopJourney.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.Goldens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The published format: what is written reads back the same, and the table's details are the
 * topic's.
 */
class AlertJsonTest {

    /** An alert of four families, in a fixed order, each emitted 1.234 s after its detection. */
    static List<Alert> someAlerts() throws Exception {
        List<Alert> out = new ArrayList<>();
        ShopJourney checkout =
                ShopJourney.session("s1")
                        .segment("vip")
                        .checkout(0, 30_000)
                        .page(1, "checkout_shipping", 6_500)
                        .step(4, "shipping", 200_000)
                        .fail(5, "paypal", "timeout", 30_000);
        try (PatternHarness h =
                PatternHarness.of(new CheckoutAbandonmentPattern(Duration.ofMinutes(15), 20_000))) {
            out.addAll(h.feed(checkout.journey()).watermark(at(60)).alerts());
        }
        try (PatternHarness h =
                PatternHarness.of(
                        new CheckoutHesitationPattern(
                                Duration.ofMinutes(3), Duration.ofMinutes(15)))) {
            out.addAll(h.feed(checkout.journey()).watermark(at(60)).alerts());
        }
        ShopJourney guest = ShopJourney.guest("s2");
        for (int i = 0; i < 3; i++) guest.fail(i, "card", "card_declined", 1_000);
        try (PatternHarness h =
                PatternHarness.of(new PaymentFailureStreakPattern(3, Duration.ofMinutes(10)))) {
            out.addAll(h.feed(guest.journey()).watermark(at(60)).alerts());
        }
        out.add(paymentMethodFailures(guest));
        out.forEach(a -> a.emittedAt = a.detectedAt + 1_234);
        assertThat(out)
                .extracting(a -> a.pattern)
                .containsExactlyInAnyOrder(
                        AlertPattern.CHECKOUT_ABANDONMENT,
                        AlertPattern.CHECKOUT_HESITATION,
                        AlertPattern.PAYMENT_FAILURE_STREAK,
                        AlertPattern.PAYMENT_METHOD_FAILURES);
        return out;
    }

    /** The card failures of {@code journey} (and an order paid by card) counted by method. */
    private static Alert paymentMethodFailures(ShopJourney journey) throws Exception {
        List<JourneyEvent> events = new ArrayList<>(journey.journey());
        events.addAll(ShopJourney.session("s3").order(4, 1_000, "card").journey());
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new PaymentMethodFailures(
                                        Duration.ofMinutes(15), 3, 0.5, Duration.ofDays(1))),
                        new PaymentMethodFailures.ByMethod(),
                        Types.STRING)) {
            h.open();
            for (JourneyEvent e : events) h.processElement(new StreamRecord<>(e, e.occurredAt));
            h.processWatermark(new Watermark(at(60)));
            Alert a = h.extractOutputValues().get(0);
            assertThat(a.details.failureShare).isEqualTo(0.75);
            AlertAssertions.assertValid(a);
            return a;
        }
    }

    @Test
    void whatIsWrittenReadsBackTheSame() throws Exception {
        for (Alert a : someAlerts()) {
            assertThat(AlertJson.fromBytes(AlertJson.toBytes(a))).isEqualTo(a);
        }
    }

    /** Field for field what the hand-written codec wrote for the same alerts (alerts.v1.jsonl). */
    @Test
    void theFormatIsTheOneTheHandWrittenCodecWrote() throws Exception {
        List<Alert> alerts = someAlerts();
        List<String> golden = Goldens.lines("alerts.v1.jsonl");
        assertThat(alerts).hasSameSizeAs(golden);
        for (int i = 0; i < alerts.size(); i++) {
            assertThat(Goldens.tree(AlertJson.toBytes(alerts.get(i))))
                    .isEqualTo(Goldens.tree(golden.get(i)));
            assertThat(AlertJson.fromBytes(golden.get(i).getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(alerts.get(i));
        }
    }

    @Test
    void theTablesDetailsAreTheTopicsDetailsAndAbsentValuesAreLeftOut() throws Exception {
        for (Alert a : someAlerts()) {
            JsonNode record = EventJson.mapper().readTree(AlertJson.toBytes(a));
            assertThat(EventJson.mapper().readTree(AlertJson.detailsJson(a)))
                    .isEqualTo(record.get("details"));
            record.fields()
                    .forEachRemaining(
                            f -> assertThat(f.getValue().isNull()).as(f.getKey()).isFalse());
        }
    }

    @Test
    void theIdDependsOnTheFamilyAndTheEvidenceOnly() {
        String[] evidence = {"e1", "e2"};
        assertThat(Alert.id(AlertPattern.CART_ABANDONMENT, evidence))
                .hasSize(32)
                .matches("[0-9a-f]{32}")
                .isEqualTo(Alert.id(AlertPattern.CART_ABANDONMENT, "e1", "e2"))
                .isNotEqualTo(Alert.id(AlertPattern.CHECKOUT_ABANDONMENT, evidence))
                .isNotEqualTo(Alert.id(AlertPattern.CART_ABANDONMENT, "e2", "e1"))
                .isNotEqualTo(Alert.id(AlertPattern.CART_ABANDONMENT, "e1e2"));
    }

    /**
     * The schemas are a contract consumers rely on, so they must refuse what breaks it, not only
     * accept what the job writes: each change below makes a valid alert of every family invalid.
     */
    @Test
    void theSchemasRefuseWhatBreaksTheContract() throws Exception {
        AlertSchemas schemas = new AlertSchemas();
        Map<String, Consumer<ObjectNode>> breaks =
                Map.of(
                        "another family's pattern",
                                a ->
                                        a.put(
                                                "pattern",
                                                a.path("pattern").asText().equals("cart_indecision")
                                                        ? "cart_abandonment"
                                                        : "cart_indecision"),
                        "a field the contract lacks", a -> a.put("discount_code", "X"),
                        "a detail the family lacks",
                                a -> ((ObjectNode) a.path("details")).put("note", "x"),
                        "no alert_id", a -> a.remove("alert_id"),
                        "an alert_id that is no 32-hex-digit id",
                                a -> a.put("alert_id", "not-an-id"),
                        "detected_at that is no timestamp", a -> a.put("detected_at", "yesterday"),
                        "no evidence", a -> a.putArray("matched_event_ids"),
                        "an unknown severity", a -> a.put("severity", "catastrophic"),
                        "a later schema version", a -> a.put("schema_version", 2));
        for (Alert alert : someAlerts()) {
            for (var b : breaks.entrySet()) {
                ObjectNode node =
                        (ObjectNode) EventJson.mapper().readTree(AlertJson.toBytes(alert));
                b.getValue().accept(node);
                assertThat(schemas.schema(alert.pattern, 1).validate(node))
                        .as("%s alert with %s", alert.pattern.wireName(), b.getKey())
                        .isNotEmpty();
            }
        }
        // a journey family's alert names its session
        ObjectNode abandonment =
                (ObjectNode) EventJson.mapper().readTree(AlertJson.toBytes(someAlerts().get(0)));
        assertThat(abandonment.path("pattern").asText()).isEqualTo("checkout_abandonment");
        abandonment.remove("session_id");
        assertThat(schemas.schema(AlertPattern.CHECKOUT_ABANDONMENT, 1).validate(abandonment))
                .isNotEmpty();
    }
}

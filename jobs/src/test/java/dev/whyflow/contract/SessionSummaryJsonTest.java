package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionSummaryJsonTest {

    @Test
    void aClosedSessionReadsBackAsWritten() {
        SessionSummary s = new SessionSummary();
        s.sessionId = "s-1";
        s.startedAt = 1_793_000_000_000L;
        s.endedAt = s.startedAt + 95_000;
        s.events = 12;
        s.outcome = "checkout_abandoned";
        s.furthestStep = "checkout";
        s.os = "android";
        s.checkoutPageLoadMs = 6_500;
        s.productsViewed = List.of("p-7", "p-2");
        s.narrative =
                "Returning customer on mobile android app 5.4.0. Outcome: checkout abandoned.";
        byte[] json = SessionSummaryJson.toBytes(s);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .startsWith("{\"schema_version\":2,")
                .contains(
                        "\"session_id\":\"s-1\"",
                        "\"checkout_page_load_ms\":6500",
                        "\"products_viewed\":[\"p-7\",\"p-2\"]",
                        "\"customer_id\":null");
        SessionSummary back = SessionSummaryJson.fromBytes(json);
        assertThat(back).isEqualTo(s);
        assertThat(back.os).isEqualTo("android");
        assertThat(back.checkoutPageLoadMs).isEqualTo(6_500);
        assertThat(back.productsViewed).containsExactly("p-7", "p-2");
    }

    @Test
    void readersIgnoreNewFieldsAndRefuseWhatIsNotASession() {
        assertThat(
                        SessionSummaryJson.fromBytes(
                                        "{\"schema_version\":2,\"session_id\":\"s\",\"narrative\":\"n\",\"later\":1}"
                                                .getBytes(StandardCharsets.UTF_8))
                                .narrative)
                .isEqualTo("n");
        assertThatThrownBy(
                        () ->
                                SessionSummaryJson.fromBytes(
                                        "{\"session_id\":\"s\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
        assertThatThrownBy(
                        () -> SessionSummaryJson.fromBytes("[1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
    }

    /**
     * Closed sessions of a simulated day as the version-1 writer wrote them
     * (session_summary.v1.jsonl) still read, and write back the same but for the version and the
     * products, now a list.
     */
    @Test
    void version1RecordsReadWithTheirCommaJoinedProductsAsAList() {
        List<String> golden = Goldens.lines("session_summary.v1.jsonl");
        assertThat(golden).hasSizeGreaterThan(5);
        for (String line : golden) {
            ObjectNode expected = (ObjectNode) Goldens.tree(line);
            String products = expected.get("products_viewed").asText();
            ArrayNode list = expected.putArray("products_viewed");
            if (!products.isEmpty()) for (String id : products.split(",")) list.add(id);
            expected.put("schema_version", 2);
            JsonNode written =
                    Goldens.tree(
                            SessionSummaryJson.toBytes(
                                    SessionSummaryJson.fromBytes(
                                            line.getBytes(StandardCharsets.UTF_8))));
            assertThat(written).isEqualTo(expected);
        }
        assertThat(golden)
                .anyMatch(l -> Goldens.tree(l).get("products_viewed").asText().contains(","));
    }
}

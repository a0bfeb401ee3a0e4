package dev.whyflow.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBatchTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> split(String body, EventBatch.Format f, int max) throws Exception {
        return EventBatch.split(b(body), f, max).stream()
                .map(x -> new String(x, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void anArrayIsCutIntoItsElementsAsSent() throws Exception {
        assertThat(
                        split(
                                " [ {\"a\": [1, {\"b\":\"]\"}]} ,\n42, \"x\", {\"c\" : {}} ] ",
                                EventBatch.Format.JSON,
                                10))
                .containsExactly("{\"a\": [1, {\"b\":\"]\"}]}", "42", "\"x\"", "{\"c\" : {}}");
        assertThat(split("{\"one\": 1}", EventBatch.Format.JSON, 10))
                .containsExactly("{\"one\": 1}");
    }

    @Test
    void jsonLinesAreCutAtNewlinesAndABrokenLineIsStillAnEvent() throws Exception {
        assertThat(split("{\"a\":1}\r\n\n  \n{broken\n{\"b\":2}", EventBatch.Format.JSON_LINES, 10))
                .containsExactly("{\"a\":1}", "{broken", "{\"b\":2}");
    }

    @Test
    void tooManyEventsAndBrokenArraysAreBadRequests() {
        assertThatThrownBy(() -> split("[1,2,3]", EventBatch.Format.JSON, 2))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(413));
        assertThatThrownBy(() -> split("1\n2\n3", EventBatch.Format.JSON_LINES, 2))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(413));
        assertThatThrownBy(() -> split("[{\"a\":1}", EventBatch.Format.JSON, 5))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> split("[] []", EventBatch.Format.JSON, 5))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> split("[]", EventBatch.Format.JSON, 5))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> split("\"x\"", EventBatch.Format.JSON, 5))
                .isInstanceOfSatisfying(
                        EventBatch.BadRequest.class, e -> assertThat(e.status).isEqualTo(400));
    }

    @Test
    void theKeysSourceIsAddedOnlyWhereNoneIsGiven() {
        assertThat(
                        new String(
                                EventBatch.withSource(
                                        b("{\"a\":{\"source\":1}}"), "storefront-web"),
                                StandardCharsets.UTF_8))
                .isEqualTo("{\"source\":\"storefront-web\",\"a\":{\"source\":1}}");
        assertThat(new String(EventBatch.withSource(b(" { } "), "erp"), StandardCharsets.UTF_8))
                .isEqualTo(" {\"source\":\"erp\" } ");
        assertThat(
                        new String(
                                EventBatch.withSource(b("{\"x\":1,\"source\":\"ops\"}"), "erp"),
                                StandardCharsets.UTF_8))
                .isEqualTo("{\"x\":1,\"source\":\"ops\"}");
        assertThat(new String(EventBatch.withSource(b("{broken"), "erp"), StandardCharsets.UTF_8))
                .isEqualTo("{broken");
        assertThat(new String(EventBatch.withSource(b("[1]"), "erp"), StandardCharsets.UTF_8))
                .isEqualTo("[1]");
    }

    @Test
    void sniffingTellsAnArrayFromLines() {
        assertThat(EventBatch.sniff(b("  \n[{}]"))).isEqualTo(EventBatch.Format.JSON);
        assertThat(EventBatch.sniff(b("{}\n{}"))).isEqualTo(EventBatch.Format.JSON_LINES);
    }
}

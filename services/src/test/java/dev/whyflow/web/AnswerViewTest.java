package dev.whyflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The chart follows the answer's shape, in display units, and the evidence's SQL comes along. */
class AnswerViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode chart(String intent, String figures) throws Exception {
        return AnswerView.chart(
                JSON.readTree("{\"intent\":\"" + intent + "\",\"figures\":[" + figures + "]}"));
    }

    private static String fig(String name, String value, String unit) {
        return "{\"name\":\"" + name + "\",\"value\":" + value + ",\"unit\":\"" + unit + "\"}";
    }

    @Test
    void aTrendIsALineInTheCurrencyWithTheMostPoints() throws Exception {
        JsonNode c =
                chart(
                        "trend",
                        String.join(
                                ",",
                                fig("revenue_minor.CHF@2026-11-02", "100", "minor_units:CHF"),
                                fig("revenue_minor.EUR@2026-11-02", "12345", "minor_units:EUR"),
                                fig("revenue_minor.EUR@2026-11-03", "200", "minor_units:EUR"),
                                fig("revenue_minor.EUR", "12545", "minor_units:EUR")));
        assertThat(c.path("kind").asText()).isEqualTo("line");
        assertThat(c.path("unit").asText()).isEqualTo("EUR");
        assertThat(c.path("labels").toString()).isEqualTo("[\"2026-11-02\",\"2026-11-03\"]");
        assertThat(c.path("series").path(0).path("values").toString()).isEqualTo("[123.45,2.0]");
    }

    @Test
    void eachShapeItsChart() throws Exception {
        assertThat(
                        chart(
                                        "aggregate",
                                        fig("orders", "10", "count")
                                                + ","
                                                + fig("orders[ios]", "4", "count")
                                                + ","
                                                + fig("orders[android]", "6", "count"))
                                .path("kind")
                                .asText())
                .isEqualTo("bars");
        assertThat(
                        chart(
                                        "top_n",
                                        fig("revenue_minor.EUR[p-1]", "9", "minor_units:EUR")
                                                + ","
                                                + fig(
                                                        "revenue_minor.EUR[p-2]",
                                                        "5",
                                                        "minor_units:EUR"))
                                .path("kind")
                                .asText())
                .isEqualTo("ranked_bars");
        JsonNode funnel =
                chart(
                        "funnel",
                        fig("funnel.cart", "50", "count")
                                + ","
                                + fig("funnel.sessions", "100", "count")
                                + ","
                                + fig("funnel.order", "5", "count")
                                + ","
                                + fig("conversion_rate", "0.05", "ratio"));
        assertThat(funnel.path("kind").asText()).isEqualTo("funnel");
        assertThat(funnel.path("labels").toString()).isEqualTo("[\"sessions\",\"cart\",\"order\"]");
        JsonNode compared =
                chart(
                        "diagnose",
                        fig("conversion_rate", "0.02", "ratio")
                                + ","
                                + fig("conversion_rate.previous", "0.03", "ratio")
                                + ","
                                + fig("conversion_rate.same_weekday_last_week", "0.031", "ratio")
                                + ","
                                + fig("conversion_rate.change", "-0.01", "ratio"));
        assertThat(compared.path("kind").asText()).isEqualTo("paired_bars");
        assertThat(compared.path("unit").asText()).isEqualTo("%");
        assertThat(compared.path("series").size()).isEqualTo(3);
        assertThat(compared.path("series").path(1).path("values").path(0).asDouble())
                .isEqualTo(3.0);
        assertThat(chart("aggregate", fig("orders", "10", "count")).path("kind").asText())
                .isEqualTo("none");
        assertThat(chart("unanswerable", "").path("kind").asText()).isEqualTo("none");
    }

    @Test
    void theEvidenceTemplatesTextComesAlongAndNothingOutsideTheTemplates() throws Exception {
        ObjectNode answer =
                (ObjectNode)
                        JSON.readTree(
                                "{\"intent\":\"alerts\",\"figures\":[],\"evidence\":["
                                        + "{\"claim\":\"a\",\"template_id\":\"alerts_by_pattern\",\"parameters\":{},\"rows\":[]},"
                                        + "{\"claim\":\"b\",\"template_id\":\"../../../etc/passwd\",\"parameters\":{},\"rows\":[]}]}");
        JsonNode out = AnswerView.decorate(answer);
        assertThat(out.path("templates").path("alerts_by_pattern").asText())
                .containsIgnoringCase("select");
        assertThat(out.path("templates").has("../../../etc/passwd")).isFalse();
    }
}

package dev.whyflow.capture;

import dev.whyflow.contract.EventFormatException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        s.narrative = "Returning customer on mobile android app 5.4.0. Outcome: checkout abandoned.";
        byte[] json = SessionSummaryJson.toBytes(s);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .startsWith("{\"schema_version\":1,").contains("\"session_id\":\"s-1\"", "\"checkout_page_load_ms\":6500");
        SessionSummary back = SessionSummaryJson.fromBytes(json);
        assertThat(back).isEqualTo(s);
        assertThat(back.os).isEqualTo("android");
        assertThat(back.checkoutPageLoadMs).isEqualTo(6_500);
    }

    @Test
    void readersIgnoreNewFieldsAndRefuseWhatIsNotASession() {
        assertThat(SessionSummaryJson.fromBytes("{\"schema_version\":2,\"session_id\":\"s\",\"narrative\":\"n\",\"later\":1}"
                .getBytes(StandardCharsets.UTF_8)).narrative).isEqualTo("n");
        assertThatThrownBy(() -> SessionSummaryJson.fromBytes("{\"session_id\":\"s\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
        assertThatThrownBy(() -> SessionSummaryJson.fromBytes("[1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventFormatException.class);
    }
}

package dev.whyflow.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpstreamRefusalTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKnownReasonIsARefusalWithItsMessage() {
        assertThat(UpstreamRefusal.of(b("FUTURE_TIMESTAMP"), b("an hour ahead")))
                .isEqualTo(new Rejection(RejectReason.FUTURE_TIMESTAMP, "an hour ahead"));
        assertThat(UpstreamRefusal.of(b("SCHEMA_VIOLATION"), null).reason())
                .isEqualTo(RejectReason.SCHEMA_VIOLATION);
    }

    @Test
    void noHeaderOrAnUnknownReasonLeavesTheRecordToTheValidator() {
        assertThat(UpstreamRefusal.of(null, b("x"))).isNull();
        assertThat(UpstreamRefusal.of(b("NOT_A_REASON"), b("x"))).isNull();
        assertThat(UpstreamRefusal.of(b("schema_violation"), b("x"))).isNull();
    }
}

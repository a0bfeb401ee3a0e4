package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IncidentSpecTest {

    @Test
    void parsesEveryKind() {
        Incident.SlowCheckout s =
                (Incident.SlowCheckout)
                        Incident.parse(
                                "slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500");
        assertThat(s.platform()).isEqualTo(Platform.ANDROID);
        assertThat(s.release()).isEqualTo("5.4.0");
        assertThat(s.start()).isEqualTo(at("2026-11-03T09:00"));
        assertThat(s.end()).isEqualTo(at("2026-11-03T17:00"));
        assertThat(s.loadMs()).isEqualTo(6500);
        assertThat(s.adoptionHours()).isEqualTo(3);

        Incident.PaymentFailure p =
                (Incident.PaymentFailure)
                        Incident.parse(
                                "payment-failure:method=klarna,rate=0.5,start=2026-11-03T12:30:00Z,hours=1.5");
        assertThat(p.method()).isEqualTo("klarna");
        assertThat(p.rate()).isEqualTo(0.5);
        assertThat(p.end() - p.start()).isEqualTo(90 * 60_000L);

        Incident.StockOut o =
                (Incident.StockOut)
                        Incident.parse("stock-out:product=WF-SHO-10001,start=2026-11-03");
        assertThat(o.product()).isEqualTo("WF-SHO-10001");
        assertThat(o.start()).isEqualTo(at("2026-11-03T00:00"));

        Incident.DiscountExpired d =
                (Incident.DiscountExpired)
                        Incident.parse(
                                "discount-expired:channel=affiliate,code=BF-2026,start=2026-11-03T08:00,hours=12");
        assertThat(d.channel()).isEqualTo("affiliate");
        assertThat(d.code()).isEqualTo("BF-2026");
        assertThat(d.send()).isZero();
        assertThat(
                        ((Incident.DiscountExpired)
                                        Incident.parse(
                                                "discount-expired:code=NOV15,start=2026-11-03"))
                                .send())
                .isEqualTo(0.12);
        assertThat(d.activeAt(at("2026-11-03T08:00"))).isTrue();
        assertThat(d.activeAt(at("2026-11-03T20:00"))).isFalse();
    }

    @Test
    void refusesWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> Incident.parse("slow-checkout"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("kind:key=value");
        assertThatThrownBy(
                        () ->
                                Incident.parse(
                                        "slow-checkout:start=2026-11-03T09:00,start=2026-11-03T10:00"))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> Incident.parse("slow-checkout:start=tomorrow"))
                .hasMessageContaining("not yyyy-MM-ddTHH:mm");
        assertThatThrownBy(
                        () -> Incident.parse("slow-checkout:start=2026-11-03T09:00,release=five"))
                .hasMessageContaining("release must look like");
        assertThatThrownBy(
                        () -> Incident.parse("payment-failure:method=cash,start=2026-11-03T09:00"))
                .hasMessageContaining("method must be one of");
        assertThatThrownBy(() -> Incident.parse("stock-out:start=2026-11-03T09:00,hours=-1"))
                .hasMessageContaining("hours must be between");
        assertThatThrownBy(
                        () -> Incident.parse("discount-expired:channel=tv,start=2026-11-03T09:00"))
                .hasMessageContaining("channel must be one of");
    }
}

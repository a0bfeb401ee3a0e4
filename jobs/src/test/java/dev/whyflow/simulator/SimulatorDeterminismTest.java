package dev.whyflow.simulator;

import static dev.whyflow.simulator.SimulatorFixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorDeterminismTest {

    private static final String[] ALL_INCIDENTS = {
        "--incident",
                "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T09:00,hours=8,load_ms=6500",
        "--incident", "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6",
        "--incident", "stock-out:product=top,start=2026-11-02T08:00,hours=12",
        "--incident", "discount-expired:channel=email,code=NOV15,start=2026-11-02T10:00,hours=10"
    };

    private static String[] args(long seed, Path out) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--seed",
                                String.valueOf(seed),
                                "--start",
                                "2026-11-02",
                                "--days",
                                "1",
                                "--visitors-per-day",
                                "400",
                                "--bad-fraction",
                                "0.02",
                                "--out",
                                out.toString()));
        a.addAll(List.of(ALL_INCIDENTS));
        return a.toArray(new String[0]);
    }

    @Test
    void sameOptionsGiveByteIdenticalEventsAndManifest(@TempDir Path dir) throws IOException {
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");
        assertThat(SimulatorFixtures.cli(args(42, first)).code()).isZero();
        assertThat(SimulatorFixtures.cli(args(42, second)).code()).isZero();
        assertThat(Files.size(first)).isGreaterThan(5_000_000);
        assertThat(Files.mismatch(first, second)).isEqualTo(-1);
        assertThat(
                        Files.mismatch(
                                dir.resolve("first.truth.json"), dir.resolve("second.truth.json")))
                .isEqualTo(-1);
    }

    @Test
    void anotherSeedGivesOtherEvents(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        assertThat(SimulatorFixtures.cli(args(42, a)).code()).isZero();
        assertThat(SimulatorFixtures.cli(args(43, b)).code()).isZero();
        assertThat(Files.mismatch(a, b)).isNotEqualTo(-1);
        assertThat(Files.mismatch(dir.resolve("a.truth.json"), dir.resolve("b.truth.json")))
                .isNotEqualTo(-1);
        // not just shifted: the event ids differ
        byte[] firstA = SimulatorFixtures.lines(a).get(0);
        byte[] firstB = SimulatorFixtures.lines(b).get(0);
        assertThat(EventJson.fromBytes(firstA).eventId)
                .isNotEqualTo(EventJson.fromBytes(firstB).eventId);
    }

    /**
     * Sessions draw from their own streams, so an incident changes what happens from its start on
     * and nothing before it.
     */
    @Test
    void anIncidentLeavesEverythingBeforeItsStartUntouched() throws IOException {
        SimulationOptions without = SimulationOptions.of(9, LocalDate.parse("2026-11-02"), 1, 500);
        SimulationOptions with =
                SimulationOptions.of(
                        9,
                        LocalDate.parse("2026-11-02"),
                        1,
                        500,
                        "payment-failure:method=card,rate=0.9,start=2026-11-02T14:00,hours=4");
        long start = at("2026-11-02T14:00");
        List<byte[]> before1 = new ArrayList<>();
        List<byte[]> before2 = new ArrayList<>();
        List<byte[]> after1 = new ArrayList<>();
        List<byte[]> after2 = new ArrayList<>();
        collect(without, start, before1, after1);
        collect(with, start, before2, after2);
        assertThat(before1).hasSizeGreaterThan(10_000);
        assertThat(before2).hasSameSizeAs(before1);
        for (int i = 0; i < before1.size(); i++)
            assertThat(before2.get(i)).isEqualTo(before1.get(i));
        assertThat(after2.size()).isNotEqualTo(after1.size());
    }

    private static void collect(
            SimulationOptions o, long split, List<byte[]> before, List<byte[]> after)
            throws IOException {
        ShopSimulation sim = new ShopSimulation(o);
        sim.run(
                (ordinal, key, value, length) -> {
                    byte[] bytes = java.util.Arrays.copyOf(value, length);
                    Event e = EventJson.fromBytes(bytes);
                    (e.occurredAt < split ? before : after).add(bytes);
                });
        sim.truth().write(new ByteArrayOutputStream());
    }
}

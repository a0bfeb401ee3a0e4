package dev.whyflow.patterns;

import dev.whyflow.contract.EnrichedEventJson;
import dev.whyflow.simulator.SimulationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Nanoseconds per enriched record read by PatternJob's hand-written {@link JourneyEventJson} and by
 * the data-bound {@link EnrichedEventJson#fromBytes} (what it would use otherwise), over a
 * simulated day's enriched stream ({@link SimulatedEnrichedStream}, seed 1, 2026-11-02; heartbeats
 * included, as on the topic). One thread; rounds alternate between the two readers so that drift
 * hits both; the figure is the median round.
 *
 * <pre>
 * EnrichedReadBench [ROUNDS [OUT]]      (9 rounds, target/bench/enriched-read.json)
 * </pre>
 *
 * Run with the module's test classpath, e.g. {@code java -cp "$(. deploy/local/lib.sh;
 * module_classpath jobs)" dev.whyflow.patterns.EnrichedReadBench}.
 */
public final class EnrichedReadBench {

    private EnrichedReadBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 2) {
            System.err.println("Usage: EnrichedReadBench [ROUNDS [OUT]]");
            System.exit(2);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        Path out =
                args.length > 1
                        ? Path.of(args[1])
                        : Path.of("target", "bench", "enriched-read.json");
        int visitors = 500;
        List<byte[]> list = new ArrayList<>();
        SimulatedEnrichedStream.generate(
                SimulationOptions.of(1, LocalDate.parse("2026-11-02"), 1, visitors),
                (session, bytes) -> list.add(bytes));
        byte[][] records = list.toArray(byte[][]::new);
        long[] journey = new long[rounds];
        long[] bound = new long[rounds];
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) sink += readJourneys(records) + readBound(records);
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            sink += readJourneys(records);
            long t1 = System.nanoTime();
            sink += readBound(records);
            long t2 = System.nanoTime();
            journey[r] = (t1 - t0) / records.length;
            bound[r] = (t2 - t1) / records.length;
        }
        Arrays.sort(journey);
        Arrays.sort(bound);
        String json =
                "{\"records\":"
                        + records.length
                        + ",\"rounds\":"
                        + rounds
                        + ",\"journey_event_json_ns_per_record\":"
                        + journey[rounds / 2]
                        + ",\"enriched_event_json_ns_per_record\":"
                        + bound[rounds / 2]
                        + ",\"sink\":"
                        + (sink & 1)
                        + "}";
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json + "\n");
        System.out.println(json);
    }

    private static long readJourneys(byte[][] records) {
        long n = 0;
        for (byte[] r : records) if (JourneyEventJson.read(r) != null) n++;
        return n;
    }

    private static long readBound(byte[][] records) {
        long n = 0;
        for (byte[] r : records) if (EnrichedEventJson.fromBytes(r).sessionId != null) n++;
        return n;
    }
}

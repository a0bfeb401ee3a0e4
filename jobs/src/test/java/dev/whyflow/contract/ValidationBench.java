package dev.whyflow.contract;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import dev.whyflow.simulator.SimulatedData;
import dev.whyflow.simulator.SimulationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * Nanoseconds per {@link EventValidator#validate} over a simulated day's records (seed 1,
 * 2026-11-02, 1% malformed, 1% duplicates, every incident kind), with the schemas' patterns on the
 * JDK engine (networknt's default, before {@link CompiledPatterns}) and on {@link
 * CompiledPatterns}. One thread; rounds alternate between the two so that drift hits both; the
 * figure is the median round. Also checks that both engines give every record the same verdict.
 *
 * <pre>
 * ValidationBench [--out PATH] [--visitors-per-day V] [--rounds R]
 * </pre>
 *
 * Run with the module's test classpath, e.g. {@code java -cp "$(. deploy/local/lib.sh;
 * module_classpath jobs)" dev.whyflow.contract.ValidationBench}.
 */
public final class ValidationBench {

    private ValidationBench() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("target", "bench", "validation.json");
        int visitors = 500;
        int rounds = 9;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--visitors-per-day" -> visitors = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println(
                            "Usage: ValidationBench [--out PATH] [--visitors-per-day V] [--rounds R]");
                    System.exit(2);
                }
            }
        }
        List<SimulatedData.Record> records =
                SimulatedData.generate(
                                SimulationOptions.of(
                                                1,
                                                LocalDate.parse("2026-11-02"),
                                                1,
                                                visitors,
                                                "slow-checkout:platform=android,release=5.4.0,start=2026-11-02T09:00,hours=8,load_ms=6500",
                                                "payment-failure:method=paypal,rate=0.35,start=2026-11-02T12:00,hours=6",
                                                "stock-out:product=top,start=2026-11-02T08:00,hours=12",
                                                "discount-expired:channel=email,code=NOV15,start=2026-11-02T10:00,hours=10")
                                        .withBadInput(0.01, 0.01))
                        .records();
        byte[][] raw = records.stream().map(SimulatedData.Record::value).toArray(byte[][]::new);
        long now = Timestamps.parse("2026-11-04T00:00:00.000Z");

        EventValidator jdk =
                EventValidator.on(new EventSchemas(JDKRegularExpressionFactory.getInstance()))
                        .warmUp();
        EventValidator compiled = new EventValidator().warmUp();
        int disagreements = 0;
        int valid = 0;
        for (byte[] r : raw) {
            Validation a = jdk.validate(r, now);
            Validation b = compiled.validate(r, now);
            if (a.isValid() != b.isValid() || !a.isValid() && !a.rejection().equals(b.rejection()))
                disagreements++;
            if (b.isValid()) valid++;
        }

        for (int w = 0; w < 3; w++) {
            nanosPerRecord(jdk, raw, now);
            nanosPerRecord(compiled, raw, now);
        }
        double[] jdkNs = new double[rounds];
        double[] compiledNs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            jdkNs[r] = nanosPerRecord(jdk, raw, now);
            compiledNs[r] = nanosPerRecord(compiled, raw, now);
        }
        double before = median(jdkNs);
        double after = median(compiledNs);

        ObjectNode json = EventJson.mapper().createObjectNode();
        json.put("records", raw.length);
        json.put("valid", valid);
        json.put("rounds", rounds);
        json.put("ns_per_validate_jdk_regex", Math.round(before));
        json.put("ns_per_validate_compiled_patterns", Math.round(after));
        json.put("saved_percent", Math.round(1000 * (before - after) / before) / 10.0);
        json.put("verdict_disagreements", disagreements);
        String text = EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, text + "\n");
        System.out.println(text);
        if (disagreements > 0) System.exit(1);
    }

    private static double nanosPerRecord(EventValidator validator, byte[][] raw, long now) {
        long start = System.nanoTime();
        int valid = 0;
        for (byte[] r : raw) {
            if (validator.validate(r, now).isValid()) valid++;
        }
        long elapsed = System.nanoTime() - start;
        if (valid < 0) throw new AssertionError(); // keeps the loop's result alive
        return (double) elapsed / raw.length;
    }

    private static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

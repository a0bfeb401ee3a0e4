package dev.whyflow.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventJson;
import dev.whyflow.contract.Timestamps;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs the simulator for tests and reads what it wrote. */
final class SimulatorFixtures {

    private SimulatorFixtures() {}

    /**
     * Runs a simulation and hands every record to {@code records}: exactly the bytes of one JSONL
     * line (what {@link JsonlSink} writes before the newline), parsed by the contract's reader.
     * Returns the manifest as JSON.
     */
    static JsonNode stream(SimulationOptions options, Consumer<Event> records) {
        ShopSimulation sim = new ShopSimulation(options);
        try {
            sim.run(
                    (ordinal, key, value, length) ->
                            records.accept(EventJson.fromBytes(value, 0, length)));
            ByteArrayOutputStream manifest = new ByteArrayOutputStream();
            sim.truth().write(manifest);
            return EventJson.mapper().readTree(manifest.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the CLI in-process; returns the exit code, stdout and stderr. */
    static CliResult cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SimulatorCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        return new CliResult(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record CliResult(int code, String out, String err) {}

    /** The lines of a JSONL file as raw bytes (they may be malformed, even invalid UTF-8). */
    static List<byte[]> lines(Path file) {
        List<byte[]> lines = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    lines.add(line.toByteArray());
                    line.reset();
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) lines.add(line.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    static JsonNode json(Path file) {
        try {
            return EventJson.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long at(String isoUtc) {
        return Timestamps.parse(isoUtc.length() == 16 ? isoUtc + ":00.000Z" : isoUtc);
    }

    /** A count of successes out of trials, for comparing rates. */
    static final class Rate {
        long trials;
        long successes;

        void add(boolean success) {
            trials++;
            if (success) successes++;
        }

        double p() {
            return trials == 0 ? Double.NaN : (double) successes / trials;
        }

        double standardError() {
            double p = p();
            return Math.sqrt(p * (1 - p) / trials);
        }

        /** Two-proportion z statistic of this rate minus {@code other}. */
        double z(Rate other) {
            double se =
                    Math.sqrt(
                            p() * (1 - p()) / trials + other.p() * (1 - other.p()) / other.trials);
            return se == 0 ? 0 : (p() - other.p()) / se;
        }

        @Override
        public String toString() {
            return String.format("%d/%d = %.3f", successes, trials, p());
        }
    }

    /** Checkout conversion of a segment: orders / checkouts started. */
    static final class Conversion {
        long checkouts;
        long orders;

        double rate() {
            return checkouts == 0 ? Double.NaN : (double) orders / checkouts;
        }

        /** z of this conversion minus {@code other} (treating each as a binomial proportion). */
        double z(Conversion other) {
            double p1 = Math.min(1, rate());
            double p2 = Math.min(1, other.rate());
            double se = Math.sqrt(p1 * (1 - p1) / checkouts + p2 * (1 - p2) / other.checkouts);
            return se == 0 ? 0 : (p1 - p2) / se;
        }

        @Override
        public String toString() {
            return String.format("%d orders / %d checkouts = %.3f", orders, checkouts, rate());
        }
    }
}

package dev.whyflow.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./whyflow bench web}: the web service on the local stack, with QueryJob running. First
 * {@code users} (8) concurrent users, each asking one question after another through {@code POST
 * /api/ask} for {@code seconds} (60): {@code ask_p50_ms}, {@code ask_p95_ms} (wall time of the HTTP
 * request), {@code asks}, {@code asks_per_s}, {@code errors} (non-200 answers or failures); then
 * {@code ./whyflow ask} run {@code cli-runs} (10) times with the service up: {@code
 * cli_ask_wall_ms} (the median wall time of the whole command, bash, curl and jq included; target
 * at most 1,000) and its runs. Prints the figures and writes them as JSON. Loopback only; bounded
 * in count and time.
 */
@Command(name = "bench web", mixinStandardHelpOptions = true)
public final class WebBench implements java.util.concurrent.Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> QUESTIONS =
            List.of(
                    "How many orders did we get yesterday?",
                    "revenue by country last week",
                    "conversion rate by platform yesterday",
                    "daily revenue for the last 7 days",
                    "top 5 products by revenue last week",
                    "show the conversion funnel for last week",
                    "Why did conversion drop yesterday?",
                    "payment failure rate by method yesterday");

    @Option(names = "--url", defaultValue = "http://127.0.0.1:58090")
    String url;

    @Option(names = "--token", required = true)
    String token;

    @Option(names = "--users", defaultValue = "8")
    int users;

    @Option(names = "--seconds", defaultValue = "60")
    int seconds;

    @Option(
            names = "--cli",
            description = "the ./whyflow script to time",
            defaultValue = "./whyflow")
    String cli;

    @Option(names = "--cli-runs", defaultValue = "10")
    int cliRuns;

    @Option(names = "--out", defaultValue = "target/bench/web.json")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WebBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ConcurrentLinkedQueue<Long> ms = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int user = u;
            Thread t =
                    new Thread(
                            () -> {
                                for (int i = user; System.nanoTime() < end; i++) {
                                    String q = QUESTIONS.get(i % QUESTIONS.size());
                                    long start = System.nanoTime();
                                    try {
                                        HttpResponse<String> r =
                                                http.send(
                                                        HttpRequest.newBuilder(
                                                                        URI.create(
                                                                                url + "/api/ask"))
                                                                .timeout(Duration.ofSeconds(60))
                                                                .header(
                                                                        "Authorization",
                                                                        "Bearer " + token)
                                                                .header(
                                                                        "Content-Type",
                                                                        "application/json")
                                                                .POST(
                                                                        HttpRequest.BodyPublishers
                                                                                .ofString(
                                                                                        JSON.createObjectNode()
                                                                                                .put(
                                                                                                        "question",
                                                                                                        q)
                                                                                                .toString()))
                                                                .build(),
                                                        HttpResponse.BodyHandlers.ofString());
                                        if (r.statusCode() != 200
                                                || JSON.readTree(r.body()).hasNonNull("error"))
                                            errors.incrementAndGet();
                                    } catch (Exception e) {
                                        errors.incrementAndGet();
                                    }
                                    ms.add((System.nanoTime() - start) / 1_000_000);
                                }
                            },
                            "asker-" + u);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        ObjectNode r = JSON.createObjectNode();
        r.put("users", users)
                .put("seconds", seconds)
                .put("asks", sorted.size())
                .put("asks_per_s", Math.round(sorted.size() * 10.0 / seconds) / 10.0)
                .put("ask_p50_ms", percentile(sorted, 0.50))
                .put("ask_p95_ms", percentile(sorted, 0.95))
                .put("errors", errors.get());

        List<Long> cliMs = new ArrayList<>();
        int cliFailures = 0;
        for (int i = 0; i < cliRuns; i++) {
            long start = System.nanoTime();
            Process p =
                    new ProcessBuilder(cli, "ask", QUESTIONS.get(i % QUESTIONS.size()))
                            .redirectErrorStream(true)
                            .start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            cliMs.add((System.nanoTime() - start) / 1_000_000);
            // 0 answered, 1 not answerable: both are answers, which end with the intent line
            if (rc > 1 || !printed.contains("intent ")) cliFailures++;
        }
        List<Long> cliSorted = new ArrayList<>(cliMs);
        Collections.sort(cliSorted);
        r.put("cli_ask_wall_ms", percentile(cliSorted, 0.50));
        r.putPOJO("cli_ask_runs_ms", cliMs);
        r.put("cli_failures", cliFailures);
        r.put("cpu_model", cpuModel());
        String text = r.toPrettyString();
        System.out.println(text);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text + "\n", StandardCharsets.UTF_8);
        return errors.get() == 0 && cliFailures == 0 ? 0 : 1;
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return -1;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name"))
                    return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (java.io.IOException e) {
            // not Linux
        }
        return "unknown";
    }
}

package dev.whyflow.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.sql.StoreConnection;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The collector's command line: {@code serve} runs the HTTP collector; {@code source
 * add|revoke|list} manages the sources' API keys (./whyflow source …). The store is
 * WHYFLOW_PG_URL/_USER/_PASSWORD.
 */
@Command(
        name = "collector",
        mixinStandardHelpOptions = true,
        subcommands = {CollectorCli.Serve.class, CollectorCli.Source.class},
        description = "The Whyflow HTTP event collector and its API keys.")
public final class CollectorCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorCli()).execute(args));
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = "Run the collector until stopped (TERM).")
    static final class Serve implements Callable<Integer> {
        @Option(
                names = "--host",
                defaultValue = "${env:WHYFLOW_COLLECTOR_HOST:-127.0.0.1}",
                description = "address to listen on (default: ${DEFAULT-VALUE})")
        String host;

        @Option(
                names = "--port",
                defaultValue = "${env:WHYFLOW_COLLECTOR_PORT:-58070}",
                description = "port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(
                names = "--bootstrap",
                defaultValue = "${env:WHYFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:59092}",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String bootstrap;

        @Option(
                names = "--topic",
                defaultValue = CollectorConfig.RAW_TOPIC,
                description = "the raw topic (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(
                names = "--max-events",
                defaultValue = "${env:WHYFLOW_COLLECTOR_MAX_EVENTS:-1000}",
                description = "events per request at most (default: ${DEFAULT-VALUE})")
        int maxEvents;

        @Option(
                names = "--max-bytes",
                defaultValue = "${env:WHYFLOW_COLLECTOR_MAX_BYTES:-1048576}",
                description = "bytes per request at most, after gzip (default: ${DEFAULT-VALUE})")
        int maxBytes;

        @Option(
                names = "--ack-timeout-ms",
                defaultValue = "${env:WHYFLOW_COLLECTOR_ACK_TIMEOUT_MS:-5000}",
                description = "longest wait for Kafka before 503 (default: ${DEFAULT-VALUE})")
        long ackTimeoutMs;

        @Option(
                names = "--cors-origins",
                split = ",",
                defaultValue = "${env:WHYFLOW_COLLECTOR_CORS_ORIGINS:-}",
                description = "origins whose browsers may post events, comma-separated")
        List<String> corsOrigins = new ArrayList<>();

        @Option(
                names = "--keys-refresh-ms",
                defaultValue = "5000",
                description = "how often the API keys are read again (default: ${DEFAULT-VALUE})")
        long keysRefreshMs;

        @Option(
                names = "--shopify-secret",
                defaultValue = "${env:WHYFLOW_COLLECTOR_SHOPIFY_SECRET:-}",
                description =
                        "the shop's webhook signing secret: order webhooks must then carry a matching X-Shopify-Hmac-Sha256")
        String shopifySecret;

        @Override
        public Integer call() throws Exception {
            Set<String> origins = new LinkedHashSet<>();
            for (String o : corsOrigins) if (!o.isBlank()) origins.add(o.trim());
            CollectorConfig config =
                    new CollectorConfig(
                            host,
                            port,
                            bootstrap,
                            topic,
                            StoreConnection.fromEnvironment(),
                            maxEvents,
                            maxBytes,
                            Duration.ofMillis(ackTimeoutMs),
                            origins,
                            Duration.ofMillis(keysRefreshMs),
                            shopifySecret);
            Collector collector = new Collector(config).start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        collector.close();
                                        stopped.countDown();
                                    },
                                    "collector-stop"));
            stopped.await();
            return 0;
        }
    }

    @Command(
            name = "source",
            mixinStandardHelpOptions = true,
            description = "The sources' API keys.",
            subcommands = {Source.Add.class, Source.Revoke.class, Source.ListKeys.class})
    static final class Source {

        @Command(
                name = "add",
                mixinStandardHelpOptions = true,
                description =
                        "Make a new API key for source NAME and print it (once: only its hash is stored).")
        static final class Add implements Callable<Integer> {
            @Parameters(
                    paramLabel = "NAME",
                    description = "a source of the event contract (storefront-web, ...)")
            String name;

            @Override
            public Integer call() throws SQLException {
                Set<String> known = contractSources();
                if (!known.contains(name)) {
                    System.err.println(
                            "whyflow: '"
                                    + name
                                    + "' is not a source of the event contract v1 (one of: "
                                    + String.join(", ", known)
                                    + "); events stamped with it would all be refused");
                    return 2;
                }
                ApiKeys.NewKey k = SourceKeys.add(StoreConnection.fromEnvironment(), name);
                System.err.println(
                        "whyflow: new API key "
                                + k.keyId()
                                + " for source "
                                + name
                                + "; it is shown this once (only its hash is stored):");
                System.out.println(k.key());
                return 0;
            }
        }

        @Command(
                name = "revoke",
                mixinStandardHelpOptions = true,
                description =
                        "Revoke every key of source NAME, or the one key with id KEY_ID; collectors refuse it within seconds.")
        static final class Revoke implements Callable<Integer> {
            @Parameters(paramLabel = "NAME|KEY_ID")
            String which;

            @Override
            public Integer call() throws SQLException {
                int n = SourceKeys.revoke(StoreConnection.fromEnvironment(), which);
                System.err.println("whyflow: revoked " + n + " key(s) of '" + which + "'");
                return n > 0 ? 0 : 1;
            }
        }

        @Command(
                name = "list",
                mixinStandardHelpOptions = true,
                description = "The keys: id, source, created, revoked.")
        static final class ListKeys implements Callable<Integer> {
            @Override
            public Integer call() throws SQLException {
                System.out.printf(
                        "%-14s %-20s %-25s %s%n", "KEY_ID", "SOURCE", "CREATED", "REVOKED");
                for (SourceKeys.StoredKey k : SourceKeys.list(StoreConnection.fromEnvironment())) {
                    System.out.printf(
                            "%-14s %-20s %-25s %s%n",
                            k.keyId(),
                            k.source(),
                            k.createdAt(),
                            k.revokedAt() == null ? "-" : k.revokedAt().toString());
                }
                return 0;
            }
        }
    }

    /** The {@code source} values the contract's envelope schema allows. */
    static Set<String> contractSources() {
        try (InputStream in =
                CollectorCli.class.getResourceAsStream(
                        "/whyflow/schemas/events/envelope.v1.json")) {
            JsonNode e =
                    new ObjectMapper().readTree(in).path("properties").path("source").path("enum");
            Set<String> out = new LinkedHashSet<>();
            e.forEach(n -> out.add(n.asText()));
            return out;
        } catch (Exception ex) {
            throw new IllegalStateException(
                    "the contract's envelope schema is not on the classpath", ex);
        }
    }

    static List<String> split(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.asList(csv.split(","));
    }
}

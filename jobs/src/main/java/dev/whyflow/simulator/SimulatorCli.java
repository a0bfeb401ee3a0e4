package dev.whyflow.simulator;

import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.WhyflowCli;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code whyflow simulate}: the shop simulator's command line. {@code --out FILE.jsonl} writes the
 * records as JSON Lines (one record per line, raw bytes, malformed records included) and the
 * ground-truth manifest beside it; {@code --to-kafka} sends them to the raw topic, keyed by session
 * id, else anonymous id, else customer id, {@code --rate} capping records/s without changing event
 * times. Same options, same bytes. Prints a one-line summary.
 */
@Command(
        name = "simulate",
        sortOptions = false,
        sortSynopsis = false,
        customSynopsis = {
            "whyflow simulate --seed N --start YYYY-MM-DD --days D [OPTIONS]",
            "                 (--out FILE.jsonl | --to-kafka [--bootstrap HOST:PORT] [--topic NAME] [--rate N])"
        },
        description = {
            "The shop simulator: a day or more of events and their ground truth, to a file or Kafka",
            "A seeded, deterministic event stream of a mid-size shop, with injectable incidents"
                    + " and a ground-truth manifest. Same options, byte-identical output."
        },
        footerHeading = "%n",
        footer = {
            "Incidents: kind:key=value,...  (start is UTC yyyy-MM-ddTHH:mm, hours may be fractional)",
            "  slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500[,adoption_hours=3]",
            "  payment-failure:method=paypal,rate=0.35,start=2026-11-03T12:00,hours=6",
            "  stock-out:product=top,start=2026-11-03T08:00,hours=12      (product: top, topN, p-00042 or a SKU)",
            "  discount-expired:channel=email,code=NOV15,start=2026-11-03T08:00,hours=12[,send=0.12]",
            "                           (send: extra campaign visitors, x visitors-per-day; email only by default)",
            "",
            "Example:",
            "  whyflow simulate --seed 42 --start 2026-11-02 --days 2 --visitors-per-day 5000 \\",
            "    --incident slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500 \\",
            "    --out target/sim/shop.jsonl"
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:simulated",
            "1:failed (a broker, the ERP database, a file)",
            "2:usage error"
        })
public final class SimulatorCli implements Callable<Integer> {

    static final String DEFAULT_TOPIC = "whyflow.events.raw";

    @Option(
            names = "--seed",
            required = true,
            paramLabel = "N",
            description = "all randomness derives from it: same options, byte-identical output")
    long seed;

    @Option(
            names = "--start",
            required = true,
            paramLabel = "YYYY-MM-DD",
            converter = Arguments.Day.class,
            description = "first simulated day (UTC)")
    LocalDate start;

    @Option(
            names = "--days",
            required = true,
            paramLabel = "D",
            description = "number of simulated days (1 to 3660)")
    int days;

    @Option(
            names = "--visitors-per-day",
            paramLabel = "V",
            defaultValue = "" + SimulationOptions.DEFAULT_VISITORS_PER_DAY,
            description =
                    "unique visitors on an average day (default ${DEFAULT-VALUE}, ~1M a month)")
    int visitors;

    @Option(
            names = "--incident",
            paramLabel = "SPEC",
            description = "inject an incident (repeatable), see below")
    List<String> incidents = new ArrayList<>();

    @Option(
            names = "--bad-fraction",
            paramLabel = "F",
            defaultValue = "0",
            description = "fraction of malformed records, 0 <= F < 0.5 (default ${DEFAULT-VALUE})")
    double bad;

    @Option(
            names = "--duplicate-fraction",
            paramLabel = "F",
            description = "fraction of exact duplicate records (default: half of --bad-fraction)")
    Double duplicates;

    @Option(
            names = "--late-fraction",
            paramLabel = "F",
            defaultValue = "" + SimulationOptions.DEFAULT_LATE_FRACTION,
            description = "fraction of app events delivered 1-30 s late (default ${DEFAULT-VALUE})")
    double late;

    @Option(
            names = "--heartbeat-ms",
            paramLabel = "MS",
            defaultValue = "" + SimulationOptions.DEFAULT_HEARTBEAT_MS,
            description =
                    "page_engaged heartbeat interval (default ${DEFAULT-VALUE}; 0 = no heartbeats)")
    long heartbeat;

    @Option(
            names = "--out",
            paramLabel = "FILE.jsonl",
            description = "write JSON Lines to FILE.jsonl and the manifest to FILE.truth.json")
    Path out;

    @Option(names = "--to-kafka", description = "send to Kafka instead of a file")
    boolean toKafka;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "with --to-kafka: the broker (default: WHYFLOW_KAFKA_BOOTSTRAP, else 127.0.0.1:59092)")
    String bootstrap;

    @Option(
            names = "--topic",
            paramLabel = "NAME",
            description = "with --to-kafka: the topic (default: " + DEFAULT_TOPIC + ")")
    String topic;

    @Option(
            names = "--rate",
            paramLabel = "N",
            description =
                    "with --to-kafka: at most N records per second (event times are not affected)")
    Double rate;

    @Option(
            names = "--truth",
            paramLabel = "PATH",
            description =
                    "where to write the ground-truth manifest"
                            + " (default: beside --out; with --to-kafka target/simulator/truth-<seed>-<start>-<days>d.json)")
    Path truth;

    @Option(
            names = "--erp",
            description =
                    "also write the shop's ERP side into its database (orders, lines, stock, prices,"
                            + " shipments, refunds, updated in place at the simulated times); the ERP's own events (stock, shipments, prices,"
                            + " refunds) then go to the ERP instead of the events, for Debezium and ErpCaptureJob to capture")
    boolean erp;

    @Option(
            names = "--erp-url",
            paramLabel = "JDBC_URL",
            description =
                    "with --erp: the ERP database (default: the store's"
                            + " server, database erp; created and migrated when missing; it must not hold this period's orders yet)")
    String erpUrl;

    @Option(
            names = "--erp-truth",
            paramLabel = "PATH",
            description =
                    "with --erp: the ERP manifest, every event its changes should become (default: beside the manifest, .erp.json)")
    Path erpTruth;

    @Spec CommandSpec spec;
    @ParentCommand WhyflowCli whyflow;

    private SimulatorCli() {}

    /** {@code whyflow simulate ARGS…} with these streams and this environment. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return WhyflowCli.execute("simulate", args, out, err, env);
    }

    /** The command line, checked and with its defaults filled in. */
    record Plan(
            SimulationOptions options,
            Path out,
            boolean toKafka,
            String bootstrap,
            String topic,
            double rate,
            Path truth,
            String erpUrl,
            Path erpTruth) {}

    @Override
    public Integer call() throws IOException, SQLException {
        Plan plan;
        ShopSimulation sim;
        try {
            plan = plan();
            sim = new ShopSimulation(plan.options());
        } catch (UsageException e) {
            throw Arguments.usage(spec, e.getMessage());
        }
        long t0 = System.nanoTime();
        ErpSide erpSide =
                plan.erpUrl() == null ? null : ErpCli.open(plan.erpUrl(), sim, whyflow.env());
        String target;
        if (plan.toKafka()) {
            KafkaSink.requireTopic(plan.bootstrap(), plan.topic());
            try (KafkaSink sink = new KafkaSink(plan.bootstrap(), plan.topic(), plan.rate())) {
                sim.run(sink);
            }
            target = "kafka " + plan.bootstrap() + " topic " + plan.topic();
        } else {
            try (JsonlSink sink = new JsonlSink(plan.out())) {
                sim.run(sink);
            }
            target = plan.out().toString();
        }
        sim.truth().write(plan.truth());
        double seconds = (System.nanoTime() - t0) / 1e9;
        whyflow.out().println(summary(plan, sim.truth(), seconds, target));
        if (erpSide != null) {
            erpSide.writeManifest(plan.erpTruth());
            erpSide.close();
            whyflow.out().println(ErpCli.summary(erpSide, plan.erpUrl(), plan.erpTruth()));
        }
        return 0;
    }

    static String summary(Plan plan, TruthManifest t, double seconds, String target) {
        StringBuilder revenue = new StringBuilder();
        t.revenueByCurrency()
                .forEach(
                        (c, v) ->
                                revenue.append(revenue.length() == 0 ? "" : ", ")
                                        .append(c)
                                        .append(' ')
                                        .append(String.format(Locale.ROOT, "%.2f", v / 100.0)));
        SimulationOptions o = plan.options();
        return String.format(
                Locale.ROOT,
                "simulated %s +%dd seed %d: %d records (%d events, %d bad, %d duplicates), %d sessions, %d orders, "
                        + "revenue %s, %d incident(s); %.1f s, %.0f records/s -> %s; manifest %s",
                o.start(),
                o.days(),
                o.seed(),
                t.records(),
                t.validEvents(),
                t.badRecords(),
                t.duplicates(),
                t.sessions(),
                t.orders(),
                revenue.length() == 0 ? "none" : revenue,
                o.incidents().size(),
                seconds,
                t.records() / seconds,
                target,
                plan.truth());
    }

    /**
     * Checks what picocli cannot (ranges, which options go together) and fills in the defaults that
     * depend on others.
     */
    Plan plan() {
        Arguments.between(spec, "--days", days, 1, 3660);
        Arguments.between(spec, "--visitors-per-day", visitors, 1, 10_000_000);
        Arguments.between(spec, "--bad-fraction", bad, 0, 1);
        if (duplicates != null) Arguments.between(spec, "--duplicate-fraction", duplicates, 0, 1);
        Arguments.between(spec, "--late-fraction", late, 0, 1);
        Arguments.between(spec, "--heartbeat-ms", heartbeat, 0, 3_600_000);
        if (toKafka == (out != null))
            throw Arguments.usage(spec, "give exactly one of --out FILE.jsonl and --to-kafka");
        if (!toKafka && (bootstrap != null || topic != null || rate != null)) {
            throw Arguments.usage(
                    spec, "--bootstrap, --topic and --rate only apply with --to-kafka");
        }
        if (rate != null && !(rate > 0))
            throw Arguments.usage(spec, "--rate must be a positive number of records per second");
        if (out != null && !out.getFileName().toString().endsWith(".jsonl"))
            throw Arguments.usage(spec, "--out must name a .jsonl file");
        if (!erp && (erpUrl != null || erpTruth != null))
            throw Arguments.usage(spec, "--erp-url and --erp-truth only apply with --erp");
        List<Incident> parsed = incidents.stream().map(Incident::parse).toList();
        SimulationOptions options =
                new SimulationOptions(
                        seed,
                        start,
                        days,
                        visitors,
                        parsed,
                        bad,
                        duplicates != null ? duplicates : bad / 2,
                        late,
                        heartbeat);
        Path manifest = truth;
        if (manifest == null) {
            manifest =
                    toKafka
                            ? Path.of(
                                    "target",
                                    "simulator",
                                    "truth-" + seed + "-" + start + "-" + days + "d.json")
                            : out.resolveSibling(
                                    out.getFileName()
                                            .toString()
                                            .replaceFirst("\\.jsonl$", ".truth.json"));
        }
        String erpDatabase =
                !erp ? null : erpUrl != null ? erpUrl : ErpCli.defaultUrl(whyflow.env());
        Path erpManifest =
                !erp
                        ? null
                        : erpTruth != null
                                ? erpTruth
                                : manifest.resolveSibling(
                                        manifest.getFileName()
                                                .toString()
                                                .replaceFirst("(\\.json)?$", ".erp.json"));
        return new Plan(
                options,
                out,
                toKafka,
                toKafka && bootstrap == null ? whyflow.kafkaBootstrap() : bootstrap,
                toKafka && topic == null ? DEFAULT_TOPIC : topic,
                rate == null ? 0 : rate,
                manifest,
                erpDatabase,
                erpManifest);
    }
}

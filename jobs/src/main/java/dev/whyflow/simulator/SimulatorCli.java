package dev.whyflow.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command line of the shop simulator.
 *
 * <pre>
 * SimulatorCli --seed N --start YYYY-MM-DD --days D [--visitors-per-day V] [--incident SPEC]...
 *              [--bad-fraction F] [--duplicate-fraction F] [--late-fraction F] [--heartbeat-ms MS]
 *              (--out FILE.jsonl | --to-kafka [--bootstrap HOST:PORT] [--topic NAME] [--rate N])
 *              [--truth PATH]
 * </pre>
 *
 * <ul>
 *   <li>{@code --out FILE.jsonl} writes the records as JSON Lines (one record per line, raw bytes,
 *       malformed records included) and the ground-truth manifest beside it: {@code FILE.truth.json}
 *       ({@code .jsonl} replaced), unless {@code --truth} says otherwise.</li>
 *   <li>{@code --to-kafka} sends them to {@code --topic} (default {@code whyflow.events.raw}) on
 *       {@code --bootstrap} (default: env {@code WHYFLOW_KAFKA_BOOTSTRAP}, else {@code 127.0.0.1:59092}),
 *       keyed by session id, else anonymous id, else customer id; {@code --rate} caps records/s
 *       without changing event times. The manifest goes to {@code --truth}, by default
 *       {@code target/simulator/truth-<seed>-<start>-<days>d.json}; its path is printed.</li>
 *   <li>Incidents ({@code --incident}, repeatable), each {@code kind:key=value,...}, {@code start}
 *       in UTC:
 *       <ul>
 *         <li>{@code slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500[,adoption_hours=3]}</li>
 *         <li>{@code payment-failure:method=paypal,rate=0.35,start=...,hours=...}</li>
 *         <li>{@code stock-out:product=top|topN|PRODUCT_ID|SKU,start=...,hours=...}</li>
 *         <li>{@code discount-expired:channel=email,code=NOV15,start=...,hours=...[,send=0.12]}</li>
 *       </ul></li>
 *   <li>{@code --bad-fraction F} (default 0): that fraction of the records is malformed (broken
 *       JSON, wrong types, missing fields, unknown types, far-future timestamps, invalid UTF-8,
 *       and rarely records over 1 MiB); {@code --duplicate-fraction} (default half the bad
 *       fraction) re-sends valid records byte for byte. Both are listed in the manifest by ordinal.</li>
 *   <li>{@code --late-fraction F} (default 0.01): app events that arrive 1-30 s late.</li>
 *   <li>{@code --heartbeat-ms MS} (default 4000): the page_engaged heartbeat interval; 0 sends none.</li>
 * </ul>
 * Same options, same bytes. Prints a one-line summary; bad usage prints the usage and exits 2.
 */
public final class SimulatorCli {

    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:59092";
    static final String DEFAULT_TOPIC = "whyflow.events.raw";

    static final String USAGE = """
            Usage: SimulatorCli --seed N --start YYYY-MM-DD --days D [options] (--out FILE.jsonl | --to-kafka [kafka options])

              --seed N                 all randomness derives from it: same options, byte-identical output
              --start YYYY-MM-DD       first simulated day (UTC)
              --days D                 number of simulated days
              --visitors-per-day V     unique visitors on an average day (default 33000, ~1M a month)
              --incident SPEC          inject an incident (repeatable), see below
              --bad-fraction F         fraction of malformed records, 0 <= F < 0.5 (default 0)
              --duplicate-fraction F   fraction of exact duplicate records (default: half of --bad-fraction)
              --late-fraction F        fraction of app events delivered 1-30 s late (default 0.01)
              --heartbeat-ms MS        page_engaged heartbeat interval (default 4000; 0 = no heartbeats)
              --out FILE.jsonl         write JSON Lines to FILE.jsonl and the manifest to FILE.truth.json
              --to-kafka               send to Kafka instead of a file
                --bootstrap HOST:PORT  default: $WHYFLOW_KAFKA_BOOTSTRAP, else 127.0.0.1:59092
                --topic NAME           default: whyflow.events.raw
                --rate N               at most N records per second (event times are not affected)
              --truth PATH             where to write the ground-truth manifest (default: beside --out;
                                       with --to-kafka target/simulator/truth-<seed>-<start>-<days>d.json)
              --erp                    also write the shop's ERP side into its database (orders, lines, stock,
                                       prices, shipments, refunds, updated in place at the simulated times);
                                       the ERP's own events (stock, shipments, prices, refunds) then go to the ERP
                                       instead of the events, for Debezium and ErpCaptureJob to capture
                --erp-url JDBC_URL     the ERP database (default: the store's server, database erp; created and
                                       migrated when missing; it must not hold this period's orders yet)
                --erp-truth PATH       the ERP manifest: every event its changes should become (default: beside
                                       the manifest, .erp.json)

            Incidents: kind:key=value,...  (start is UTC yyyy-MM-ddTHH:mm, hours may be fractional)
              slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500[,adoption_hours=3]
              payment-failure:method=paypal,rate=0.35,start=2026-11-03T12:00,hours=6
              stock-out:product=top,start=2026-11-03T08:00,hours=12      (product: top, topN, p-00042 or a SKU)
              discount-expired:channel=email,code=NOV15,start=2026-11-03T08:00,hours=12[,send=0.12]
                                       (send: extra campaign visitors, x visitors-per-day; email only by default)

            Example:
              SimulatorCli --seed 42 --start 2026-11-02 --days 2 --visitors-per-day 5000 \\
                --incident slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500 \\
                --out target/sim/shop.jsonl
            """;

    private SimulatorCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Parsed command line. */
    record Command(SimulationOptions options, Path out, boolean toKafka, String bootstrap, String topic, double rate,
                   Path truth, String erpUrl, Path erpTruth) {
        Command(SimulationOptions options, Path out, boolean toKafka, String bootstrap, String topic, double rate, Path truth) {
            this(options, out, toKafka, bootstrap, topic, rate, truth, null, null);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        Command cmd;
        try {
            if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
                (args.length == 0 ? err : out).print(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            cmd = parse(args, env);
        } catch (UsageException e) {
            err.println("simulator: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        }
        try {
            long t0 = System.nanoTime();
            ShopSimulation sim = new ShopSimulation(cmd.options());
            ErpSide erp = cmd.erpUrl() == null ? null : ErpCli.open(cmd.erpUrl(), sim, env);
            String target;
            if (cmd.toKafka()) {
                KafkaSink.requireTopic(cmd.bootstrap(), cmd.topic());
                try (KafkaSink sink = new KafkaSink(cmd.bootstrap(), cmd.topic(), cmd.rate())) {
                    sim.run(sink);
                }
                target = "kafka " + cmd.bootstrap() + " topic " + cmd.topic();
            } else {
                try (JsonlSink sink = new JsonlSink(cmd.out())) {
                    sim.run(sink);
                }
                target = cmd.out().toString();
            }
            sim.truth().write(cmd.truth());
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.println(summary(cmd, sim.truth(), seconds, target));
            if (erp != null) {
                erp.writeManifest(cmd.erpTruth());
                erp.close();
                out.println(ErpCli.summary(erp, cmd.erpUrl(), cmd.erpTruth()));
            }
            return 0;
        } catch (UsageException e) {
            err.println("simulator: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        } catch (IOException | RuntimeException | java.sql.SQLException e) {
            err.println("simulator: failed: " + e.getMessage());
            return 1;
        }
    }

    static String summary(Command cmd, TruthManifest t, double seconds, String target) {
        StringBuilder revenue = new StringBuilder();
        t.revenueByCurrency().forEach((c, v) -> revenue.append(revenue.length() == 0 ? "" : ", ").append(c).append(' ')
                .append(String.format(Locale.ROOT, "%.2f", v / 100.0)));
        SimulationOptions o = cmd.options();
        return String.format(Locale.ROOT,
                "simulated %s +%dd seed %d: %d records (%d events, %d bad, %d duplicates), %d sessions, %d orders, "
                        + "revenue %s, %d incident(s); %.1f s, %.0f records/s -> %s; manifest %s",
                o.start(), o.days(), o.seed(), t.records(), t.validEvents(), t.badRecords(), t.duplicates(), t.sessions(),
                t.orders(), revenue.length() == 0 ? "none" : revenue, o.incidents().size(), seconds, t.records() / seconds,
                target, cmd.truth());
    }

    static Command parse(String[] args, Map<String, String> env) {
        Long seed = null;
        LocalDate start = null;
        Integer days = null;
        int visitors = SimulationOptions.DEFAULT_VISITORS_PER_DAY;
        List<Incident> incidents = new ArrayList<>();
        double bad = 0;
        Double duplicates = null;
        double late = SimulationOptions.DEFAULT_LATE_FRACTION;
        long heartbeat = SimulationOptions.DEFAULT_HEARTBEAT_MS;
        Path out = null;
        boolean kafka = false;
        String bootstrap = null;
        String topic = null;
        Double rate = null;
        Path truth = null;
        String erpUrl = null;
        boolean erp = false;
        Path erpTruth = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--seed" -> seed = parseLong(a, value(args, ++i, a));
                case "--start" -> {
                    String v = value(args, ++i, a);
                    try {
                        start = LocalDate.parse(v);
                    } catch (DateTimeParseException e) {
                        throw new UsageException("--start '" + v + "' is not a date like 2026-11-02");
                    }
                }
                case "--days" -> days = (int) range(a, parseLong(a, value(args, ++i, a)), 1, 3660);
                case "--visitors-per-day" -> visitors = (int) range(a, parseLong(a, value(args, ++i, a)), 1, 10_000_000);
                case "--incident" -> incidents.add(Incident.parse(value(args, ++i, a)));
                case "--bad-fraction" -> bad = parseFraction(a, value(args, ++i, a));
                case "--duplicate-fraction" -> duplicates = parseFraction(a, value(args, ++i, a));
                case "--late-fraction" -> late = parseFraction(a, value(args, ++i, a));
                case "--heartbeat-ms" -> heartbeat = range(a, parseLong(a, value(args, ++i, a)), 0, 3_600_000);
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--to-kafka" -> kafka = true;
                case "--bootstrap" -> bootstrap = value(args, ++i, a);
                case "--topic" -> topic = value(args, ++i, a);
                case "--rate" -> {
                    String v = value(args, ++i, a);
                    try {
                        rate = Double.parseDouble(v.replace("_", ""));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--rate '" + v + "' is not a number");
                    }
                    if (!(rate > 0)) throw new UsageException("--rate must be a positive number of records per second");
                }
                case "--truth" -> truth = Path.of(value(args, ++i, a));
                case "--erp" -> erp = true;
                case "--erp-url" -> erpUrl = value(args, ++i, a);
                case "--erp-truth" -> erpTruth = Path.of(value(args, ++i, a));
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        if (seed == null) throw new UsageException("--seed is required");
        if (start == null) throw new UsageException("--start is required");
        if (days == null) throw new UsageException("--days is required");
        if (kafka == (out != null)) throw new UsageException("give exactly one of --out FILE.jsonl and --to-kafka");
        if (!kafka && (bootstrap != null || topic != null || rate != null)) {
            throw new UsageException("--bootstrap, --topic and --rate only apply with --to-kafka");
        }
        if (out != null && !out.getFileName().toString().endsWith(".jsonl")) {
            throw new UsageException("--out must name a .jsonl file");
        }
        SimulationOptions options = new SimulationOptions(seed, start, days, visitors, incidents, bad,
                duplicates != null ? duplicates : bad / 2, late, heartbeat);
        if (kafka) {
            if (bootstrap == null) {
                String fromEnv = env.get("WHYFLOW_KAFKA_BOOTSTRAP");
                bootstrap = fromEnv == null || fromEnv.isBlank() ? DEFAULT_BOOTSTRAP : fromEnv;
            }
            if (topic == null) topic = DEFAULT_TOPIC;
            if (truth == null) truth = Path.of("target", "simulator", "truth-" + seed + "-" + start + "-" + days + "d.json");
        } else if (truth == null) {
            String name = out.getFileName().toString();
            truth = out.resolveSibling(name.substring(0, name.length() - ".jsonl".length()) + ".truth.json");
        }
        if (!erp && (erpUrl != null || erpTruth != null)) throw new UsageException("--erp-url and --erp-truth only apply with --erp");
        if (erp) {
            if (erpUrl == null) erpUrl = ErpCli.defaultUrl(env);
            if (erpTruth == null) {
                String name = truth.getFileName().toString();
                erpTruth = truth.resolveSibling(name.endsWith(".json") ? name.substring(0, name.length() - 5) + ".erp.json" : name + ".erp.json");
            }
        }
        return new Command(options, out, kafka, bootstrap, topic, rate == null ? 0 : rate, truth, erpUrl, erpTruth);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) throw new UsageException(option + " needs a value");
        return args[i];
    }

    private static long parseLong(String option, String v) {
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + v + "' is not an integer");
        }
    }

    private static long range(String option, long v, long min, long max) {
        if (v < min || v > max) throw new UsageException(option + " must be between " + min + " and " + max);
        return v;
    }

    private static double parseFraction(String option, String v) {
        try {
            double d = Double.parseDouble(v);
            if (!(d >= 0 && d <= 1)) throw new UsageException(option + " must be between 0 and 1");
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + v + "' is not a number");
        }
    }
}

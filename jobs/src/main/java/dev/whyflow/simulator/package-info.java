/**
 * The shop simulator: a seeded, deterministic event stream of a mid-size European fashion and
 * lifestyle shop (web shop plus iOS and Android apps), with injectable incidents and a ground-truth
 * manifest. It is the demo's source, the tests' data and the benchmarks' load.
 *
 * <p>Entry points: {@link dev.whyflow.simulator.SimulatorCli} (command line, JSONL or Kafka),
 * {@link dev.whyflow.simulator.SimulatorBench} (throughput), and for tests {@link
 * dev.whyflow.simulator.ShopSimulation} with a {@link dev.whyflow.simulator.RecordSink}.
 *
 * <p>Default volume ({@code --visitors-per-day 33000}, about 1M visitors a month): about 47,000
 * sessions and 1,650-1,900 orders a day, ~60 events/s on average with an evening peak; most events
 * are page_engaged heartbeats (every 4 s of engaged time). Each record is ~830 bytes of JSON, so a
 * default day is ~4 GB of JSONL.
 *
 * <p>How it works: each day's visitors are planned up front (who, which channel, when, how many
 * sessions), each from its own random stream derived from (seed, day, visitor); a session is
 * generated in full when the simulation clock reaches its start, from (seed, day, visitor,
 * session); all sessions' events, the operations schedule (releases, price changes, stock holds)
 * and what orders cause later (stock movements, restocks, shipments, refunds) are merged in one
 * priority queue in delivery order. Shared state (stock, prices) is read at the simulated time of
 * each decision. No wall clock, no {@code UUID.randomUUID()}, no hash-order iteration: the same
 * options give the same bytes on every JVM.
 *
 * <p>Run it (from {@code /work/main} after {@code mvn -pl jobs -am test-compile}):
 *
 * <pre>
 * java -cp "$(cat classpath.txt):jobs/target/classes" dev.whyflow.simulator.SimulatorCli \
 *   --seed 42 --start 2026-11-02 --days 2 --visitors-per-day 5000 \
 *   --incident slow-checkout:platform=android,release=5.4.0,start=2026-11-03T09:00,hours=8,load_ms=6500 \
 *   --out target/sim/shop.jsonl
 * </pre>
 *
 * where {@code classpath.txt} comes from {@code mvn -pl jobs -am dependency:build-classpath
 * -Dmdep.outputFile=classpath.txt} (or use the shaded jar's classpath).
 */
package dev.whyflow.simulator;

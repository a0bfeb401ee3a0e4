package dev.whyflow.erp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.cli.Arguments;
import dev.whyflow.cli.CommandFailure;
import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.sql.StoreConnection;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code whyflow reconcile --from DATE --to DATE [--json]}: Whyflow's figures against the ERP's,
 * per metric, day and key ({@link Reconciliation}); the exit status says whether every metric is
 * within its tolerance (exact: the definitions are equal).
 */
@Command(
        name = "reconcile",
        sortOptions = false,
        sortSynopsis = false,
        description = {
            "Whyflow's figures against the ERP's, per metric, day and key",
            "Over closed days only: an open day is listed, not compared."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every metric within tolerance",
            "1:a mismatch, or failed",
            "2:usage error",
            "3:a database unreachable"
        })
public final class ReconcileCli implements Callable<Integer> {

    @Option(
            names = "--from",
            required = true,
            paramLabel = "DATE",
            converter = Arguments.Day.class,
            description = "first day (UTC), e.g. 2026-11-02")
    LocalDate from;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "DATE",
            converter = Arguments.Day.class,
            description = "last day (UTC), included")
    LocalDate to;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(
            names = "--database",
            paramLabel = "JDBC_URL",
            description = "the store (default: WHYFLOW_PG_URL, else the local stack's)")
    String database;

    @Option(
            names = "--erp-database",
            paramLabel = "JDBC_URL",
            description = "the ERP (default: the store's server, database erp)")
    String erpDatabase;

    @Option(
            names = "--slot",
            defaultValue = "whyflow_erp",
            description = "the capture's replication slot (default: ${DEFAULT-VALUE})")
    String slot;

    @Option(
            names = "--settle",
            paramLabel = "DURATION",
            defaultValue = "PT2M",
            converter = Arguments.Span.class,
            description = "Whyflow's cut-off is now minus this (default ${DEFAULT-VALUE})")
    Duration settle;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            defaultValue = "PT30S",
            converter = Arguments.Span.class,
            description =
                    "how long to wait for the capture to confirm the ERP's WAL position (default ${DEFAULT-VALUE})")
    Duration waitFor;

    @Option(
            names = "--largest",
            paramLabel = "N",
            defaultValue = "10",
            description = "largest mismatches listed per metric (default ${DEFAULT-VALUE})")
    int largest;

    @Spec CommandSpec spec;
    @ParentCommand WhyflowCli whyflow;

    private ReconcileCli() {}

    /** {@code whyflow reconcile ARGS…} with these streams. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return WhyflowCli.execute("reconcile", args, out, err, System.getenv());
    }

    @Override
    public Integer call() throws Exception {
        if (to.isBefore(from)) throw Arguments.usage(spec, "--to is before --from");
        StoreConnection env = StoreConnection.fromEnvironment();
        StoreConnection store =
                database == null ? env : new StoreConnection(database, env.user(), env.password());
        StoreConnection erp =
                erpDatabase == null
                        ? store.withDatabase(ErpDatabase.DEFAULT_DATABASE)
                        : new StoreConnection(erpDatabase, env.user(), env.password());
        Reconciliation.Report r;
        try {
            r = new Reconciliation(store, erp, slot, settle, waitFor, largest).run(from, to);
        } catch (SQLException e) {
            throw new CommandFailure(3, e.getMessage(), e);
        }
        whyflow.out().println(json ? json(r) : text(r));
        return r.ok() ? 0 : 1;
    }

    static String text(Reconciliation.Report r) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "reconcile %s .. %s: ERP cut-off %s (WAL %s), Whyflow cut-off %s; capture %s (slot confirmed %s)%n",
                        r.from(),
                        r.to(),
                        r.erpCutoff(),
                        r.erpCutoffLsn(),
                        r.whyflowCutoff(),
                        r.captureCaughtUp() ? "caught up" : "NOT caught up",
                        r.slotConfirmedLsn()));
        b.append("closed days compared: ")
                .append(r.closedDays().isEmpty() ? "none" : r.closedDays().toString());
        if (!r.openDays().isEmpty()) b.append("; open (not compared): ").append(r.openDays());
        b.append('\n');
        for (Reconciliation.MetricResult m : r.metrics()) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-26s %s  keys %d (%d within, ERP only %d, Whyflow only %d)  ERP %d  Whyflow %d %s  tolerance %d  by (%s)%n",
                            m.metric().wire,
                            m.ok() ? "OK      " : "MISMATCH",
                            m.keysCompared(),
                            m.keysWithin(),
                            m.keysErpOnly(),
                            m.keysWhyflowOnly(),
                            m.erpTotal(),
                            m.whyflowTotal(),
                            m.metric().unit,
                            m.tolerance(),
                            m.metric().key));
            for (Reconciliation.Difference d : m.mismatches()) {
                b.append(
                        String.format(
                                Locale.ROOT,
                                "    %-40s ERP %s  Whyflow %s  diff %+d  %s  %s%n",
                                d.key(),
                                d.erp(),
                                d.whyflow(),
                                d.difference(),
                                d.mismatchClass().wire,
                                String.join(", ", d.items())));
            }
        }
        b.append(r.ok() ? "every metric matches exactly" : "mismatches found");
        return b.toString();
    }

    static String json(Reconciliation.Report r) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("from", r.from().toString());
        root.put("to", r.to().toString());
        root.put("ok", r.ok());
        ObjectNode cut = root.putObject("cutoff");
        cut.put("erp", r.erpCutoff().toString());
        cut.put("erp_wal_lsn", r.erpCutoffLsn());
        cut.put("whyflow", r.whyflowCutoff().toString());
        cut.put("slot_confirmed_lsn", r.slotConfirmedLsn());
        cut.put("capture_caught_up", r.captureCaughtUp());
        ArrayNode closed = root.putArray("closed_days");
        r.closedDays().forEach(d -> closed.add(d.toString()));
        ArrayNode open = root.putArray("open_days");
        r.openDays().forEach(d -> open.add(d.toString()));
        ArrayNode metrics = root.putArray("metrics");
        for (Reconciliation.MetricResult mr : r.metrics()) {
            ObjectNode n = metrics.addObject();
            n.put("metric", mr.metric().wire);
            n.put("unit", mr.metric().unit);
            n.put("key", mr.metric().key);
            n.put("ok", mr.ok());
            n.put("tolerance", mr.tolerance());
            n.put("erp_total", mr.erpTotal());
            n.put("whyflow_total", mr.whyflowTotal());
            ObjectNode cov = n.putObject("key_coverage");
            cov.put("keys", mr.keysCompared());
            cov.put("within_tolerance", mr.keysWithin());
            cov.put("erp_only", mr.keysErpOnly());
            cov.put("whyflow_only", mr.keysWhyflowOnly());
            ObjectNode classes = n.putObject("classes");
            mr.classes().forEach(classes::put);
            ArrayNode mm = n.putArray("largest_mismatches");
            for (Reconciliation.Difference d : mr.mismatches()) {
                ObjectNode x = mm.addObject();
                x.put("key", d.key());
                if (d.erp() == null) x.putNull("erp");
                else x.put("erp", d.erp());
                if (d.whyflow() == null) x.putNull("whyflow");
                else x.put("whyflow", d.whyflow());
                x.put("difference", d.difference());
                x.put("class", d.mismatchClass().wire);
                ArrayNode items = x.putArray("items");
                d.items().forEach(items::add);
            }
        }
        return m.writeValueAsString(root);
    }
}

package dev.whyflow.erp;

import dev.whyflow.sql.Migrations;
import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import dev.whyflow.testing.PrivateStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * What the ERP capture's tests run on: a PostgreSQL with {@code wal_level=logical} (the local
 * stack's, once it runs with the configuration postgres.sh writes; else a private one started by
 * the same script, see {@link PrivateStack}), a fresh store database and a fresh ERP database on
 * it, and a Kafka Connect worker in this JVM (the standalone herder, as connect.sh runs it) with
 * Debezium's connector configured from {@code deploy/local/connect/}.
 */
public final class ErpTestStack implements AutoCloseable {

    private final PrivateStack privateStack;
    private final StoreConnection admin;
    public final StoreConnection store;
    public final StoreConnection erp;
    public final String slot;
    private final String bootstrap;
    private final String changesTopic;
    private final Path offsets;
    private final Path root = FlinkSqlScripts.root();
    private Connect<StandaloneHerder> connect;

    /** Where the PostgreSQL came from, for the test's report. */
    public final String postgres;

    private ErpTestStack(
            PrivateStack privateStack,
            StoreConnection admin,
            String bootstrap,
            String changesTopic,
            Path work,
            String postgres)
            throws Exception {
        this.privateStack = privateStack;
        this.admin = admin;
        this.postgres = postgres;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String storeDb = "wf_erpstore_" + suffix;
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + storeDb);
        }
        this.store = admin.withDatabase(storeDb);
        Migrations.apply(store.url(), store.user(), store.password());
        this.erp = ErpDatabase.ensure(admin, "wf_erp_" + suffix);
        this.slot = "wf_erp_" + suffix;
        this.bootstrap = bootstrap;
        this.changesTopic = changesTopic;
        Files.createDirectories(work);
        this.offsets = work.resolve("offsets-" + suffix + ".dat");
    }

    /**
     * A stack on a logical-decoding PostgreSQL: the local one when it is so configured, else a
     * private one under {@code work}.
     */
    public static ErpTestStack start(String bootstrap, String changesTopic, Path work)
            throws Exception {
        StoreConnection shared = StoreConnection.fromEnvironment();
        String level;
        try {
            level = ErpDatabase.walLevel(shared);
        } catch (SQLException e) {
            level = "unreachable (" + e.getMessage() + ")";
        }
        if ("logical".equals(level))
            return new ErpTestStack(null, shared, bootstrap, changesTopic, work, "local stack");
        PrivateStack p =
                new PrivateStack(FlinkSqlScripts.root(), work.resolve("private-pg")).prepare();
        try {
            p.script("postgres.sh", "up");
            StoreConnection admin = p.admin();
            if (!"logical".equals(ErpDatabase.walLevel(admin)))
                throw new IllegalStateException("postgres.sh did not configure wal_level=logical");
            return new ErpTestStack(
                    p,
                    admin,
                    bootstrap,
                    changesTopic,
                    work,
                    "private PostgreSQL (the local one runs with wal_level="
                            + level
                            + " until it is restarted)");
        } catch (Exception e) {
            p.close();
            throw e;
        }
    }

    /**
     * Starts the worker with the connector (snapshot on its first start, then streaming), waits for
     * its task to run.
     */
    public void startConnect() throws Exception {
        Map<String, String> vars =
                Map.of(
                        "BOOTSTRAP",
                        bootstrap,
                        "CONNECT_PORT",
                        Integer.toString(freePort()),
                        "OFFSETS_FILE",
                        offsets.toString(),
                        "PG_PORT",
                        Integer.toString(port()),
                        "ERP_DB",
                        database(erp),
                        "SLOT",
                        slot,
                        "CHANGES_TOPIC",
                        changesTopic);
        Map<String, String> worker = properties("worker.properties", vars);
        Map<String, String> connector = properties("erp-connector.properties", vars);
        // tests: the slot confirms quickly, so that reconcile sees the capture caught up within
        // seconds
        connector.put("heartbeat.interval.ms", "1000");
        connect = new org.apache.kafka.connect.cli.ConnectStandalone().startConnect(worker);
        FutureCallback<
                        org.apache.kafka.connect.runtime.Herder.Created<
                                org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>>
                cb = new FutureCallback<>();
        connect.herder().putConnectorConfig(connector.get("name"), connector, true, cb);
        cb.get(60, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try {
                ConnectorStateInfo s = connect.herder().connectorStatus(connector.get("name"));
                if (!s.tasks().isEmpty() && "RUNNING".equals(s.tasks().get(0).state())) return;
                if (!s.tasks().isEmpty() && "FAILED".equals(s.tasks().get(0).state())) {
                    throw new IllegalStateException(
                            "connector task failed: " + s.tasks().get(0).trace());
                }
            } catch (org.apache.kafka.connect.errors.NotFoundException e) {
                // not yet
            }
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("the connector's task did not run in 120 s");
            Thread.sleep(200);
        }
    }

    /**
     * Stops the worker (the connector and its task; the slot stays, the offsets file keeps its
     * position).
     */
    public void stopConnect() {
        if (connect == null) return;
        connect.stop();
        connect.awaitStop();
        connect = null;
    }

    private Map<String, String> properties(String file, Map<String, String> vars)
            throws IOException {
        String text = Files.readString(root.resolve("deploy/local/connect").resolve(file));
        for (Map.Entry<String, String> v : vars.entrySet())
            text = text.replace("${" + v.getKey() + "}", v.getValue());
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        Map<String, String> m = new HashMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    private int port() {
        String rest = admin.url().substring("jdbc:postgresql://".length());
        String hostPort = rest.substring(0, rest.indexOf('/'));
        return Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
    }

    private static String database(StoreConnection c) {
        return c.url().replaceFirst("^.*/", "").replaceFirst("\\?.*$", "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        stopConnect();
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                            + slot
                            + "'");
            s.execute("DROP DATABASE IF EXISTS " + database(erp) + " WITH (FORCE)");
            s.execute("DROP DATABASE IF EXISTS " + database(store) + " WITH (FORCE)");
        } catch (SQLException e) {
            System.out.println("ErpTestStack: cleanup: " + e.getMessage());
        }
        if (privateStack != null) privateStack.close();
    }
}

package dev.whyflow.simulator;

import dev.whyflow.erp.ErpDatabase;
import dev.whyflow.sql.StoreConnection;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * The simulator's {@code --erp} options: where the ERP database is, opening it, the summary line.
 */
final class ErpCli {

    private ErpCli() {}

    static String defaultUrl(Map<String, String> env) {
        String store = env.getOrDefault("WHYFLOW_PG_URL", StoreConnection.DEFAULT_URL);
        return new StoreConnection(store, "", "").withDatabase(ErpDatabase.DEFAULT_DATABASE).url();
    }

    static ErpSide open(String url, ShopSimulation sim, Map<String, String> env)
            throws SQLException {
        String user = env.getOrDefault("WHYFLOW_PG_USER", StoreConnection.DEFAULT_USER);
        String password = env.getOrDefault("WHYFLOW_PG_PASSWORD", StoreConnection.DEFAULT_PASSWORD);
        StoreConnection admin = new StoreConnection(url, user, password);
        String database = url.replaceFirst("^.*/", "").replaceFirst("\\?.*$", "");
        StoreConnection erp = ErpDatabase.ensure(admin.withDatabase("postgres"), database);
        return ErpSide.open(erp.open(), sim);
    }

    static String summary(ErpSide erp, String url, Path manifest) {
        return "erp "
                + url
                + ": "
                + erp.transactions()
                + " transactions "
                + erp.counts()
                + ", "
                + erp.expectedEvents().size()
                + " events expected from capture, "
                + erp.linkedOrders().size()
                + " storefront orders linked; manifest "
                + manifest;
    }
}

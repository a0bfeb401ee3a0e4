package dev.whyflow.erp;

import dev.whyflow.cli.WhyflowCli;
import dev.whyflow.sql.StoreConnection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code whyflow erp-database [NAME]}: {@link ErpDatabase#ensure} on the store's server ({@code
 * connect.sh up} runs it).
 */
@Command(
        name = "erp-database",
        description = {
            "Creates the simulated shop's ERP database when missing and applies its schema",
            "On the store's server (WHYFLOW_PG_URL, _USER, _PASSWORD); ./whyflow up runs it before the capture starts."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:ready", "1:failed", "2:usage error"})
public final class ErpDatabaseCli implements Callable<Integer> {

    @Parameters(
            arity = "0..1",
            paramLabel = "NAME",
            defaultValue = ErpDatabase.DEFAULT_DATABASE,
            description = "the database (default ${DEFAULT-VALUE})")
    String name;

    @ParentCommand WhyflowCli whyflow;

    private ErpDatabaseCli() {}

    @Override
    public Integer call() throws SQLException {
        StoreConnection erp = ErpDatabase.ensure(StoreConnection.fromEnvironment(), name);
        whyflow.out().println("erp database ready: " + erp.url());
        return 0;
    }
}

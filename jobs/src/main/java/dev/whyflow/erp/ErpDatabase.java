package dev.whyflow.erp;

import dev.whyflow.sql.StoreConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * The simulated shop's ERP database: its schema ({@code sql/erp}, on the classpath as {@code
 * db/erp}, applied with Flyway into a database of its own) and what the capture needs to know of
 * it.
 */
public final class ErpDatabase {

    public static final String LOCATION = "classpath:db/erp";

    /** The one publication Debezium reads (created by the schema). */
    public static final String PUBLICATION = "whyflow_erp";

    /**
     * The login of the capture: REPLICATION, SELECT on the captured tables (created by the schema).
     */
    public static final String CDC_USER = "whyflow_cdc";

    public static final String CDC_PASSWORD = "whyflow_cdc";

    /** Default name of the ERP database on the local stack. */
    public static final String DEFAULT_DATABASE = "erp";

    private ErpDatabase() {}

    /**
     * Creates database {@code name} on the server of {@code admin} when missing, and applies the
     * ERP schema.
     */
    public static StoreConnection ensure(StoreConnection admin, String name) throws SQLException {
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT 1 FROM pg_database WHERE datname = '"
                                    + name.replace("'", "''")
                                    + "'")) {
                if (!rs.next()) s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
            }
        }
        StoreConnection erp = admin.withDatabase(name);
        Flyway.configure()
                .dataSource(erp.url(), erp.user(), erp.password())
                .locations(LOCATION)
                .table("erp_schema_history")
                .load()
                .migrate();
        return erp;
    }

    /** The server's wal_level ("logical" is what CDC needs). */
    public static String walLevel(StoreConnection any) throws SQLException {
        try (Connection c = any.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            return rs.getString(1);
        }
    }
}

package dev.whyflow.sql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the store's schema migrations ({@code sql/migrations}, shipped on the classpath as {@code
 * db/migration}) with Flyway. Idempotent: applying twice applies nothing the second time.
 */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /** Applies every pending migration and returns how many were applied. */
    public static int apply(String jdbcUrl, String user, String password) {
        MigrateResult result =
                Flyway.configure()
                        .dataSource(jdbcUrl, user, password)
                        .locations(LOCATION)
                        .load()
                        .migrate();
        return result.migrationsExecuted;
    }

    /**
     * {@code java -cp … dev.whyflow.sql.Migrations [JDBC_URL USER PASSWORD]}; defaults from the
     * environment.
     */
    public static void main(String[] args) {
        StoreConnection store =
                args.length == 3
                        ? new StoreConnection(args[0], args[1], args[2])
                        : StoreConnection.fromEnvironment();
        int applied = apply(store.url(), store.user(), store.password());
        System.out.println("migrations applied: " + applied + " (" + store.url() + ")");
    }
}

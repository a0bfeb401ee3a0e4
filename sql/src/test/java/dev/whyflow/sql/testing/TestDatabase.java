package dev.whyflow.sql.testing;

import dev.whyflow.sql.Migrations;
import dev.whyflow.sql.StoreConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL (started by {@code ./whyflow test}), migrated, per test
 * class; dropped on close. Tests never share tables, so they can run in any order.
 */
public final class TestDatabase implements AutoCloseable {

    private final StoreConnection admin;
    private final StoreConnection store;
    private final String name;

    private TestDatabase(StoreConnection admin, String name) {
        this.admin = admin;
        this.name = name;
        this.store = admin.withDatabase(name);
    }

    /** Creates and migrates a new database named {@code wf_<prefix>_<random>}. */
    public static TestDatabase create(String prefix) {
        StoreConnection admin = StoreConnection.fromEnvironment();
        String name =
                ("wf_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8))
                        .toLowerCase()
                        .replaceAll("[^a-z0-9_]", "_");
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create a test database on "
                            + admin
                            + ": is the local PostgreSQL up? (./whyflow up postgres)",
                    e);
        }
        TestDatabase db = new TestDatabase(admin, name);
        Migrations.apply(db.store.url(), db.store.user(), db.store.password());
        return db;
    }

    public StoreConnection store() {
        return store;
    }

    public String name() {
        return name;
    }

    public Connection open() throws SQLException {
        return store.open();
    }

    @Override
    public void close() {
        try (Connection c = admin.open();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + name, e);
        }
    }
}

package dev.whyflow.sql;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * Where the Whyflow store is: a JDBC URL and credentials. Defaults point at the local stack ({@code
 * ./whyflow up}); the environment variables WHYFLOW_PG_URL, WHYFLOW_PG_USER and WHYFLOW_PG_PASSWORD
 * override them.
 */
public record StoreConnection(String url, String user, String password) implements Serializable {

    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/whyflow";
    public static final String DEFAULT_USER = "whyflow";
    public static final String DEFAULT_PASSWORD = "whyflow";

    public static StoreConnection fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static StoreConnection fromEnvironment(Map<String, String> env) {
        return new StoreConnection(
                env.getOrDefault("WHYFLOW_PG_URL", DEFAULT_URL),
                env.getOrDefault("WHYFLOW_PG_USER", DEFAULT_USER),
                env.getOrDefault("WHYFLOW_PG_PASSWORD", DEFAULT_PASSWORD));
    }

    /**
     * A new connection through this classloader's own PostgreSQL driver, never through {@code
     * DriverManager}: in a Flink TaskManager the driver DriverManager knows may have been
     * registered from another job's user-code classloader, and DriverManager hides a driver whose
     * class the caller cannot see, so it answered "No suitable driver" once after a restart.
     */
    public Connection open() throws SQLException {
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) throw new SQLException("not a PostgreSQL JDBC URL: " + url, "08001");
        return c;
    }

    /** The same server and credentials, another database. */
    public StoreConnection withDatabase(String database) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?', slash);
        String suffix = query < 0 ? "" : url.substring(query);
        return new StoreConnection(url.substring(0, slash + 1) + database + suffix, user, password);
    }

    @Override
    public String toString() {
        return "StoreConnection[" + url + " as " + user + "]";
    }
}

package dev.whyflow.sql;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.DriverManager;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TaskManager case behind "No suitable driver": the only PostgreSQL driver DriverManager holds
 * was registered from another classloader (another job's user code), and this classloader's own
 * driver class is already initialized, so it registers nothing more. {@link StoreConnection#open}
 * must still reach the server through its own driver.
 */
class StoreConnectionTest {

    @Test
    void opensThroughItsOwnDriverWhenDriverManagerOnlyKnowsAnotherClassloadersDriver() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StoreConnection store = new StoreConnection("jdbc:postgresql://127.0.0.1:" + closedPort + "/whyflow?connectTimeout=2",
                "whyflow", "whyflow");
        URL driverJar = org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
        boolean ownWasRegistered = org.postgresql.Driver.isRegistered();
        if (ownWasRegistered) org.postgresql.Driver.deregister();
        try (URLClassLoader otherJob = new URLClassLoader(new URL[]{driverJar}, ClassLoader.getPlatformClassLoader())) {
            Class<?> foreign = Class.forName("org.postgresql.Driver", true, otherJob); // registers itself
            try {
                assertThat(foreign).isNotSameAs(org.postgresql.Driver.class);
                // the failure seen after a TaskManager restart
                assertThatThrownBy(() -> DriverManager.getConnection(store.url(), store.user(), store.password()))
                        .isInstanceOf(SQLException.class).hasMessageContaining("No suitable driver");
                // open() finds its driver and gets as far as the network: the port is closed
                assertThatThrownBy(store::open)
                        .isInstanceOf(org.postgresql.util.PSQLException.class)
                        .hasMessageContaining("127.0.0.1:" + closedPort)
                        .hasMessageNotContaining("No suitable driver");
            } finally {
                foreign.getMethod("deregister").invoke(null);
            }
        } finally {
            if (ownWasRegistered) org.postgresql.Driver.register();
        }
    }

    @Test
    void refusesAUrlThatIsNotPostgres() {
        assertThatThrownBy(() -> new StoreConnection("jdbc:mysql://127.0.0.1/whyflow", "u", "p").open())
                .isInstanceOf(SQLException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
    }
}

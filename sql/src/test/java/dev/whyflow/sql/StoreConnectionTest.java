package dev.whyflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.sql.testing.ForeignPostgresDriver;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The TaskManager case behind "No suitable driver" ({@link ForeignPostgresDriver}): {@link
 * StoreConnection#open} must still reach the server through its own driver.
 */
// alone, not beside other unit test classes: it registers a driver in the JVM-wide DriverManager
@Isolated
class StoreConnectionTest {

    @Test
    void opensThroughItsOwnDriverWhenDriverManagerOnlyKnowsAnotherClassloadersDriver()
            throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StoreConnection store =
                new StoreConnection(
                        "jdbc:postgresql://127.0.0.1:" + closedPort + "/whyflow?connectTimeout=2",
                        "whyflow",
                        "whyflow");
        ForeignPostgresDriver.whileRegistered(
                () -> {
                    // the failure seen after a TaskManager restart
                    assertThatThrownBy(
                                    () ->
                                            DriverManager.getConnection(
                                                    store.url(), store.user(), store.password()))
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("No suitable driver");
                    // open() finds its driver and gets as far as the network: the port is closed
                    assertThatThrownBy(store::open)
                            .isInstanceOf(org.postgresql.util.PSQLException.class)
                            .hasMessageContaining("127.0.0.1:" + closedPort)
                            .hasMessageNotContaining("No suitable driver");
                });
        assertThat(org.postgresql.Driver.isRegistered()).isTrue();
    }

    @Test
    void refusesAUrlThatIsNotPostgres() {
        assertThatThrownBy(
                        () ->
                                new StoreConnection("jdbc:mysql://127.0.0.1/whyflow", "u", "p")
                                        .open())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("not a PostgreSQL JDBC URL");
    }
}

package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.whyflow.sql.StoreConnection;
import dev.whyflow.sql.testing.ForeignPostgresDriver;
import java.net.ServerSocket;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The engine's connections in a TaskManager whose DriverManager holds only another job's PostgreSQL
 * driver ({@link ForeignPostgresDriver}): they still go out through this classloader's driver (to a
 * closed port here, so they are refused), never "No suitable driver".
 */
// alone, not beside other unit test classes: it registers a driver in the JVM-wide DriverManager
@Isolated
class QueryEnginePoolTest {

    @Test
    void thePoolAndItsDirectConnectionsUseTheirOwnDriver() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        StoreConnection store =
                new StoreConnection(
                        "jdbc:postgresql://127.0.0.1:" + closedPort + "/whyflow",
                        "whyflow",
                        "whyflow");
        QueryEngine.Settings settings =
                QueryEngine.Settings.defaults().withPoolSize(1).withConnectTimeoutMs(500);
        ForeignPostgresDriver.whileRegistered(
                () -> {
                    DataSource direct = QueryEngine.store(store, settings);
                    assertRefusedByTheServerNotTheDriverManager(
                            catchThrowableOfType(SQLException.class, direct::getConnection),
                            closedPort);
                    try (var pool = QueryEngine.pool(store, settings)) {
                        assertRefusedByTheServerNotTheDriverManager(
                                catchThrowableOfType(SQLException.class, pool::getConnection),
                                closedPort);
                    }
                });
    }

    private static void assertRefusedByTheServerNotTheDriverManager(SQLException e, int port) {
        assertThat((Throwable) e).as("a connection to a closed port").isNotNull();
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause())
            chain.append(t.getMessage()).append(" | ");
        assertThat(chain.toString())
                .contains("127.0.0.1:" + port)
                .doesNotContain("No suitable driver");
        assertThat(QueryEngine.storeError(e)).isEqualTo("STORE_UNAVAILABLE");
    }
}

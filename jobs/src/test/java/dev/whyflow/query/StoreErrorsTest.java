package dev.whyflow.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;

/**
 * Which failures are the store's (STORE_UNAVAILABLE: ask again later) and which are the question's
 * own, and the timeouts that make an outage known before a question's deadline.
 */
class StoreErrorsTest {

    @Test
    void connectionFailuresAreStoreUnavailable() {
        // refused or unreachable at connect, broken mid-statement, closed, the pool's own timeout
        assertThat(
                        QueryEngine.storeError(
                                new SQLException("Connection to 127.0.0.1:1 refused", "08001")))
                .isEqualTo("STORE_UNAVAILABLE");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException(
                                        "An I/O error occurred while sending to the backend",
                                        "08006")))
                .isEqualTo("STORE_UNAVAILABLE");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException("This connection has been closed.", "08003")))
                .isEqualTo("STORE_UNAVAILABLE");
        assertThat(
                        QueryEngine.storeError(
                                new SQLTransientConnectionException(
                                        "whyflow-query - Connection is not available")))
                .isEqualTo("STORE_UNAVAILABLE");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException(
                                        "terminating connection due to administrator command",
                                        "57P01")))
                .isEqualTo("STORE_UNAVAILABLE");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException(
                                        "read failed",
                                        null,
                                        new SocketTimeoutException("Read timed out"))))
                .isEqualTo("STORE_UNAVAILABLE");
    }

    @Test
    void whatTheServerRefusesKeepsItsOwnCode() {
        assertThat(
                        QueryEngine.storeError(
                                new SQLException(
                                        "canceling statement due to statement timeout", "57014")))
                .isEqualTo("QUERY_TIMEOUT");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException("permission denied for table events", "42501")))
                .isEqualTo("NOT_PERMITTED");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException("invalid input syntax for type integer", "22P02")))
                .isEqualTo("STORE_ERROR");
        assertThat(
                        QueryEngine.storeError(
                                new SQLException(
                                        "relation \"order_vectors\" does not exist", "42P01")))
                .isEqualTo("STORE_ERROR");
    }

    @Test
    void theStoreUnavailableAnswerIsHonestAndActionable() {
        Answer a =
                Answers.failed(
                        "How many orders today?",
                        "STORE_UNAVAILABLE",
                        "whyflow-query - Connection is not available, request timed out after 5001ms.\n\tat com.zaxxer.hikari.pool.HikariPool");
        assertThat(a.error()).isEqualTo("STORE_UNAVAILABLE");
        assertThat(a.text())
                .contains("cannot be reached")
                .contains("ask again")
                .contains("./whyflow status")
                .doesNotContain("\tat ");
        assertThat(a.confidence().value()).isZero();
        assertThat(a.confidence().signals().get("reason").toString()).doesNotContain("\tat ");
        assertThat(a.figures()).isEmpty();
    }

    @Test
    void anOutageIsKnownBeforeTheQuestionsDeadline() {
        QueryOptions defaults = QueryOptions.fromArgs(ParameterTool.fromArgs(new String[0]));
        QueryEngine.Settings s = defaults.engineSettings();
        assertThat(s.connectTimeoutMs()).isEqualTo(5_000);
        assertThat(s.socketTimeoutMs()).isEqualTo(10_000);
        assertThat(s.outageDetectionMs())
                .isEqualTo(15_000)
                .isLessThan(defaults.answerTimeout().toMillis());
        assertThat(s.answerTimeoutMs()).isEqualTo(30_000);
        // a deadline the store's timeouts cannot meet is refused at start, not discovered in an
        // outage
        assertThatThrownBy(
                        () ->
                                QueryOptions.fromArgs(
                                        ParameterTool.fromArgs(
                                                new String[] {"--query.timeout", "12s"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query.connect.timeout");
    }
}

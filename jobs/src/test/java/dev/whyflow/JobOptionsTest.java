package dev.whyflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whyflow.JobOptions.StartingOffset;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;

class JobOptionsTest {

    private static Configuration conf(Map<String, String> env, String... args) {
        return JobOptions.configuration(ParameterTool.fromArgs(args), env);
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env =
                Map.of(
                        "WHYFLOW_KAFKA_BOOTSTRAP",
                        "broker:9092",
                        "WHYFLOW_PG_USER",
                        "ana",
                        "WHYFLOW_SOMETHING_ELSE",
                        "ignored");
        Configuration c = conf(env, "--pg.user", "bob");
        assertThat(JobOptions.get(c, JobOptions.KAFKA_BOOTSTRAP)).isEqualTo("broker:9092");
        assertThat(JobOptions.get(c, JobOptions.PG_USER)).isEqualTo("bob");
        assertThat(JobOptions.get(c, JobOptions.PG_URL))
                .isEqualTo("jdbc:postgresql://127.0.0.1:55432/whyflow");
        assertThat(JobOptions.get(conf(Map.of()), JobOptions.KAFKA_BOOTSTRAP))
                .isEqualTo("127.0.0.1:59092");
    }

    @Test
    void valuesParseByTheirTypeAndABadOneIsRefusedNamingItsOption() {
        ConfigOption<StartingOffset> start = JobOptions.start(StartingOffset.EARLIEST);
        assertThat(JobOptions.get(conf(Map.of(), "--start", "latest"), start))
                .isEqualTo(StartingOffset.LATEST);
        assertThat(JobOptions.get(conf(Map.of(), "--session.gap", "20s"), JobOptions.SESSION_GAP))
                .isEqualTo(Duration.ofSeconds(20));
        assertThatThrownBy(
                        () ->
                                JobOptions.get(
                                        conf(Map.of(), "--session.gap", "soon"),
                                        JobOptions.SESSION_GAP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--session.gap soon: expected a duration like 250ms, 30s, 15min, 4h or 7d");
        assertThatThrownBy(() -> JobOptions.get(conf(Map.of(), "--start", "middle"), start))
                .hasMessage("--start middle: expected one of earliest, latest");
        assertThatThrownBy(
                        () ->
                                JobOptions.get(
                                        conf(Map.of(), "--sink.batch.size", "many"),
                                        JobOptions.sinkBatchSize(5, "rows")))
                .hasMessage("--sink.batch.size many: expected a whole number");
    }

    @Test
    void theTableShowsDefaultsAsOneWritesThemAndTheVariablesThatStandInForThem() {
        String table =
                JobOptions.markdownTable(
                        List.of(
                                JobOptions.KAFKA_BOOTSTRAP,
                                JobOptions.SESSION_GAP,
                                JobOptions.start(StartingOffset.LATEST),
                                JobOptions.sinkFlushInterval(Duration.ofMillis(200)),
                                JobOptions.checkpointInterval(Duration.ofHours(24), "a | b")));
        assertThat(table)
                .isEqualTo(
                        """
                | key | default | meaning |
                |---|---|---|
                | `kafka.bootstrap` | `127.0.0.1:59092` (or `$WHYFLOW_KAFKA_BOOTSTRAP`) | Kafka bootstrap servers |
                | `session.gap` | `30min` | inactivity that ends a session; CaptureJob and PatternJob must agree on it |
                | `start` | `latest` | where to start when the group has no committed offset: earliest or latest |
                | `sink.flush.interval` | `200ms` | longest time a row waits in a batch |
                | `checkpoint.interval` | `1d` | a \\| b |
                """);
    }
}

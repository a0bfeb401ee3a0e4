package dev.whyflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A test JVM whose in-process broker is still running when the JVM exits must exit with the code
 * the tests gave it. Kafka's TestUtils deletes the broker's directories in a shutdown hook; the
 * broker's next checkpoint write then fails and it calls {@code Exit.halt(1)}, which, during a slow
 * exit (Flink and the test framework have hooks of their own), became the fork's exit code and
 * failed the build after every test had passed. {@link ExitingWithABrokerRunning} reproduces that:
 * without the guard in {@link KafkaTestBroker} it exits with 1.
 */
class KafkaTestBrokerExitIT {

    @Test
    void aBrokerStillRunningWhenTheJvmExitsLeavesTheExitCodeAlone() throws Exception {
        Path log = Files.createTempFile("broker-exit", ".log");
        Process p =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-cp",
                                        System.getProperty(
                                                "surefire.test.class.path",
                                                System.getProperty("java.class.path")),
                                        ExitingWithABrokerRunning.class.getName()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("the JVM exited").isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        Files.deleteIfExists(log);
    }

    /**
     * Starts the broker, keeps producing, and exits 0 with a shutdown hook slower than the broker's
     * checkpoints.
     */
    public static final class ExitingWithABrokerRunning {
        public static void main(String[] args) throws Exception {
            String topic = KafkaTestBroker.newTopic("exit", 2);
            KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
            Thread sending =
                    new Thread(
                            () -> {
                                while (true)
                                    producer.send(new ProducerRecord<>(topic, new byte[1000]));
                            });
            sending.setDaemon(true);
            sending.start();
            Thread.sleep(3_000);
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            Thread.sleep(7_000); // longer than
                                            // replica.high.watermark.checkpoint.interval.ms (5 s)
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    }));
            System.exit(0);
        }
    }
}

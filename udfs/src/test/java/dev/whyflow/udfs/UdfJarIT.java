package dev.whyflow.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The packaged target/whyflow-udfs.jar: its contents, and the functions loaded from it alone. */
class UdfJarIT {

    private static final Path JAR = Path.of("target", "whyflow-udfs.jar");

    @Test
    void jarHoldsTheLibraryRuntimeAndModelButNoFlinkOrForeignNatives() throws Exception {
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertThat(names)
                    .contains(
                            "dev/whyflow/udfs/EmbedFunction.class",
                            "dev/whyflow/embeddings/OnnxEmbedder.class",
                            "ai/onnxruntime/OrtSession.class",
                            "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                            "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
                            "all-minilm-l6-v2-q.onnx",
                            "all-minilm-l6-v2-q-tokenizer.json",
                            "dev/whyflow/udfs/shaded/com/fasterxml/jackson/databind/ObjectMapper.class");
            assertThat(names)
                    .noneMatch(n -> n.startsWith("org/apache/flink/"))
                    .as("Jackson relocated")
                    .noneMatch(n -> n.startsWith("com/fasterxml/"))
                    .noneMatch(n -> n.startsWith("dev/langchain4j/") || n.startsWith("ai/djl/"))
                    .noneMatch(
                            n ->
                                    n.startsWith("ai/onnxruntime/native/")
                                            && !n.startsWith("ai/onnxruntime/native/linux-x64/")
                                            && !n.equals("ai/onnxruntime/native/"));
        }
    }

    @Test
    void functionsRunFromTheJarAlone() throws Exception {
        String testClasspath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        String classpath =
                Arrays.stream(testClasspath.split(File.pathSeparator))
                        .filter(
                                entry ->
                                        !entry.contains("whyflow-embeddings")
                                                && !entry.contains("embeddings/target"))
                        .filter(
                                entry ->
                                        !entry.contains("onnxruntime")
                                                && !entry.contains("langchain4j"))
                        .filter(
                                entry ->
                                        !entry.contains("whyflow-udfs")
                                                && !entry.endsWith("udfs/target/classes"))
                        .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classpath);
        command.add(UdfJarSmoke.class.getName());
        command.add(JAR.toAbsolutePath().toString());
        command.add(Path.of("sql").toAbsolutePath().toString());
        Path log = Path.of("target", "udf-jar-smoke.log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        boolean finished = process.waitFor(4, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("smoke run finished; output:\n%s", output).isTrue();
        assertThat(process.exitValue()).as("exit code; output:\n%s", output).isZero();
        assertThat(output).contains("UDF JAR OK");
    }
}

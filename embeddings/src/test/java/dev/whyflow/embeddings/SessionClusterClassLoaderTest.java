package dev.whyflow.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.onnxruntime.OrtEnvironment;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a Flink session cluster does when a job is submitted twice: each submission gets its own
 * user-code classloader over the job's jars, in the same TaskManager JVM. Here: isolated
 * classloaders (parent = platform loader, so nothing leaks in from the test classpath) over this
 * module's classes, the ONNX Runtime, Jackson and model jars, each loading the library and
 * embedding, the first still open while the second loads.
 */
class SessionClusterClassLoaderTest {

    private static final String TEXT = "returning customer abandoned the cart at shipping costs";

    @Test
    void libraryLoadsAndEmbedsInTwoClassLoadersOfOneJvm() throws Exception {
        float[] expected;
        try (OnnxEmbedder here = OnnxEmbedder.open(EmbeddingConfig.defaults())) {
            expected = here.embed(TEXT);
        }
        URL[] jars = {
            location(OnnxEmbedder.class),
            location(OrtEnvironment.class),
            location(com.fasterxml.jackson.databind.ObjectMapper.class),
            location(com.fasterxml.jackson.core.JsonParser.class),
            location(com.fasterxml.jackson.annotation.JsonInclude.class),
            jarOf("/" + EmbeddingConfig.BUNDLED_MODEL)
        };
        try (URLClassLoader first =
                        new URLClassLoader("job-1", jars, ClassLoader.getPlatformClassLoader());
                URLClassLoader second =
                        new URLClassLoader("job-2", jars, ClassLoader.getPlatformClassLoader())) {
            Object firstLease = acquire(first);
            Object secondLease = acquire(second);
            try {
                assertThat(firstLease.getClass()).isNotEqualTo(secondLease.getClass());
                assertThat(first.loadClass(OrtEnvironment.class.getName()))
                        .isNotEqualTo(OrtEnvironment.class);
                for (Object lease : new Object[] {firstLease, secondLease}) {
                    float[] v =
                            (float[])
                                    lease.getClass()
                                            .getMethod("embed", String.class)
                                            .invoke(lease, TEXT);
                    assertThat(Vectors.cosine(v, expected)).isGreaterThanOrEqualTo(0.9999);
                }
            } finally {
                close(firstLease);
                close(secondLease);
            }
        }
        // a resubmission after both jobs went away: a fresh classloader again
        try (URLClassLoader third =
                new URLClassLoader("job-3", jars, ClassLoader.getPlatformClassLoader())) {
            Object lease = acquire(third);
            try {
                float[] v =
                        (float[])
                                lease.getClass()
                                        .getMethod("embed", String.class)
                                        .invoke(lease, TEXT);
                assertThat(Vectors.cosine(v, expected)).isGreaterThanOrEqualTo(0.9999);
            } finally {
                close(lease);
            }
        }
    }

    /**
     * The pitfall the pure-Java tokenizer avoids: DJL's HuggingFace tokenizer (what langchain4j
     * uses) cannot load its native library in a second classloader.
     */
    @Test
    void djlTokenizerFailsInASecondClassLoader() throws Exception {
        URL[] jars = {
            location(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.class),
            location(ai.djl.util.Utils.class),
            location(com.google.gson.Gson.class),
            location(com.sun.jna.Native.class),
            location(org.slf4j.Logger.class),
            location(org.apache.commons.compress.archivers.ArchiveEntry.class),
            location(org.apache.commons.io.IOUtils.class),
            location(org.apache.commons.codec.Charsets.class),
        };
        try (URLClassLoader first =
                        new URLClassLoader("djl-1", jars, ClassLoader.getPlatformClassLoader());
                URLClassLoader second =
                        new URLClassLoader("djl-2", jars, ClassLoader.getPlatformClassLoader())) {
            catchThrowable(
                    () -> djlTokenizer(first)); // fails already if the test classpath loaded it
            Throwable failure = catchThrowable(() -> djlTokenizer(second));
            assertThat(rootCause(failure))
                    .isInstanceOf(UnsatisfiedLinkError.class)
                    .hasMessageContaining("already loaded in another classloader");
        }
    }

    private static void djlTokenizer(ClassLoader loader) throws Exception {
        Class<?> type = loader.loadClass("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer");
        try (InputStream json = BundledModel.tokenizerStream()) {
            Object tokenizer =
                    type.getMethod("newInstance", InputStream.class, Map.class)
                            .invoke(null, json, Map.of("padding", "false"));
            ((AutoCloseable) tokenizer).close();
        }
    }

    private static Object acquire(ClassLoader loader) throws Exception {
        Class<?> configType = loader.loadClass(EmbeddingConfig.class.getName());
        Object config = configType.getMethod("defaults").invoke(null);
        return loader.loadClass(SharedEmbedders.class.getName())
                .getMethod("acquire", configType)
                .invoke(null, config);
    }

    private static void close(Object lease) throws Exception {
        ((AutoCloseable) lease).close();
    }

    private static URL location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static URL jarOf(String resource) throws Exception {
        URL url = SessionClusterClassLoaderTest.class.getResource(resource);
        return ((JarURLConnection) url.openConnection()).getJarFileURL();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (true) {
            Throwable next =
                    cause instanceof InvocationTargetException ite
                            ? ite.getCause()
                            : cause.getCause();
            if (next == null || next == cause) {
                return cause;
            }
            cause = next;
        }
    }
}

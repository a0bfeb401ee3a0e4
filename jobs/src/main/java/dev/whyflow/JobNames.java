package dev.whyflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The names the jobs run under on a Flink cluster, from {@code /whyflow/jobs.properties}: the file
 * {@code ./whyflow} reads too, to find (and cancel) a running job by its name before submitting it
 * again, so the two cannot disagree.
 */
public final class JobNames {

    public static final String RESOURCE = "/whyflow/jobs.properties";

    private JobNames() {}

    /**
     * The name the job with this main class runs under; fails for a class the file does not list.
     */
    public static String of(Class<?> mainClass) {
        String name = all().get(mainClass.getName());
        if (name == null)
            throw new IllegalStateException(RESOURCE + " has no name for " + mainClass.getName());
        return name;
    }

    /** Main class name to job name, every job of the file. */
    public static Map<String, String> all() {
        Properties p = new Properties();
        try (InputStream in = JobNames.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("no " + RESOURCE + " on the classpath");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new TreeMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v.toString().trim()));
        return m;
    }
}

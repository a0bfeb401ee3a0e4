package dev.whyflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.capture.CaptureOptions;
import dev.whyflow.erp.ErpCaptureOptions;
import dev.whyflow.patterns.PatternOptions;
import dev.whyflow.query.QueryOptions;
import dev.whyflow.vectors.EmbeddingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The README's table of each job's options is generated from the job's ConfigOptions. */
class JobOptionsReadmeTest {

    private static final Path README = Path.of("..", "README.md");
    private static final String REGENERATE =
            "mvn -pl jobs -am test -Dtest=JobOptionsReadmeTest -Dsurefire.failIfNoSpecifiedTests=false"
                    + " -Dwhyflow.readme.write=true";

    /** Each job and the options it reads, as its README table lists them. */
    private static final Map<String, List<ConfigOption<?>>> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("CaptureJob", CaptureOptions.OPTIONS);
        JOBS.put("PatternJob", PatternOptions.OPTIONS);
        JOBS.put("EmbeddingJob", EmbeddingOptions.OPTIONS);
        JOBS.put("QueryJob", QueryOptions.OPTIONS);
        JOBS.put("ErpCaptureJob", ErpCaptureOptions.OPTIONS);
    }

    private static String begin(String job) {
        return "<!-- options:" + job + ":begin (generated from JobOptions.markdownTable) -->\n";
    }

    private static String end(String job) {
        return "<!-- options:" + job + ":end -->";
    }

    @Test
    void theReadmesTablesOfJobOptionsAreGeneratedFromTheirConfigOptions() throws IOException {
        String readme = Files.readString(README);
        for (Map.Entry<String, List<ConfigOption<?>>> job : JOBS.entrySet()) {
            assertThat(readme)
                    .as("README.md's markers of %s's options", job.getKey())
                    .contains(begin(job.getKey()))
                    .contains(end(job.getKey()));
            String table =
                    readme.substring(
                            readme.indexOf(begin(job.getKey())) + begin(job.getKey()).length(),
                            readme.indexOf(end(job.getKey())));
            assertThat(table)
                    .as(
                            "README.md's table of %s's options; regenerate it with: %s",
                            job.getKey(), REGENERATE)
                    .isEqualTo(JobOptions.markdownTable(job.getValue()));
        }
    }

    @Test
    void everyJobReadsEachKeyOnceAndDescribesIt() {
        for (Map.Entry<String, List<ConfigOption<?>>> job : JOBS.entrySet()) {
            Set<String> keys = new HashSet<>();
            for (ConfigOption<?> o : job.getValue()) {
                assertThat(keys.add(o.key()))
                        .as("%s lists %s twice", job.getKey(), o.key())
                        .isTrue();
                assertThat(o.description().getBlocks())
                        .as("%s: %s has a description", job.getKey(), o.key())
                        .isNotEmpty();
            }
        }
    }

    /**
     * Writes the tables into the README when asked (-Dwhyflow.readme.write=true), so that they are
     * never hand-edited.
     */
    @Test
    void writesTheTablesWhenAsked() throws IOException {
        if (!Boolean.getBoolean("whyflow.readme.write")) return;
        String readme = Files.readString(README);
        for (Map.Entry<String, List<ConfigOption<?>>> job : JOBS.entrySet()) {
            int from = readme.indexOf(begin(job.getKey())) + begin(job.getKey()).length();
            readme =
                    readme.substring(0, from)
                            + JobOptions.markdownTable(job.getValue())
                            + readme.substring(readme.indexOf(end(job.getKey())));
        }
        Files.writeString(README, readme);
    }
}

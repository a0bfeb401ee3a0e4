package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.JobNames;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One name per job, written once ({@code whyflow/jobs.properties}): each job's main method runs the
 * job under the name the file gives it, and {@code ./whyflow} submits only jobs the file names,
 * since it finds the copy to replace by that name (QueryJob ran as "whyflow QueryJob" while {@code
 * query start} looked for "whyflow-query", and a second QueryJob was added at each start).
 */
class JobNamesTest {

    private static final Path ROOT = FlinkSqlScripts.root();

    @Test
    void everyListedJobRunsUnderItsNameFromTheFile() throws Exception {
        Map<String, String> names = JobNames.all();
        assertThat(names)
                .containsEntry("dev.whyflow.query.QueryJob", "whyflow-query")
                .containsEntry("dev.whyflow.capture.CaptureJob", "whyflow-capture");
        for (Map.Entry<String, String> e : names.entrySet()) {
            assertThat(e.getValue()).as("name of %s", e.getKey()).matches("[a-z0-9][a-z0-9._-]*");
            Class<?> job = Class.forName(e.getKey());
            Method main = job.getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
            String source =
                    Files.readString(
                            ROOT.resolve(
                                    "jobs/src/main/java/"
                                            + e.getKey().replace('.', '/')
                                            + ".java"));
            assertThat(source)
                    .as("%s's main runs the job under the file's name", e.getKey())
                    .contains("env.execute(JobNames.of(" + job.getSimpleName() + ".class))");
        }
        assertThat(names.values()).doesNotHaveDuplicates();
    }

    @Test
    void theWhyflowScriptSubmitsOnlyJobsTheFileNames() throws Exception {
        String script = Files.readString(ROOT.resolve("whyflow"));
        Matcher m =
                Pattern.compile("(?m)^[^#\\n]*submit_job (dev\\.whyflow\\.[A-Za-z.]+)")
                        .matcher(script);
        int submitted = 0;
        while (m.find()) {
            assertThat(JobNames.all())
                    .as("./whyflow submits %s", m.group(1))
                    .containsKey(m.group(1));
            submitted++;
        }
        assertThat(submitted)
                .as("submit_job calls in ./whyflow (query start, demo)")
                .isGreaterThanOrEqualTo(5);
        assertThat(script).contains("jobs/src/main/resources/whyflow/jobs.properties");
    }
}

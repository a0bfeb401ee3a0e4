package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.util.ParameterTool;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files of deploy/ say only what the code can do: every manifest and compose file
 * parses; each of the four jobs has an application-mode FlinkDeployment, a FlinkSessionJob and a
 * submission in compose; every job class they name exists and has a main method; every {@code
 * --key} they pass is one of that job's options (CaptureJob → CaptureOptions, PatternJob →
 * PatternOptions, EmbeddingJob → EmbeddingOptions and the model's {@code whyflow.embeddings.*},
 * QueryJob → QueryOptions and the synthesizer's {@code whyflow.llm.*}) and its value parses; every
 * Flink configuration key is one of Flink's ConfigOptions (found by reflection) with a value of the
 * right type, or a known Kubernetes-operator key; every {@code WHYFLOW_*} environment variable they
 * set is one the code reads.
 */
class DeployManifestsTest {

    private static final Path ROOT = FlinkSqlScripts.root();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * Keys of the Flink Kubernetes Operator's own configuration (its "Operator Configuration
     * Reference"), which is not on this classpath.
     */
    private static final Set<String> OPERATOR_KEYS =
            Set.of(
                    "kubernetes.operator.periodic.savepoint.interval",
                    "kubernetes.operator.savepoint.history.max.count");

    private static final Map<String, ConfigOption<?>> FLINK_OPTIONS = flinkOptions();

    private static final Set<String> JOBS =
            Set.of(
                    "dev.whyflow.capture.CaptureJob",
                    "dev.whyflow.patterns.PatternJob",
                    "dev.whyflow.vectors.EmbeddingJob",
                    "dev.whyflow.query.QueryJob");

    /**
     * Option classes beside a job's own options record whose keys its arguments may carry: the
     * embedding model's (EmbeddingOptions passes {@code whyflow.embeddings.*} on) and the answer
     * synthesizer's (QueryOptions reads {@code whyflow.llm.*}).
     */
    private static final Map<String, List<String>> MORE_OPTIONS =
            Map.of(
                    "dev.whyflow.vectors.EmbeddingJob",
                            List.of("dev.whyflow.embeddings.EmbeddingConfig"),
                    "dev.whyflow.query.QueryJob",
                            List.of("dev.whyflow.query.synthesis.LlmOptions"));

    @Test
    void everyManifestAndComposeFileParses() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files)
                .extracting(f -> ROOT.relativize(f).toString())
                .contains(
                        "deploy/k8s/base.yaml",
                        "deploy/k8s/application/capture-job.yaml",
                        "deploy/k8s/application/pattern-job.yaml",
                        "deploy/k8s/application/embedding-job.yaml",
                        "deploy/k8s/application/query-job.yaml",
                        "deploy/k8s/session/session-cluster.yaml",
                        "deploy/k8s/session/capture-session-job.yaml",
                        "deploy/k8s/session/pattern-session-job.yaml",
                        "deploy/k8s/session/embedding-session-job.yaml",
                        "deploy/k8s/session/query-session-job.yaml",
                        "deploy/compose/docker-compose.yml");
        for (Path f : files) {
            assertThat(documents(f)).as("%s has YAML documents", f).isNotEmpty();
        }
    }

    @Test
    void flinkResourcesNameRealJobsArgumentsAndConfiguration() throws Exception {
        Map<String, JsonNode> sessionClusters = new HashMap<>();
        List<JsonNode> sessionJobs = new ArrayList<>();
        Set<String> secrets = new LinkedHashSet<>();
        List<String> applicationJobs = new ArrayList<>();
        List<String> sessionJobClasses = new ArrayList<>();
        for (Path f : yamlFiles()) {
            if (!f.startsWith(ROOT.resolve("deploy/k8s"))) continue;
            for (JsonNode doc : documents(f)) {
                String kind = doc.path("kind").asText();
                String where =
                        ROOT.relativize(f)
                                + " "
                                + kind
                                + " "
                                + doc.path("metadata").path("name").asText();
                if (!kind.equals("Namespace"))
                    assertThat(doc.path("metadata").path("namespace").asText())
                            .as(where)
                            .isEqualTo("whyflow");
                if (kind.equals("Secret")) secrets.add(doc.path("metadata").path("name").asText());
                if (!kind.equals("FlinkDeployment") && !kind.equals("FlinkSessionJob")) continue;
                assertThat(doc.path("apiVersion").asText())
                        .as(where)
                        .isEqualTo("flink.apache.org/v1beta1");
                JsonNode spec = doc.path("spec");
                checkFlinkConfiguration(where, spec.path("flinkConfiguration"));
                JsonNode job = spec.path("job");
                if (kind.equals("FlinkDeployment")) {
                    assertThat(spec.path("flinkVersion").asText())
                            .as(where)
                            .isEqualTo(flinkVersionEnum());
                    assertThat(spec.path("image").asText()).as(where).isNotBlank();
                    for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) {
                        for (JsonNode e : c.path("envFrom"))
                            secrets.add("ref:" + e.path("secretRef").path("name").asText());
                    }
                    if (job.isMissingNode())
                        sessionClusters.put(doc.path("metadata").path("name").asText(), doc);
                    else
                        assertThat(job.path("jarURI").asText())
                                .as(where)
                                .isEqualTo("local:///opt/flink/usrlib/whyflow-jobs.jar");
                } else {
                    sessionJobs.add(doc);
                    assertThat(job.path("jarURI").asText())
                            .as(where)
                            .endsWith(".jar")
                            .doesNotStartWith("local:");
                }
                if (job.isMissingNode()) continue;
                List<String> args = new ArrayList<>();
                job.path("args").forEach(a -> args.add(a.asText()));
                checkJob(where, job.path("entryClass").asText(), args);
                (kind.equals("FlinkDeployment") ? applicationJobs : sessionJobClasses)
                        .add(job.path("entryClass").asText());
                assertThat(job.path("upgradeMode").asText())
                        .as(where)
                        .isIn("savepoint", "last-state", "stateless");
                assertThat(job.path("parallelism").asInt()).as(where).isPositive();
            }
        }
        for (JsonNode j : sessionJobs) {
            assertThat(sessionClusters)
                    .as(
                            "the session cluster of FlinkSessionJob %s",
                            j.path("metadata").path("name").asText())
                    .containsKey(j.path("spec").path("deploymentName").asText());
        }
        for (String s : secrets) {
            if (s.startsWith("ref:"))
                assertThat(secrets).as("the Secret that pods refer to").contains(s.substring(4));
        }
        assertThat(applicationJobs)
                .as("jobs with an application-mode FlinkDeployment")
                .containsExactlyInAnyOrderElementsOf(JOBS);
        assertThat(sessionJobClasses)
                .as("jobs with a FlinkSessionJob")
                .containsExactlyInAnyOrderElementsOf(JOBS);
    }

    /**
     * A session cluster runs its FlinkSessionJobs side by side, so its slots (TaskManager replicas
     * × {@code taskmanager.numberOfTaskSlots}) must cover the sum of their parallelism: with fewer,
     * the last jobs submitted wait for slots that never come and fail after the slot request
     * timeout.
     */
    @Test
    void everySessionClusterHasASlotForEverySubtaskOfItsSessionJobs() throws Exception {
        Map<String, Integer> slots = new LinkedHashMap<>();
        Map<String, Integer> needed = new LinkedHashMap<>();
        Map<String, List<String>> jobsOf = new LinkedHashMap<>();
        for (Path f : yamlFiles()) {
            if (!f.startsWith(ROOT.resolve("deploy/k8s"))) continue;
            for (JsonNode doc : documents(f)) {
                JsonNode spec = doc.path("spec");
                String name = doc.path("metadata").path("name").asText();
                if (doc.path("kind").asText().equals("FlinkDeployment")
                        && spec.path("job").isMissingNode()) {
                    String where = ROOT.relativize(f) + " " + name;
                    int replicas = spec.path("taskManager").path("replicas").asInt(0);
                    int perTaskManager =
                            Integer.parseInt(
                                    spec.path("flinkConfiguration")
                                            .path("taskmanager.numberOfTaskSlots")
                                            .asText("1"));
                    assertThat(replicas)
                            .as(
                                    "%s: taskManager.replicas (a session cluster has no job to size it from)",
                                    where)
                            .isPositive();
                    slots.put(name, replicas * perTaskManager);
                } else if (doc.path("kind").asText().equals("FlinkSessionJob")) {
                    String cluster = spec.path("deploymentName").asText();
                    int parallelism = spec.path("job").path("parallelism").asInt();
                    needed.merge(cluster, parallelism, Integer::sum);
                    jobsOf.computeIfAbsent(cluster, c -> new ArrayList<>())
                            .add(name + " at " + parallelism);
                }
            }
        }
        assertThat(slots).as("session clusters").isNotEmpty();
        for (Map.Entry<String, Integer> n : needed.entrySet()) {
            assertThat(slots)
                    .as("the session cluster of %s", jobsOf.get(n.getKey()))
                    .containsKey(n.getKey());
            assertThat(slots.get(n.getKey()))
                    .as(
                            "slots of session cluster %s (TaskManager replicas x taskmanager.numberOfTaskSlots)"
                                    + " for its session jobs %s",
                            n.getKey(), jobsOf.get(n.getKey()))
                    .isGreaterThanOrEqualTo(n.getValue());
        }
    }

    /**
     * Compose's TaskManager(s) have a slot for every subtask of the jobs its submit service starts
     * ({@code -p N}, else {@code parallelism.default}), and the slots its configuration's comment
     * says it keeps for ad hoc SQL besides, at least one query's worth ({@code
     * parallelism.default}).
     */
    @Test
    void composeHasSlotsForItsJobsAndTheSlotsItKeepsForSql() throws Exception {
        Map<String, Map<String, Object>> services = composeServices();
        String props =
                String.valueOf(
                        ((Map<?, ?>) services.get("taskmanager").get("environment"))
                                .get("FLINK_PROPERTIES"));
        Map<String, String> config = flinkProperties(props);
        int perTaskManager =
                Integer.parseInt(config.getOrDefault("taskmanager.numberOfTaskSlots", "1"));
        int taskManagers =
                services.get("taskmanager").get("deploy") instanceof Map<?, ?> deploy
                                && deploy.get("replicas") != null
                        ? Integer.parseInt(String.valueOf(deploy.get("replicas")))
                        : 1;
        int defaultParallelism = Integer.parseInt(config.getOrDefault("parallelism.default", "1"));

        Matcher kept = Pattern.compile("(\\d+) (?:slots )?kept for ad hoc SQL").matcher(props);
        assertThat(kept.find())
                .as(
                        "the FLINK_PROPERTIES comment says how many slots are kept for ad hoc SQL: %s",
                        props)
                .isTrue();
        int forSql = Integer.parseInt(kept.group(1));
        assertThat(forSql)
                .as("slots kept for SQL: one query at parallelism.default")
                .isGreaterThanOrEqualTo(defaultParallelism);

        String submit = submitCommand(services);
        Matcher run =
                Pattern.compile("flink run (?:-m \\S+ )?(?:-d )?(?:-p (\\d+) )?-c (\\S+)")
                        .matcher(submit);
        int forJobs = 0;
        List<String> jobs = new ArrayList<>();
        while (run.find()) {
            int p = run.group(1) == null ? defaultParallelism : Integer.parseInt(run.group(1));
            forJobs += p;
            jobs.add(run.group(2) + " at " + p);
        }
        assertThat(jobs).hasSize(JOBS.size());
        assertThat(taskManagers * perTaskManager)
                .as(
                        "compose's slots (%d TaskManager(s) x %d) for %s and %d kept for SQL",
                        taskManagers, perTaskManager, jobs, forSql)
                .isGreaterThanOrEqualTo(forJobs + forSql);
    }

    /**
     * Compose's broker is Kafka 4, which starts with transactions version 2; the exactly-once
     * KafkaSink needs version 1 (deploy/README.md, "Kafka brokers"). A one-shot service must set it
     * once the broker is healthy, and the jobs must not be submitted before it has succeeded.
     */
    @Test
    void composeSetsTransactionsVersion1BeforeItSubmitsTheJobs() throws Exception {
        Map<String, Map<String, Object>> services = composeServices();
        List<String> setters = new ArrayList<>();
        services.forEach(
                (name, service) -> {
                    String command = String.valueOf(service.get("command"));
                    if (command.contains("kafka-features.sh")
                            && command.contains("downgrade --feature transaction.version=1"))
                        setters.add(name);
                });
        assertThat(setters)
                .as(
                        "a compose service that runs kafka-features.sh downgrade --feature transaction.version=1")
                .hasSize(1);
        String setter = setters.get(0);
        assertThat(String.valueOf(services.get(setter).get("image")))
                .as("%s runs the broker's own tools", setter)
                .isEqualTo(String.valueOf(services.get("kafka").get("image")));
        assertThat(dependency(services, setter, "kafka"))
                .as("%s waits for the broker", setter)
                .isEqualTo("service_healthy");
        assertThat(dependency(services, "submit", setter))
                .as("submit waits until %s has succeeded", setter)
                .isEqualTo("service_completed_successfully");
    }

    /**
     * The condition of {@code service}'s depends_on {@code on}, or null when it does not depend on
     * it.
     */
    private static String dependency(
            Map<String, Map<String, Object>> services, String service, String on) {
        if (!(services.get(service).get("depends_on") instanceof Map<?, ?> deps)
                || !(deps.get(on) instanceof Map<?, ?> d)) return null;
        return String.valueOf(d.get("condition"));
    }

    @Test
    void composeStartsRealJobsWithRealArgumentsAndConfiguration() throws Exception {
        Path composeFile = ROOT.resolve("deploy/compose/docker-compose.yml");
        assertThat(documents(composeFile)).hasSize(1);
        Map<String, Object> compose =
                new Yaml().load(Files.readString(composeFile)); // resolves the <<: merges
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services)
                .containsKeys(
                        "kafka",
                        "topics",
                        "timescaledb",
                        "migrate",
                        "jobmanager",
                        "taskmanager",
                        "submit");

        for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
            Object deps = s.getValue().get("depends_on");
            if (deps instanceof Map<?, ?> m)
                assertThat(services)
                        .as("depends_on of %s", s.getKey())
                        .containsKeys(m.keySet().toArray(new String[0]));
            if (s.getValue().get("build") instanceof Map<?, ?> b) {
                Path context =
                        composeFile.getParent().resolve((String) b.get("context")).normalize();
                assertThat(context.resolve((String) b.get("dockerfile")))
                        .as("build of %s", s.getKey())
                        .exists();
            }
            if (s.getValue().get("volumes") instanceof List<?> volumes) {
                for (Object v : volumes) {
                    String source = String.valueOf(v).split(":")[0];
                    if (source.startsWith("."))
                        assertThat(composeFile.getParent().resolve(source).normalize())
                                .as("volume of %s", s.getKey())
                                .exists();
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) s.getValue().get("environment");
            if (env != null && env.get("FLINK_PROPERTIES") instanceof String props) {
                checkFlinkConfiguration(
                        "FLINK_PROPERTIES of " + s.getKey(),
                        YAML.valueToTree(flinkProperties(props)));
            }
        }

        // flink run -m HOST -d [-p N] -c CLASS JAR ARGS...
        String submit = submitCommand(services);
        Matcher run =
                Pattern.compile(
                                "flink run (?:-m \\S+ )?(?:-d )?(?:-p \\d+ )?-c (\\S+) (\\S+)((?: --?[\\w.-]+ [^\\s-]\\S*)*)")
                        .matcher(submit);
        List<String> submitted = new ArrayList<>();
        while (run.find()) {
            submitted.add(run.group(1));
            assertThat(run.group(2)).isEqualTo("/opt/flink/usrlib/whyflow-jobs.jar");
            checkJob("compose submit", run.group(1), List.of(run.group(3).strip().split("\\s+")));
        }
        assertThat(submitted)
                .as("the jobs of the flink run commands in: %s", submit)
                .containsExactlyInAnyOrderElementsOf(JOBS);

        List<?> migrate = (List<?>) services.get("migrate").get("entrypoint");
        assertThat(
                        Class.forName(String.valueOf(migrate.get(migrate.size() - 1)))
                                .getMethod("main", String[].class))
                .isNotNull();
    }

    /**
     * The README shows, for each job, a {@code flink run} for a user's own cluster whose class and
     * arguments are real.
     */
    @Test
    void theReadmeShowsAFlinkRunOfEveryJob() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md")).replace("\\\n", " ");
        List<String> shown = new ArrayList<>();
        for (String line : readme.split("\n")) {
            if (!line.startsWith("flink run ")) continue;
            List<String> tokens = List.of(line.strip().split("\\s+"));
            int c = tokens.indexOf("-c");
            assertThat(c).as("-c CLASS in: %s", line).isPositive();
            assertThat(tokens.get(c + 2)).as(line).isEqualTo("jobs/target/whyflow-jobs.jar");
            checkJob("README " + line, tokens.get(c + 1), tokens.subList(c + 3, tokens.size()));
            shown.add(tokens.get(c + 1));
        }
        assertThat(shown)
                .as("jobs with a flink run line in README.md")
                .containsExactlyInAnyOrderElementsOf(JOBS);
    }

    /**
     * Every WHYFLOW_* variable a manifest's Secret or container or a compose service sets is read
     * by the code: a Java literal in a module's main sources, the environment fallback of a {@code
     * whyflow.llm.*} option (LlmOptions.envName), or a variable of the scripts the image runs
     * (deploy/docker/*.sh, deploy/local/sql.sh and lib.sh). A misspelt name would be set and
     * ignored.
     */
    @Test
    void everyWhyflowVariableTheySetIsReadByTheCode() throws Exception {
        Map<String, String> set = new LinkedHashMap<>(); // variable -> where
        for (Path f : yamlFiles()) {
            if (!f.startsWith(ROOT.resolve("deploy/k8s"))) continue;
            for (JsonNode doc : documents(f)) {
                String where =
                        ROOT.relativize(f)
                                + " "
                                + doc.path("kind").asText()
                                + " "
                                + doc.path("metadata").path("name").asText();
                for (String field : List.of("stringData", "data"))
                    doc.path(field).fieldNames().forEachRemaining(n -> set.put(n, where));
                for (JsonNode c :
                        doc.path("spec").path("podTemplate").path("spec").path("containers")) {
                    for (JsonNode e : c.path("env")) set.put(e.path("name").asText(), where);
                }
            }
        }
        Path composeFile = ROOT.resolve("deploy/compose/docker-compose.yml");
        Map<String, Object> compose = new Yaml().load(Files.readString(composeFile));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>) compose.get("services");
        services.forEach(
                (name, service) -> {
                    if (service.get("environment") instanceof Map<?, ?> env)
                        env.keySet().forEach(k -> set.put(String.valueOf(k), "compose " + name));
                });
        set.keySet().removeIf(name -> !name.startsWith("WHYFLOW_"));
        assertThat(set)
                .as("WHYFLOW_* variables set by the manifests and compose")
                .containsKeys(
                        "WHYFLOW_PG_URL",
                        "WHYFLOW_PG_USER",
                        "WHYFLOW_PG_PASSWORD",
                        "WHYFLOW_KAFKA_BOOTSTRAP");

        Set<String> read = whyflowVariablesReadByTheCode();
        assertThat(read)
                .as("variables the code reads")
                .contains("WHYFLOW_PG_URL", "WHYFLOW_LLM_BASE_URL")
                .doesNotContain("WHYFLOW_NO_SUCH_SETTING");
        for (Map.Entry<String, String> v : set.entrySet()) {
            assertThat(read)
                    .as("%s sets %s: something reads it", v.getValue(), v.getKey())
                    .contains(v.getKey());
        }
    }

    @Test
    void theDockerfileBuildsOnThisFlinkVersionAndCopiesWhatTheBuildMakes() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("deploy/docker/Dockerfile"));
        String flinkVersion = property(Files.readString(ROOT.resolve("pom.xml")), "flink.version");
        assertThat(dockerfile).contains("FROM flink:" + flinkVersion + "-java17");
        assertThat(Files.readString(ROOT.resolve("jobs/pom.xml")))
                .contains("<finalName>whyflow-jobs</finalName>");
        assertThat(Files.readString(ROOT.resolve("udfs/pom.xml")))
                .contains("<finalName>whyflow-udfs</finalName>");
        Matcher copy =
                Pattern.compile("(?m)^COPY (?:--\\S+ )*(\\S+(?: \\S+)*) (\\S+)$")
                        .matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            if (copy.group(0).contains("--from=")) continue;
            for (String source : copy.group(1).split(" ")) {
                copies++;
                if (source.startsWith("jobs/target/") || source.startsWith("udfs/target/"))
                    continue; // built by ./whyflow build
                assertThat(ROOT.resolve(source)).as("COPY source").exists();
            }
        }
        assertThat(copies).isGreaterThanOrEqualTo(6);
    }

    // ------------------------------------------------------------------------------------ checks

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> composeServices() throws IOException {
        Map<String, Object> compose =
                new Yaml()
                        .load(
                                Files.readString(
                                        ROOT.resolve(
                                                "deploy/compose/docker-compose.yml"))); // resolves
        // the <<:
        // merges
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** FLINK_PROPERTIES as key → value, comments left out. */
    private static Map<String, String> flinkProperties(String props) {
        Map<String, String> config = new LinkedHashMap<>();
        for (String line : props.split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            int colon = line.indexOf(": ");
            config.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
        }
        return config;
    }

    /** The submit service's script on one line. */
    private static String submitCommand(Map<String, Map<String, Object>> services) {
        return String.valueOf(((List<?>) services.get("submit").get("command")).get(0))
                .replace("\\\n", " ")
                .replaceAll("\\s+", " ");
    }

    private static final Pattern JAVA_VARIABLE = Pattern.compile("\"(WHYFLOW_[A-Z0-9_]+)\"");
    private static final Pattern SHELL_VARIABLE = Pattern.compile("\\$\\{?(WHYFLOW_[A-Z0-9_]+)");

    private static Set<String> whyflowVariablesReadByTheCode() throws Exception {
        Set<String> read = new LinkedHashSet<>();
        for (String module : List.of("jobs", "sql", "embeddings", "udfs", "services")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = JAVA_VARIABLE.matcher(Files.readString(f));
                    while (m.find()) read.add(m.group(1));
                }
            }
        }
        for (Field f : Class.forName("dev.whyflow.query.synthesis.LlmOptions").getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) continue;
            String key = (String) f.get(null);
            if (key.startsWith("whyflow.llm."))
                read.add(dev.whyflow.query.synthesis.LlmOptions.envName(key));
        }
        List<Path> scripts =
                new ArrayList<>(
                        List.of(
                                ROOT.resolve("deploy/local/sql.sh"),
                                ROOT.resolve("deploy/local/lib.sh")));
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/docker"))) {
            files.filter(f -> f.toString().endsWith(".sh")).forEach(scripts::add);
        }
        for (Path f : scripts) {
            Matcher m = SHELL_VARIABLE.matcher(Files.readString(f));
            while (m.find()) read.add(m.group(1));
        }
        return read;
    }

    /**
     * The class exists with a main method; every --key is one of its options record's OPTIONS; the
     * values parse.
     */
    private static void checkJob(String where, String entryClass, List<String> args)
            throws Exception {
        Class<?> job = Class.forName(entryClass);
        Method main = job.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).as(where).isTrue();
        Class<?> options =
                Class.forName(
                        job.getPackageName()
                                + "."
                                + job.getSimpleName().replaceFirst("Job$", "")
                                + "Options");
        Set<String> keys = new LinkedHashSet<>();
        for (Object option : (List<?>) options.getField("OPTIONS").get(null))
            keys.add(((ConfigOption<?>) option).key());
        for (String more : MORE_OPTIONS.getOrDefault(entryClass, List.of())) {
            for (Field f : Class.forName(more).getFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) continue;
                String key = (String) f.get(null);
                if (key.startsWith("whyflow."))
                    keys.add(key); // not the defaults and variable names beside them
            }
        }
        assertThat(args.size() % 2)
                .as("%s: arguments come as --key value pairs: %s", where, args)
                .isZero();
        for (int i = 0; i < args.size(); i += 2) {
            assertThat(args.get(i)).as(where).startsWith("--");
            assertThat(keys)
                    .as("%s: %s is an option of %s", where, args.get(i), options.getSimpleName())
                    .contains(args.get(i).substring(2));
        }
        Method fromArgs = options.getMethod("fromArgs", ParameterTool.class);
        assertThatCode(
                        () ->
                                fromArgs.invoke(
                                        null, ParameterTool.fromArgs(args.toArray(new String[0]))))
                .as("%s: %s.fromArgs(%s)", where, options.getSimpleName(), args)
                .doesNotThrowAnyException();
    }

    private static void checkFlinkConfiguration(String where, JsonNode config) {
        Map<String, String> values = new LinkedHashMap<>();
        config.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        Configuration flink = Configuration.fromMap(values);
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (OPERATOR_KEYS.contains(e.getKey())) continue;
            ConfigOption<?> option = FLINK_OPTIONS.get(e.getKey());
            assertThat(option)
                    .as("%s: %s is a Flink configuration key", where, e.getKey())
                    .isNotNull();
            assertThat(option.key())
                    .as("%s: %s is the current key, not a deprecated one", where, e.getKey())
                    .isEqualTo(e.getKey());
            assertThatCode(() -> flink.get(option))
                    .as("%s: %s = %s", where, e.getKey(), e.getValue())
                    .doesNotThrowAnyException();
        }
    }

    /** Every ConfigOption of Flink's *Options classes on the classpath, by key and fallback key. */
    private static Map<String, ConfigOption<?>> flinkOptions() {
        Map<String, ConfigOption<?>> out = new HashMap<>();
        for (Class<?> anchor : List.of(CoreOptions.class, JobGraph.class)) {
            Path jar;
            try {
                jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = Files.newInputStream(jar);
                    ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    String name = entry.getName();
                    if (!name.startsWith("org/apache/flink/")
                            || !name.endsWith("Options.class")
                            || name.contains("$")) continue;
                    Class<?> c;
                    try {
                        c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'));
                    } catch (Throwable t) {
                        continue;
                    }
                    for (Field f : c.getFields()) {
                        if (!Modifier.isStatic(f.getModifiers())
                                || f.getType() != ConfigOption.class) continue;
                        try {
                            ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                            out.put(o.key(), o);
                            for (FallbackKey k : o.fallbackKeys()) out.putIfAbsent(k.getKey(), o);
                        } catch (IllegalAccessException ignored) {
                            // not public
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + jar, e);
            }
        }
        assertThat(out)
                .containsKeys(
                        "state.backend.type",
                        "execution.checkpointing.dir",
                        "restart-strategy.type");
        return out;
    }

    /** The operator's FlinkVersion value for the project's Flink version: 2.2.1 → v2_2. */
    private static String flinkVersionEnum() throws IOException {
        String[] v =
                property(Files.readString(ROOT.resolve("pom.xml")), "flink.version").split("\\.");
        return "v" + v[0] + "_" + v[1];
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as("<%s> in the pom", name).isTrue();
        return m.group(1).strip();
    }

    private static List<Path> yamlFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("deploy/k8s", "deploy/compose")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .sorted()
                        .forEach(out::add);
            }
        }
        return out;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it =
                YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) docs.add(n);
            }
        }
        return docs;
    }
}

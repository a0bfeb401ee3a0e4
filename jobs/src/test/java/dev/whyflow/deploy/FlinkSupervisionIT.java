package dev.whyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.sqlrecipes.FlinkSqlScripts;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local Flink cluster restarts a dead TaskManager by itself, as a cluster's supervisor would:
 * on a private cluster ({@code deploy/local/flink.sh up} with a {@code WHYFLOW_HOME} of its own
 * under {@code target/} and free ports, so the developer's stack is not touched) the TaskManager is
 * killed with SIGKILL, and a new one must register with the JobManager, all its slots free, within
 * a bounded time; {@code flink.sh status} says what a user needs to know along the way (a job with
 * more subtasks than slots waits for slots; the TaskManager is down and being restarted; it was
 * restarted once), and {@code flink.sh down} leaves no supervisor and no Flink process of that
 * cluster behind. The scripts' output goes to files under that home.
 */
class FlinkSupervisionIT {

    private static final Path ROOT = FlinkSqlScripts.root();
    private static final Duration RESTART_BOUND = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Path home;
    private int restPort;
    private int rpcPort;

    @BeforeEach
    void privateHome() throws IOException {
        home = ROOT.resolve("jobs/target/flink-supervision-it/home");
        if (Files.exists(home)) {
            assertThat(processesOf(home))
                    .as("processes left by an earlier run under %s", home)
                    .isEmpty();
            deleteTree(home);
        }
        Files.createDirectories(home);
        shareRuntimeJars();
        restPort = freePort();
        rpcPort = freePort();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (home != null && !processesOf(home).isEmpty()) {
            flinkSh("down-after-test", "down");
            processesOf(home).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aKilledTaskManagerIsReplacedAndDownLeavesNothingRunning() throws Exception {
        Result up = flinkSh("up", "up");
        assertThat(up.exitCode).as("flink.sh up (log %s)", up.log).isZero();
        assertThat(supervisors())
                .as("flink.sh up runs a supervisor for the JobManager and one for the TaskManager")
                .hasSize(2);
        JsonNode before = onlyTaskManager();
        int slots = before.path("slotsNumber").asInt();

        // a job with two subtasks more than the cluster has slots: status says it waits for slots
        Result submit =
                flinkSh(
                        "submit",
                        "submit",
                        slotHungryJar().toString(),
                        "--class",
                        SlotHungryJob.class.getName(),
                        "--parallelism",
                        Integer.toString(slots + 2));
        assertThat(submit.exitCode).as(submit.output).isZero();
        String jobId = submit.output.strip();
        // until its tasks are deployed on every slot there is (they are created and deployed first)
        Result waiting =
                statusUntil(
                        "waiting for slots: " + slots + "/" + (slots + 2) + " tasks running",
                        "waiting");
        assertThat(waiting.exitCode).as(waiting.output).isEqualTo(3);
        assertThat(waiting.output)
                .startsWith("flink: up")
                .contains(
                        "job "
                                + SlotHungryJob.NAME
                                + " ("
                                + jobId
                                + "): RUNNING, waiting for slots: "
                                + slots
                                + "/"
                                + (slots + 2)
                                + " tasks running, 2 more slots needed, 0 free; no TaskManager has free slots");

        long killedPid =
                Long.parseLong(Files.readString(home.resolve("run/flink-taskmanager.pid")).trim());
        ProcessHandle killed = ProcessHandle.of(killedPid).orElseThrow();
        assertThat(killed.info().commandLine().orElse("")).contains("TaskManagerRunner");

        long t0 = System.nanoTime();
        killed.destroyForcibly(); // SIGKILL, as kill -9
        Thread.sleep(300);
        Result outage = flinkSh("status-outage", "status");
        assertThat(outage.exitCode).as(outage.output).isEqualTo(3);
        assertThat(outage.output)
                .startsWith("flink: not healthy")
                .containsPattern(
                        "TaskManager (down, its supervisor restarts it|pid \\d+ starting, not registered with the JobManager yet)");
        JsonNode after = null;
        while (System.nanoTime() - t0 < RESTART_BOUND.toNanos()) {
            JsonNode tms = taskManagers();
            // the same resource id; a new process has new ports, and offers as many slots
            if (tms != null
                    && tms.size() == 1
                    && !tms.get(0).path("path").asText().equals(before.path("path").asText())
                    && tms.get(0).path("slotsNumber").asInt() == slots) {
                after = tms.get(0);
                break;
            }
            Thread.sleep(250);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        if (after == null) {
            fail(
                    "no new TaskManager registered within %s of kill -9 (supervisor log:%n%s)",
                    RESTART_BOUND, readOrEmpty(home.resolve("logs/flink/supervisor.log")));
        }
        System.out.printf(
                "FlinkSupervisionIT: a new TaskManager registered %d s after kill -9%n", seconds);
        assertThat(killed.isAlive()).isFalse();
        long newPid =
                Long.parseLong(Files.readString(home.resolve("run/flink-taskmanager.pid")).trim());
        assertThat(newPid).isNotEqualTo(killedPid);
        assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive)).contains(true);
        assertThat(Files.readString(home.resolve("logs/flink/supervisor.log")))
                .contains("restarted TaskManager after exit code 137");

        // the job noticed the loss (a failure in its history), restarted, and waits for slots again
        // on the
        // new TaskManager; once it is cancelled all is well
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (get("/jobs/" + jobId + "/exceptions")
                .path("exceptionHistory")
                .path("entries")
                .isEmpty()) {
            assertThat(System.nanoTime())
                    .as("the job records the TaskManager's loss within 30 s")
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
        Result stillWaiting = statusUntil("waiting for slots: " + slots + "/", "still-waiting");
        assertThat(stillWaiting.exitCode).as(stillWaiting.output).isEqualTo(3);
        assertThat(stillWaiting.output)
                .startsWith("flink: up")
                .contains("taskmanager: 1 restart(s) by its supervisor");
        assertThat(flinkSh("cancel", "cancel", jobId).exitCode).isZero();
        Result status = flinkSh("status", "status");
        assertThat(status.exitCode).as(status.output).isZero();
        assertThat(status.output)
                .startsWith("flink: up")
                .contains("taskmanager: 1 restart(s) by its supervisor")
                .doesNotContain("job ");

        Result down = flinkSh("down", "down");
        assertThat(down.exitCode).as(down.output).isZero();
        assertThat(processesOf(home))
                .as("processes of the private cluster after flink.sh down")
                .isEmpty();
        Result statusDown = flinkSh("status-after-down", "status");
        assertThat(statusDown.exitCode).isEqualTo(3);
        assertThat(statusDown.output).startsWith("flink: down");
    }

    /** flink.sh status, again until its output contains TEXT (30 s at most); the last result. */
    private Result statusUntil(String text, String logName) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Result r;
        do {
            r = flinkSh("status-" + logName, "status");
            if (r.output.contains(text)) return r;
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return r;
    }

    /** A jar with SlotHungryJob's classes only (the cluster has Flink's own). */
    private Path slotHungryJar() throws IOException {
        Path classes =
                Path.of(
                        SlotHungryJob.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .getPath());
        Path dir = classes.resolve(SlotHungryJob.class.getPackageName().replace('.', '/'));
        Path jar = home.resolve("slot-hungry.jar");
        try (java.util.jar.JarOutputStream out =
                        new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(
                                    f ->
                                            f.getFileName()
                                                    .toString()
                                                    .startsWith(
                                                            SlotHungryJob.class.getSimpleName()))
                            .toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    private JsonNode onlyTaskManager() throws Exception {
        JsonNode tms = taskManagers();
        assertThat(tms).as("/taskmanagers of the private cluster").isNotNull();
        assertThat(tms.size()).isEqualTo(1);
        return tms.get(0);
    }

    private JsonNode taskManagers() {
        JsonNode tms = get("/taskmanagers").path("taskmanagers");
        return tms.isArray() ? tms : null;
    }

    /** GET PATH of the private cluster's REST API; a missing node when it does not answer (yet). */
    private JsonNode get(String path) {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + restPort + path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.missingNode();
        } catch (IOException e) {
            return JSON.missingNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.missingNode();
        }
    }

    private List<ProcessHandle> supervisors() {
        return processesOf(home).stream()
                .filter(p -> p.info().commandLine().orElse("").contains("flink.sh supervise"))
                .toList();
    }

    /** Every live process whose command line names the private home: supervisors and Flink JVMs. */
    private static List<ProcessHandle> processesOf(Path home) {
        String h = home.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(h))
                .toList();
    }

    private record Result(int exitCode, String output, Path log) {}

    /**
     * Runs deploy/local/flink.sh ARGS on the private cluster; its output goes to a file of the
     * home.
     */
    private Result flinkSh(String logName, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(ROOT.resolve("deploy/local/flink.sh").toString()));
        command.addAll(List.of(args));
        Path log = home.resolve("it-" + logName + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(ROOT.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("WHYFLOW_"));
        env.put("WHYFLOW_HOME", home.toString());
        env.put("WHYFLOW_FLINK_REST_PORT", Integer.toString(restPort));
        env.put("WHYFLOW_FLINK_RPC_PORT", Integer.toString(rpcPort));
        Process p = pb.start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("flink.sh %s did not finish in 150 s; see %s", String.join(" ", args), log);
        }
        return new Result(p.exitValue(), Files.readString(log), log);
    }

    /**
     * The cluster's jars as flink.sh resolves them (129 MB): hard links to those of the default
     * home when it has them, so that the test does not run Maven; else flink.sh resolves them
     * itself.
     */
    private void shareRuntimeJars() throws IOException {
        Path shared = Path.of(System.getProperty("user.home"), ".cache/whyflow/runtime/flink");
        Path pom = ROOT.resolve("deploy/local/runtime/flink/pom.xml");
        if (!Files.isRegularFile(shared.resolve("lib.stamp"))
                || !Files.isDirectory(shared.resolve("lib"))
                || Files.getLastModifiedTime(pom)
                                .compareTo(Files.getLastModifiedTime(shared.resolve("lib.stamp")))
                        > 0) {
            return; // none there, or resolved from an older pom
        }
        Path mine = Files.createDirectories(home.resolve("runtime/flink/lib"));
        try (Stream<Path> jars = Files.list(shared.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                try {
                    Files.createLink(mine.resolve(jar.getFileName()), jar);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(
                            jar,
                            mine.resolve(jar.getFileName()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Path stamp = home.resolve("runtime/flink/lib.stamp");
        Files.copy(shared.resolve("lib.stamp"), stamp);
        Files.setLastModifiedTime(
                stamp,
                FileTime.fromMillis(
                        Files.getLastModifiedTime(shared.resolve("lib.stamp")).toMillis()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList())
                Files.deleteIfExists(p);
        }
    }
}

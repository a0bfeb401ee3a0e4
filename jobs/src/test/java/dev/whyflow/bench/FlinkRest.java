package dev.whyflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The few calls of Flink's REST API that benchmarks and upgrade tests need: submit, watch, stop.
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** Uploads a jar; returns its id on the cluster. */
    public String upload(Path jar) throws IOException, InterruptedException {
        String boundary = "----whyflow" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode r =
                send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build());
        String file = r.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** Runs an uploaded jar's class with arguments; returns the job id. */
    public String run(
            String jarId, String entryClass, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        req.put("entryClass", entryClass);
        req.put("parallelism", parallelism);
        args.forEach(req.putArray("programArgsList")::add);
        if (savepoint != null) req.put("savepointPath", savepoint);
        JsonNode r = send(post(base + "/jars/" + jarId + "/run", req));
        return r.path("jobid").asText();
    }

    public String state(String jobId) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId)).GET().build())
                .path("state")
                .asText();
    }

    /**
     * The job's details ({@code /jobs/:id}): state, vertices with their parallelism and task counts
     * by state.
     */
    public JsonNode job(String jobId) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build());
    }

    /**
     * The job's exception history ({@code /jobs/:id/exceptions}): {@code exceptionHistory.entries}
     * with their timestamps.
     */
    public JsonNode exceptions(String jobId) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/exceptions"))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build());
    }

    public void awaitState(String jobId, String state, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String now = "";
        while (System.nanoTime() < deadline) {
            now = state(jobId);
            if (now.equals(state)) return;
            if (now.equals("FAILED")) break;
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " is " + now + ", expected " + state);
    }

    /** Stops a job with a savepoint into {@code directory}; returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, String directory)
            throws IOException, InterruptedException {
        return stopWithSavepoint(jobId, directory, false);
    }

    /**
     * Stops a job with a savepoint into {@code directory} (null: the cluster's {@code
     * execution.checkpointing.savepoint-dir}); with {@code drain} the sources end the stream first
     * (a final watermark fires every event-time timer). Returns the savepoint's path.
     */
    public String stopWithSavepoint(String jobId, String directory, boolean drain)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        if (directory != null) req.put("targetDirectory", directory);
        req.put("drain", drain);
        String trigger =
                send(post(base + "/jobs/" + jobId + "/stop", req)).path("request-id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s =
                    send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    base
                                                            + "/jobs/"
                                                            + jobId
                                                            + "/savepoints/"
                                                            + trigger))
                                    .GET()
                                    .build());
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.has("failure-cause"))
                    throw new IllegalStateException(
                            "savepoint failed: " + op.path("failure-cause"));
                return op.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("savepoint of " + jobId + " did not complete in 2 minutes");
    }

    /**
     * The checkpoint and savepoint the job was started from ({@code latest.restored} of its
     * checkpoint statistics), empty if none.
     */
    public JsonNode restoredFrom(String jobId) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/checkpoints"))
                        .GET()
                        .build())
                .path("latest")
                .path("restored");
    }

    /** The JobManager's configuration value of {@code key}, null if not set. */
    public String clusterConfig(String key) throws IOException, InterruptedException {
        for (JsonNode entry :
                send(
                        HttpRequest.newBuilder(URI.create(base + "/jobmanager/config"))
                                .GET()
                                .build())) {
            if (key.equals(entry.path("key").asText())) return entry.path("value").asText();
        }
        return null;
    }

    /** Removes an uploaded jar from the cluster. */
    public void deleteJar(String jarId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId)).DELETE().build());
    }

    public void cancel(String jobId) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /**
     * CPU time used so far by all TaskManager processes of the cluster (their JVMs' process CPU
     * time). The REST API answers metrics from a cache it refreshes at most every {@code
     * metrics.fetcher.update-interval} (10 s) after a request, so this asks, waits past the
     * interval, and asks again: the answer is at most a second old, and the call takes 11 s.
     */
    public double taskManagerCpuSeconds() throws IOException, InterruptedException {
        cpuTimeMetrics();
        Thread.sleep(11_000);
        double seconds = 0;
        for (JsonNode m : cpuTimeMetrics()) seconds += m.path("value").asDouble() / 1e9;
        return seconds;
    }

    private List<JsonNode> cpuTimeMetrics() throws IOException, InterruptedException {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode tm :
                send(HttpRequest.newBuilder(URI.create(base + "/taskmanagers")).GET().build())
                        .path("taskmanagers")) {
            send(HttpRequest.newBuilder(
                                    URI.create(
                                            base
                                                    + "/taskmanagers/"
                                                    + tm.path("id").asText()
                                                    + "/metrics?get=Status.JVM.CPU.Time"))
                            .GET()
                            .build())
                    .forEach(out::add);
        }
        return out;
    }

    private static HttpRequest post(String url, JsonNode body) throws IOException {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (r.statusCode() >= 300) {
            throw new IOException(
                    "Flink REST "
                            + request.method()
                            + " "
                            + request.uri()
                            + " answered "
                            + r.statusCode()
                            + ": "
                            + body.path("errors"));
        }
        return body;
    }
}

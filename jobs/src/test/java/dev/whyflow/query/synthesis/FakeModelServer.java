package dev.whyflow.query.synthesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A language model's HTTP API on loopback, speaking Anthropic's Messages API ({@code POST
 * /v1/messages}) or OpenAI's chat completions ({@code POST /v1/chat/completions}), so the real
 * langchain4j clients can be tested against it. It records every request, and replies as told: with
 * a text (fixed, or made from the request, e.g. obeying an injection), an error status, or not at
 * all until it is closed.
 */
public final class FakeModelServer implements AutoCloseable {

    public enum Protocol {
        ANTHROPIC("anthropic", "/v1/messages", "ANTHROPIC_API_KEY"),
        OPENAI("openai", "/v1/chat/completions", "OPENAI_API_KEY");

        public final String provider;
        public final String path;
        public final String keyVariable;

        Protocol(String provider, String path, String keyVariable) {
            this.provider = provider;
            this.path = path;
            this.keyVariable = keyVariable;
        }
    }

    /** One request as the server received it. */
    public record Received(
            String method, String path, Map<String, List<String>> headers, String body) {

        String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return String.join(",", h.getValue());
                }
            }
            return null;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The text of the system message, in either protocol. */
        String systemText() {
            JsonNode j = json();
            if (j.has("system")) {
                return text(j.get("system"));
            }
            for (JsonNode m : j.get("messages")) {
                if (m.get("role").asText().equals("system")) {
                    return text(m.get("content"));
                }
            }
            return null;
        }

        /** The text of the (last) user message, in either protocol. */
        String userText() {
            String out = null;
            for (JsonNode m : json().get("messages")) {
                if (m.get("role").asText().equals("user")) {
                    out = text(m.get("content"));
                }
            }
            return out;
        }

        private static String text(JsonNode content) {
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder b = new StringBuilder();
            for (JsonNode block : content) {
                b.append(block.get("text").asText());
            }
            return b.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Protocol protocol;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Function<Received, Response> behaviour = r -> Response.text("");

    private record Response(
            int status, String text, String errorBody, boolean stall, boolean stallBody) {
        static Response text(String t) {
            return new Response(200, t, null, false, false);
        }
    }

    private FakeModelServer(Protocol protocol) throws IOException {
        this.protocol = protocol;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeModelServer start(Protocol protocol) {
        try {
            return new FakeModelServer(protocol);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL a client is configured with, up to and including {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeModelServer replyWith(String text) {
        behaviour = r -> Response.text(text);
        return this;
    }

    /** Replies with a text made from the request: how a model that obeys its input is played. */
    FakeModelServer replyWith(Function<Received, String> reply) {
        behaviour = r -> Response.text(reply.apply(r));
        return this;
    }

    public FakeModelServer failWith(int status, String body) {
        behaviour = r -> new Response(status, null, body, false, false);
        return this;
    }

    /** Never answers until closed. */
    public FakeModelServer stall() {
        behaviour = r -> new Response(0, null, null, true, false);
        return this;
    }

    /** Sends a 200 and the start of a body, then nothing until closed. */
    FakeModelServer stallBody() {
        behaviour = r -> new Response(200, null, null, false, true);
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    Received onlyRequest() {
        if (received.size() != 1) {
            throw new AssertionError("expected one request, got " + received.size());
        }
        return received.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body =
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r =
                    new Received(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath(),
                            Map.copyOf(exchange.getRequestHeaders()),
                            body);
            received.add(r);
            if (!r.method().equals("POST") || !r.path().equals(protocol.path)) {
                send(exchange, 404, "{\"error\":\"not found\"}");
                return;
            }
            Response response = behaviour.apply(r);
            if (response.stall()) {
                awaitClose();
                return;
            }
            if (response.stallBody()) {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                out.write("{\"id\":\"msg_1\",".getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitClose();
                return;
            }
            if (response.status() != 200) {
                send(exchange, response.status(), response.errorBody());
                return;
            }
            send(exchange, 200, success(r, response.text()));
        }
    }

    private String success(Received r, String text) throws IOException {
        String model = r.json().path("model").asText("test-model");
        ObjectNode o = JSON.createObjectNode();
        if (protocol == Protocol.ANTHROPIC) {
            o.put("id", "msg_01");
            o.put("type", "message");
            o.put("role", "assistant");
            o.put("model", model);
            o.putArray("content").addObject().put("type", "text").put("text", text);
            o.put("stop_reason", "end_turn");
            o.putNull("stop_sequence");
            o.putObject("usage").put("input_tokens", 100).put("output_tokens", 20);
        } else {
            o.put("id", "chatcmpl-01");
            o.put("object", "chat.completion");
            o.put("created", 1_764_000_000L);
            o.put("model", model);
            ObjectNode choice = o.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", text);
            choice.put("finish_reason", "stop");
            o.putObject("usage")
                    .put("prompt_tokens", 100)
                    .put("completion_tokens", 20)
                    .put("total_tokens", 120);
        }
        return JSON.writeValueAsString(o);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}

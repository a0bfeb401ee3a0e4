package dev.whyflow.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.contract.Event;
import dev.whyflow.contract.EventValidator;
import dev.whyflow.contract.RejectReason;
import dev.whyflow.contract.Rejection;
import dev.whyflow.contract.UpstreamRefusal;
import dev.whyflow.contract.Validation;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP event collector: browsers, apps and shop platforms post events, and an event is
 * acknowledged only once Kafka has it. Routes:
 *
 * <ul>
 *   <li>{@code POST /v1/events}: a JSON array, one JSON event, or JSON lines, optionally gzip;
 *       every event is judged by the contract's {@link EventValidator} and the answer lists each
 *       one as {@code accepted} or {@code refused} with the validator's reason. Accepted events go
 *       to the raw topic; refused ones too, marked with {@link UpstreamRefusal}'s headers, so that
 *       CaptureJob records them in the dead-letter topic and {@code failed_events} as it records
 *       its own.
 *   <li>{@code POST /v1/webhooks/shopify/orders}: a shop platform's order webhook, mapped to {@code
 *       order_completed} ({@link ShopifyOrderWebhook}), then the same way.
 *   <li>{@code GET /v1/whyflow.js}: the browser snippet; {@code GET /health}; {@code GET /metrics}.
 * </ul>
 */
public final class Collector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Seconds a client is asked to wait after a 503. */
    static final int RETRY_AFTER_SECONDS = 2;

    private final CollectorConfig config;
    private final EventValidator validator = new EventValidator().warmUp();
    private final EventPublisher publisher;
    private final SourceKeys keys;
    private final CollectorMetrics metrics;
    private final byte[] snippet;
    private Javalin app;

    public Collector(CollectorConfig config) {
        this.config = config;
        this.publisher =
                new EventPublisher(config.bootstrap(), config.rawTopic(), config.ackTimeout());
        this.keys = new SourceKeys(config.store(), config.keysRefresh()).start();
        this.metrics = new CollectorMetrics(publisher::reachable);
        try (InputStream in = Collector.class.getResourceAsStream("whyflow.js")) {
            this.snippet = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException(
                    "the snippet whyflow.js is missing from the classpath", e);
        }
    }

    public Collector start() {
        app =
                Javalin.create(
                        c -> {
                            c.startup.showJavalinBanner = false;
                            c.startup.showOldJavalinVersionWarning = false;
                            // the body limit is ours (413 with a reason); Jetty's only stops what
                            // is far beyond it
                            c.http.maxRequestSize =
                                    Math.max(config.maxBodyBytes() * 2L, 2L * 1024 * 1024);
                            c.jetty.host = config.host();
                            c.jetty.port = config.port();
                            c.routes.before("/v1/*", this::cors);
                            c.routes.options("/v1/*", this::preflight);
                            c.routes.post(
                                    "/v1/events", ctx -> timed(ctx, "events", () -> events(ctx)));
                            c.routes.post(
                                    "/v1/webhooks/shopify/orders",
                                    ctx ->
                                            timed(
                                                    ctx,
                                                    "webhook_shopify_orders",
                                                    () -> shopifyOrder(ctx)));
                            c.routes.get(
                                    "/v1/whyflow.js",
                                    ctx ->
                                            ctx.contentType("application/javascript; charset=utf-8")
                                                    .header("Cache-Control", "public, max-age=300")
                                                    .result(snippet));
                            c.routes.get("/health", this::health);
                            c.routes.get(
                                    "/metrics",
                                    ctx ->
                                            ctx.contentType(
                                                            "text/plain; version=0.0.4; charset=utf-8")
                                                    .result(metrics.render()));
                        });
        app.start();
        LOG.info(
                "collector listening on http://{}:{} (topic {} on {})",
                config.host(),
                app.port(),
                config.rawTopic(),
                config.bootstrap());
        return this;
    }

    public int port() {
        return app.port();
    }

    public CollectorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (app != null) app.stop();
        publisher.close();
        keys.close();
    }

    // --- routes -------------------------------------------------------------------------------

    private interface Work {
        void run() throws Exception;
    }

    private void timed(Context ctx, String route, Work work) throws Exception {
        long t0 = System.nanoTime();
        try {
            work.run();
        } catch (EventBatch.BadRequest e) {
            error(
                    ctx,
                    e.status,
                    e.status == 401
                            ? "unauthorized"
                            : e.status == 413
                                    ? "too_large"
                                    : e.status == 415 ? "unsupported_media_type" : "bad_request",
                    e.getMessage());
        } catch (EventPublisher.Unavailable e) {
            unavailable(ctx, e.getMessage());
        } finally {
            metrics.request(route, ctx.status().getCode(), System.nanoTime() - t0);
        }
    }

    private void events(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        String source = authenticate(ctx);
        EventBatch.Format format = format(ctx);
        byte[] body = body(ctx);
        if (format == null) format = EventBatch.sniff(body);
        List<byte[]> raws = EventBatch.split(body, format, config.maxEvents());
        ingest(ctx, raws, source, t0);
    }

    private void shopifyOrder(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        String source = authenticate(ctx);
        if (format(ctx) != EventBatch.Format.JSON)
            throw new EventBatch.BadRequest(415, "a webhook is application/json");
        byte[] body = body(ctx);
        if (config.shopifySecret() != null
                && !config.shopifySecret().isBlank()
                && !ShopifyOrderWebhook.signedBy(
                        config.shopifySecret(), body, ctx.header("X-Shopify-Hmac-Sha256"))) {
            throw new EventBatch.BadRequest(
                    401, "the webhook's X-Shopify-Hmac-Sha256 does not match its body");
        }
        JsonNode order;
        try {
            order = JSON.readTree(body);
        } catch (IOException e) {
            throw new EventBatch.BadRequest(400, "the webhook body is not JSON");
        }
        if (order == null || !order.isObject())
            throw new EventBatch.BadRequest(400, "the webhook body is not a JSON object");
        ingest(ctx, List.of(ShopifyOrderWebhook.toEvent(order, source)), source, t0);
    }

    private void ingest(Context ctx, List<byte[]> raws, String source, long t0) throws Exception {
        if (publisher.checked() && !publisher.reachable()) {
            throw new EventPublisher.Unavailable(
                    "Kafka is not reachable: " + publisher.lastProblem());
        }
        long now = System.currentTimeMillis();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(raws.size());
        ArrayNode results = JSON.createArrayNode();
        int accepted = 0;
        List<String> refusedReasons = new ArrayList<>();
        for (int i = 0; i < raws.size(); i++) {
            byte[] raw = raws.get(i);
            byte[] stamped = EventBatch.withSource(raw, source);
            Validation v = validator.validate(stamped, now);
            if (v.isValid() && !source.equals(v.event().source)) {
                v =
                        new Rejection(
                                RejectReason.SCHEMA_VIOLATION,
                                "source '"
                                        + v.event().source
                                        + "' is not the source of this API key ('"
                                        + source
                                        + "')");
            }
            ObjectNode r = results.addObject();
            r.put("index", i);
            if (v.isValid()) {
                Event e = v.event();
                String key = e.partitionKey();
                records.add(
                        new ProducerRecord<>(
                                config.rawTopic(),
                                null,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                stamped));
                r.put("event_id", e.eventId);
                r.put("status", "accepted");
                accepted++;
            } else {
                Rejection rej = v.rejection();
                RecordHeaders headers = new RecordHeaders();
                headers.add(
                        new RecordHeader(
                                UpstreamRefusal.REASON_HEADER,
                                rej.reason().wireName().getBytes(StandardCharsets.UTF_8)));
                headers.add(
                        new RecordHeader(
                                UpstreamRefusal.MESSAGE_HEADER,
                                rej.message().getBytes(StandardCharsets.UTF_8)));
                headers.add(
                        new RecordHeader(
                                "whyflow-collector-source",
                                source.getBytes(StandardCharsets.UTF_8)));
                records.add(
                        new ProducerRecord<>(config.rawTopic(), null, null, null, raw, headers));
                String id = EventBatch.eventId(raw);
                if (id != null) r.put("event_id", id);
                r.put("status", "refused");
                r.put("reason", rej.reason().wireName());
                r.put("message", rej.message());
                refusedReasons.add(rej.reason().wireName());
            }
        }
        long sent = System.nanoTime();
        publisher.publish(records, t0);
        metrics.kafkaAck(System.nanoTime() - sent);
        metrics.accepted(accepted);
        refusedReasons.forEach(metrics::refused);
        ObjectNode out = JSON.createObjectNode();
        out.put("accepted", accepted);
        out.put("refused", raws.size() - accepted);
        out.set("results", results);
        ctx.status(200).contentType("application/json").result(JSON.writeValueAsBytes(out));
    }

    private void health(Context ctx) throws Exception {
        boolean kafka = publisher.reachable();
        boolean keysLoaded = keys.loaded();
        ObjectNode out = JSON.createObjectNode();
        out.put("status", kafka && keysLoaded ? "ready" : "not_ready");
        out.put("kafka", kafka ? "reachable" : "unreachable: " + publisher.lastProblem());
        out.put("topic", config.rawTopic());
        out.put(
                "api_keys",
                keysLoaded
                        ? (keys.lastError() == null
                                ? "loaded"
                                : "loaded, last refresh failed: " + keys.lastError())
                        : "not loaded: " + keys.lastError());
        ctx.status(kafka && keysLoaded ? 200 : 503)
                .contentType("application/json")
                .result(JSON.writeValueAsBytes(out));
    }

    // --- pieces -------------------------------------------------------------------------------

    /**
     * The source of the request's API key (header Authorization: Bearer, X-Whyflow-Key, or ?key=).
     */
    private String authenticate(Context ctx) throws EventBatch.BadRequest {
        String key = ctx.header("X-Whyflow-Key");
        String auth = ctx.header("Authorization");
        if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7))
            key = auth.substring(7).trim();
        if (key == null) key = ctx.queryParam("key");
        if (key == null || key.isBlank())
            throw new EventBatch.BadRequest(
                    401, "no API key (Authorization: Bearer KEY, X-Whyflow-Key, or ?key=)");
        String source = keys.sourceOf(key.trim());
        if (source == null) {
            if (!keys.loaded())
                throw new EventBatch.BadRequest(
                        401, "the API keys could not be read yet; try again");
            throw new EventBatch.BadRequest(401, "unknown or revoked API key");
        }
        return source;
    }

    /** JSON, JSON lines, or null for text/plain (sniffed from the body); 415 for anything else. */
    private static EventBatch.Format format(Context ctx) throws EventBatch.BadRequest {
        String type = ctx.header("Content-Type");
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (mime) {
            case "application/json" -> EventBatch.Format.JSON;
            case "application/x-ndjson",
                    "application/jsonl",
                    "application/x-jsonlines",
                    "application/jsonlines" ->
                    EventBatch.Format.JSON_LINES;
            case "text/plain" -> null;
            default ->
                    throw new EventBatch.BadRequest(
                            415,
                            "Content-Type must be application/json (an array or one event), "
                                    + "application/x-ndjson (JSON lines) or text/plain (either), not '"
                                    + (type == null ? "" : type)
                                    + "'");
        };
    }

    /** The body, decompressed when gzip; 413 beyond the limit. */
    private byte[] body(Context ctx) throws EventBatch.BadRequest, IOException {
        int max = config.maxBodyBytes();
        String length = ctx.header("Content-Length");
        int declared = -1;
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new EventBatch.BadRequest(400, "bad Content-Length");
            }
            if (n > max) throw tooLarge();
            if (n >= 0) declared = (int) n;
        }
        String encoding = ctx.header("Content-Encoding");
        boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new EventBatch.BadRequest(
                    415, "Content-Encoding must be gzip or none, not '" + encoding + "'");
        }
        try (InputStream raw = ctx.bodyInputStream()) {
            byte[] wire = declared >= 0 ? readExactly(raw, declared) : readAtMost(raw, max);
            if (!gzip) return wire;
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(wire))) {
                return readAtMost(in, max);
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new EventBatch.BadRequest(
                        400, "the body is not valid gzip: " + e.getMessage());
            }
        }
    }

    private EventBatch.BadRequest tooLarge() {
        return new EventBatch.BadRequest(
                413, "the request is larger than " + config.maxBodyBytes() + " bytes");
    }

    /**
     * A body of a known length into an array of that length: no growing buffer and no copy of it
     * (the body of a batch of 100 events is ~50 KiB, and every byte allocated brings the next pause
     * closer).
     */
    private static byte[] readExactly(InputStream in, int length)
            throws IOException, EventBatch.BadRequest {
        byte[] body = in.readNBytes(length);
        if (body.length < length)
            throw new EventBatch.BadRequest(400, "the body is shorter than its Content-Length");
        return body;
    }

    private byte[] readAtMost(InputStream in, int max) throws IOException, EventBatch.BadRequest {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 64 * 1024));
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > max) throw tooLarge();
        }
        return out.toByteArray();
    }

    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin != null && config.corsOrigins().contains(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
            ctx.header("Access-Control-Expose-Headers", "Retry-After");
        }
    }

    private void preflight(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || !config.corsOrigins().contains(origin)) {
            ctx.status(403).result("origin not allowed");
            return;
        }
        ctx.header("Access-Control-Allow-Methods", "POST, GET, OPTIONS");
        ctx.header(
                "Access-Control-Allow-Headers",
                "Content-Type, Content-Encoding, Authorization, X-Whyflow-Key");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private static void error(Context ctx, int status, String error, String message)
            throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", error);
        out.put("message", message);
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(out));
    }

    private void unavailable(Context ctx, String message) throws IOException {
        ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        error(
                ctx,
                503,
                "kafka_unavailable",
                message
                        + "; nothing of this request is acknowledged: send it again (event_id makes that safe)");
    }
}

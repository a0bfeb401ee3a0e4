package dev.whyflow.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.whyflow.query.Answer;
import dev.whyflow.query.AnswerJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The business users' web service: the page and the JSON API it uses, on Javalin. It asks QueryJob
 * through Kafka ({@link QueryClient}), streams PatternJob's alerts ({@link AlertFeed}), keeps its
 * users, sessions, questions and feedback in its own tables ({@link WebStore}) and reports the
 * pilot ({@link PilotReport}).
 *
 * <p>Every {@code /api/} route but {@code /api/health} and {@code /api/login} needs a user: a token
 * ({@code Authorization: Bearer …}) or the page's session cookie; without one the answer is 401 and
 * nothing else. A state-changing request made with the cookie must carry the session's CSRF token
 * in {@code X-CSRF-Token} (a token is no ambient credential, so a request with one needs none); the
 * cookie is also {@code HttpOnly} and {@code SameSite=Strict}. Viewers ask, stream alerts and give
 * feedback; admins also read the pilot report and manage users.
 */
public final class WebService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebService.class);
    private static final ObjectMapper JSON = AnswerJson.mapper();
    static final String COOKIE = "whyflow_session";
    static final int MAX_QUESTION = 1_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Map<String, String> ASSETS =
            Map.of(
                    "/",
                    "index.html",
                    "/app.js",
                    "app.js",
                    "/app.css",
                    "app.css",
                    "/vendor/chartist.umd.js",
                    "vendor/chartist/index.umd.js",
                    "/vendor/chartist.css",
                    "vendor/chartist/index.css");

    private final WebConfig config;
    private final WebStore store;
    private final QueryClient queries;
    private final AlertFeed alerts;
    private final Javalin app;

    /** An API error: status, a stable code and a sentence for people. */
    static final class ApiError extends RuntimeException {
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private WebService(WebConfig config) {
        this.config = config;
        this.store = WebStore.connect(config.store());
        this.queries =
                new QueryClient(config.bootstrap(), config.questionsTopic(), config.answersTopic());
        this.alerts = new AlertFeed(config.bootstrap(), config.alertTopicPrefix());
        this.app =
                Javalin.create(
                        c -> {
                            c.http.maxRequestSize = config.maxBodyBytes();
                            c.http.prefer405over404 = true;
                            c.startup.showJavalinBanner = false;
                            c.routes.before(this::securityHeaders);
                            c.routes.before("/api/*", this::authenticate);
                            ASSETS.forEach(
                                    (path, file) -> c.routes.get(path, ctx -> asset(ctx, file)));
                            c.routes.get("/api/health", this::health);
                            c.routes.post("/api/login", this::login);
                            c.routes.post("/api/logout", this::logout);
                            c.routes.get("/api/me", this::me);
                            c.routes.post("/api/ask", this::ask);
                            c.routes.post("/api/feedback", this::feedback);
                            c.routes.get("/api/pilot", this::pilot);
                            c.routes.get("/api/users", this::users);
                            c.routes.post("/api/users", this::addUser);
                            c.routes.sse("/api/alerts/stream", this::alertStream);
                            c.routes.exception(
                                    ApiError.class,
                                    (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
                            c.routes.exception(
                                    HttpResponseException.class,
                                    (e, ctx) ->
                                            error(
                                                    ctx,
                                                    e.getStatus(),
                                                    codeOf(e.getStatus()),
                                                    e.getMessage()));
                            c.routes.exception(
                                    SQLException.class,
                                    (e, ctx) -> {
                                        LOG.warn("store: {}", e.getMessage());
                                        error(
                                                ctx,
                                                503,
                                                "STORE_UNAVAILABLE",
                                                "The service's store cannot be reached right now; ./whyflow status shows whether PostgreSQL is up.");
                                    });
                            c.routes.exception(
                                    Exception.class,
                                    (e, ctx) -> {
                                        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                                        error(
                                                ctx,
                                                500,
                                                "INTERNAL",
                                                "The request failed inside the service; its log says why.");
                                    });
                            c.routes.error(
                                    404,
                                    ctx -> {
                                        if (!ctx.res().isCommitted() && ctx.result() == null)
                                            error(
                                                    ctx,
                                                    404,
                                                    "NOT_FOUND",
                                                    "No such page or API route: " + ctx.path());
                                    });
                            c.routes.error(
                                    405,
                                    ctx ->
                                            error(
                                                    ctx,
                                                    405,
                                                    "METHOD_NOT_ALLOWED",
                                                    ctx.method()
                                                            + " is not allowed on "
                                                            + ctx.path()));
                        });
    }

    public static WebService start(WebConfig config) {
        WebService s = new WebService(config);
        s.app.start(config.bindHost(), config.port());
        LOG.info("whyflow web service on http://{}:{}/", config.bindHost(), s.port());
        return s;
    }

    public int port() {
        return app.port();
    }

    public WebStore store() {
        return store;
    }

    /** True once questions can be asked and alerts are read (both Kafka readers are placed). */
    public boolean ready() {
        return queries.ready() && alerts.subscribed();
    }

    // --- plumbing ---------------------------------------------------------------------------

    private void securityHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        // the charting library sets SVG sizes through style attributes; no script but the service's
        // own runs
        ctx.header(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
                        + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        ctx.header("Cache-Control", "no-store");
    }

    private record Caller(WebStore.User user, String csrf) {}

    private void authenticate(Context ctx) throws SQLException {
        String path = ctx.path();
        if (path.equals("/api/health") || path.equals("/api/login")) return;
        String length = ctx.header("Content-Length");
        if (length != null
                && length.matches("\\d{1,18}")
                && Long.parseLong(length) > config.maxBodyBytes()) {
            throw new ApiError(
                    413,
                    "TOO_LARGE",
                    "The request body is larger than " + config.maxBodyBytes() + " bytes.");
        }
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<WebStore.User> u = store.userByToken(auth.substring(7).strip());
            if (u.isEmpty())
                throw new ApiError(
                        401,
                        "UNAUTHORIZED",
                        "This token is not valid (./whyflow user add makes one).");
            ctx.attribute("caller", new Caller(u.get(), null));
            return;
        }
        String cookie = ctx.cookie(COOKIE);
        Optional<WebStore.Session> s =
                cookie == null || cookie.isBlank() ? Optional.empty() : store.session(cookie);
        if (s.isEmpty()) {
            throw new ApiError(
                    401,
                    "UNAUTHORIZED",
                    cookie == null
                            ? "Log in first, or send Authorization: Bearer TOKEN."
                            : "Your session has expired or ended; log in again.");
        }
        if (!"GET".equals(ctx.method().name())
                && !Secrets.sameSecret(s.get().csrfToken(), ctx.header("X-CSRF-Token"))) {
            throw new ApiError(
                    403,
                    "CSRF",
                    "This request lacks the session's CSRF token (X-CSRF-Token); nothing was done.");
        }
        ctx.attribute("caller", new Caller(s.get().user(), s.get().csrfToken()));
    }

    private static Caller caller(Context ctx) {
        Caller c = ctx.attribute("caller");
        if (c == null)
            throw new ApiError(
                    401, "UNAUTHORIZED", "Log in first, or send Authorization: Bearer TOKEN.");
        return c;
    }

    private static void requireAdmin(Context ctx) {
        if (!caller(ctx).user().admin())
            throw new ApiError(403, "FORBIDDEN", "Only admins may do this.");
    }

    private ObjectNode body(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new ApiError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "Send a JSON body with Content-Type: application/json.");
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > config.maxBodyBytes())
            throw new ApiError(
                    413,
                    "TOO_LARGE",
                    "The request body is larger than " + config.maxBodyBytes() + " bytes.");
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject())
                throw new ApiError(400, "MALFORMED", "The body must be one JSON object.");
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new ApiError(400, "MALFORMED", "The body is not valid JSON.");
        }
    }

    private static String text(ObjectNode body, String field, int max, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required)
                throw new ApiError(400, "MISSING_FIELD", "The field '" + field + "' is required.");
            return null;
        }
        if (!v.isTextual())
            throw new ApiError(400, "BAD_FIELD", "The field '" + field + "' must be a string.");
        String s = v.asText();
        if (s.length() > max)
            throw new ApiError(
                    400,
                    "BAD_FIELD",
                    "The field '" + field + "' is longer than " + max + " characters.");
        if (required && s.isBlank())
            throw new ApiError(400, "MISSING_FIELD", "The field '" + field + "' is empty.");
        return s;
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status)
                .contentType("application/json")
                .result(
                        JSON.createObjectNode()
                                .put("error", code)
                                .put("message", message)
                                .toString());
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "BAD_REQUEST";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 413 -> "TOO_LARGE";
            default -> "HTTP_" + status;
        };
    }

    private static void json(Context ctx, Object value) throws JsonProcessingException {
        ctx.contentType("application/json").result(JSON.writeValueAsString(value));
    }

    private static void asset(Context ctx, String file) throws IOException {
        try (InputStream in =
                WebService.class.getClassLoader().getResourceAsStream("whyflow/web/" + file)) {
            if (in == null) throw new ApiError(404, "NOT_FOUND", "No such page: " + ctx.path());
            String type =
                    file.endsWith(".html")
                            ? "text/html; charset=utf-8"
                            : file.endsWith(".js")
                                    ? "text/javascript; charset=utf-8"
                                    : file.endsWith(".css")
                                            ? "text/css; charset=utf-8"
                                            : "application/octet-stream";
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    // --- routes -----------------------------------------------------------------------------

    private void health(Context ctx) throws JsonProcessingException {
        boolean storeUp;
        try (var c = store.dataSource().getConnection()) {
            storeUp = c.isValid(2);
        } catch (SQLException e) {
            storeUp = false;
        }
        boolean kafka = queries.ready();
        ctx.status(storeUp && kafka ? 200 : 503);
        json(
                ctx,
                Map.of(
                        "status",
                        storeUp && kafka ? "ok" : "degraded",
                        "store",
                        storeUp,
                        "kafka",
                        kafka,
                        "alerts",
                        alerts.subscribed()));
    }

    private void login(Context ctx) throws SQLException, JsonProcessingException {
        ObjectNode b = body(ctx);
        String name = text(b, "user", 63, true).strip().toLowerCase();
        String secret = text(b, "secret", 200, true);
        Optional<WebStore.User> u = store.checkLogin(name, secret);
        if (u.isEmpty())
            throw new ApiError(401, "UNAUTHORIZED", "Unknown user or wrong token or password.");
        String[] session = store.openSession(u.get(), config.sessionTtl());
        ctx.header(
                "Set-Cookie",
                COOKIE
                        + "="
                        + session[0]
                        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                        + config.sessionTtl().toSeconds()
                        + (config.secureCookies() ? "; Secure" : ""));
        json(ctx, Map.of("user", u.get().name(), "role", u.get().role(), "csrf_token", session[1]));
    }

    private void logout(Context ctx) throws SQLException, JsonProcessingException {
        String cookie = ctx.cookie(COOKIE);
        if (cookie != null) store.closeSession(cookie);
        ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        json(ctx, Map.of("logged_out", true));
    }

    private void me(Context ctx) throws JsonProcessingException {
        Caller c = caller(ctx);
        ObjectNode n =
                JSON.createObjectNode().put("user", c.user().name()).put("role", c.user().role());
        if (c.csrf() != null) n.put("csrf_token", c.csrf());
        json(ctx, n);
    }

    private void ask(Context ctx) throws Exception {
        Caller c = caller(ctx);
        ObjectNode b = body(ctx);
        String question = text(b, "question", MAX_QUESTION, true).strip();
        String conversation = text(b, "conversation_id", 100, false);
        if (conversation != null && !ID.matcher(conversation).matches()) {
            throw new ApiError(
                    400,
                    "BAD_FIELD",
                    "conversation_id may hold letters, digits and . _ : - only (at most 100).");
        }
        String now = text(b, "now", 40, false);
        if (now != null) {
            try {
                Instant.parse(now);
            } catch (DateTimeParseException e) {
                throw new ApiError(
                        400,
                        "BAD_FIELD",
                        "now must be an ISO-8601 instant such as 2026-11-03T18:00:00Z.");
            }
        }
        String id = "web-" + UUID.randomUUID();
        Instant asked = Instant.now();
        long start = System.nanoTime();
        byte[] bytes;
        try {
            bytes = queries.ask(id, question, now, conversation, config.askTimeout());
        } catch (IllegalStateException e) {
            throw new ApiError(503, "KAFKA_UNAVAILABLE", e.getMessage());
        }
        long latency = (System.nanoTime() - start) / 1_000_000;
        if (bytes == null) {
            store.logQuestion(
                    new WebStore.LoggedQuestion(
                            id,
                            c.user().name(),
                            conversation,
                            question,
                            asked,
                            null,
                            false,
                            "NO_ANSWER_IN_TIME",
                            latency));
            throw new ApiError(
                    504,
                    "NO_ANSWER_IN_TIME",
                    "No answer within "
                            + config.askTimeout().toSeconds()
                            + " s: is QueryJob running? (./whyflow query start submits it; ./whyflow status lists jobs)");
        }
        Answer answer = AnswerJson.fromBytes(bytes);
        store.logQuestion(
                new WebStore.LoggedQuestion(
                        id,
                        c.user().name(),
                        conversation,
                        question,
                        asked,
                        answer.intent(),
                        answer.answered(),
                        answer.error(),
                        latency));
        ObjectNode doc = (ObjectNode) JSON.readTree(bytes);
        doc.put("question_id", id);
        if (conversation != null) doc.put("conversation_id", conversation);
        doc.put("wall_ms", latency);
        if (answer.slots() != null
                && answer.slots().from() != null
                && answer.slots().to() != null) {
            WebStore.Refused refused =
                    store.refusedShare(answer.slots().from(), answer.slots().to());
            if (refused != null) {
                doc.putObject("refused_records")
                        .put("refused", refused.refused())
                        .put("accepted_events", refused.accepted())
                        .put("share", refused.share());
            }
        }
        json(ctx, AnswerView.decorate(doc));
    }

    private void feedback(Context ctx) throws SQLException, JsonProcessingException {
        Caller c = caller(ctx);
        ObjectNode b = body(ctx);
        String questionId = text(b, "question_id", 100, true);
        String rating = text(b, "rating", 10, true);
        if (!Set.of("up", "down").contains(rating))
            throw new ApiError(400, "BAD_FIELD", "rating must be \"up\" or \"down\".");
        String reason = text(b, "reason", WebStore.MAX_REASON, false);
        if (!store.feedback(c.user().name(), questionId, rating, reason)) {
            throw new ApiError(
                    404,
                    "NO_SUCH_QUESTION",
                    "No question " + questionId + " was asked through this service.");
        }
        json(ctx, Map.of("question_id", questionId, "rating", rating, "recorded", true));
    }

    private void pilot(Context ctx) throws SQLException, JsonProcessingException {
        requireAdmin(ctx);
        json(ctx, PilotReport.compute(store.dataSource(), config.baselineMinutes()));
    }

    private void users(Context ctx) throws SQLException, JsonProcessingException {
        requireAdmin(ctx);
        json(ctx, Map.of("users", store.users()));
    }

    private void addUser(Context ctx) throws SQLException, JsonProcessingException {
        requireAdmin(ctx);
        ObjectNode b = body(ctx);
        String name = text(b, "user", 63, true);
        String role = text(b, "role", 10, true);
        try {
            WebStore.NewUser u = store.addUser(name, role, null);
            ctx.status(201);
            json(ctx, Map.of("user", u.user().name(), "role", u.user().role(), "token", u.token()));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "BAD_FIELD", e.getMessage());
        }
    }

    private void alertStream(SseClient client) {
        client.keepAlive();
        Consumer<String> send =
                json -> {
                    if (client.terminated()) throw new IllegalStateException("stream closed");
                    client.sendEvent("alert", json);
                };
        client.onClose(() -> alerts.unlisten(send));
        client.sendComment("alerts from " + config.alertTopicPrefix() + "*");
        alerts.listen(send);
    }

    @Override
    public void close() {
        app.stop();
        alerts.close();
        queries.close();
        store.close();
    }

    public static void main(String[] args) {
        WebConfig config = WebConfig.fromEnvironment(System.getenv());
        WebService service = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "whyflow-web-stop"));
    }
}

package dev.whyflow.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whyflow.testing.FlinkTestCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JSON API against real components: QueryJob on a MiniCluster answering through an in-process
 * broker, the store loaded through CaptureJob and PatternJob, the service logged in as a member of
 * whyflow_web_writer. Answers with the chart their shape calls for; alerts streamed with their
 * "why"; feedback in the pilot report; 401 without a user, 403 for a viewer on the pilot report;
 * and every bad request a clear 4xx that changes nothing.
 */
class WebApiIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = WebStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    private static JsonNode ask(String token, String question) throws Exception {
        HttpResponse<String> r =
                stack.post(
                        "/api/ask",
                        token,
                        JSON.createObjectNode().put("question", question).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static long figuresNamed(JsonNode answer, String contains) {
        long n = 0;
        for (JsonNode f : answer.path("figures"))
            if (f.path("name").asText().contains(contains)) n++;
        return n;
    }

    @Test
    void withoutAUserThereIsNoDataOnly401() throws Exception {
        for (HttpResponse<String> r :
                List.of(
                        stack.post(
                                "/api/ask",
                                null,
                                "{\"question\":\"How many orders did we get on 2026-11-02?\"}"),
                        stack.post(
                                "/api/ask",
                                "wf_not-a-token",
                                "{\"question\":\"How many orders did we get on 2026-11-02?\"}"),
                        stack.get("/api/pilot", null),
                        stack.get("/api/alerts/stream", null),
                        stack.get("/api/me", null),
                        stack.post(
                                "/api/feedback",
                                null,
                                "{\"question_id\":\"x\",\"rating\":\"up\"}"))) {
            assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(401);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.fieldNames())
                    .toIterable()
                    .containsExactlyInAnyOrder("error", "message");
        }
        assertThat(stack.get("/api/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTrendIsALineWithAPointPerFigureABreakdownBarsAWhyItsHypotheses() throws Exception {
        JsonNode trend = ask(stack.viewerToken, "daily revenue from 2026-11-02 to 2026-11-06");
        assertThat(trend.path("intent").asText()).isEqualTo("trend");
        assertThat(trend.path("chart").path("kind").asText()).isEqualTo("line");
        String series = trend.path("chart").path("series").path(0).path("name").asText();
        assertThat(trend.path("chart").path("labels").size())
                .as(trend.toString())
                .isEqualTo(5)
                .isEqualTo((int) figuresNamed(trend, series + "@"));
        assertThat(trend.path("chart").path("series").path(0).path("values").size()).isEqualTo(5);
        assertThat(trend.path("chart").path("unit").asText()).isEqualTo("EUR");
        assertThat(trend.path("refused_records").path("accepted_events").asLong()).isPositive();
        assertThat(trend.path("refused_records").path("share").asDouble()).isBetween(0.0, 1.0);

        JsonNode breakdown = ask(stack.viewerToken, "orders by platform on 2026-11-03");
        assertThat(breakdown.path("chart").path("kind").asText()).isEqualTo("bars");
        assertThat(breakdown.path("chart").path("labels").size())
                .isEqualTo((int) figuresNamed(breakdown, "["));

        JsonNode funnel = ask(stack.viewerToken, "show the conversion funnel on 2026-11-03");
        assertThat(funnel.path("chart").path("kind").asText()).isEqualTo("funnel");
        JsonNode top =
                ask(stack.viewerToken, "top 5 products by revenue from 2026-11-02 to 2026-11-06");
        assertThat(top.path("chart").path("kind").asText()).isEqualTo("ranked_bars");
        assertThat(top.path("chart").path("labels").size()).isEqualTo(5);
        JsonNode compared =
                ask(stack.viewerToken, "orders on 2026-11-03 compared with the previous period");
        assertThat(compared.path("chart").path("kind").asText()).isEqualTo("paired_bars");

        JsonNode why =
                ask(
                        stack.viewerToken,
                        "Why did checkout abandonment rise on android on 2026-11-03?");
        assertThat(why.path("intent").asText()).isEqualTo("diagnose");
        assertThat(why.path("hypotheses").path(0).path("mechanism").asText())
                .isEqualTo("slow_page_load");
        // the evidence's SQL templates come with the answer
        String template = why.path("evidence").path(0).path("template_id").asText();
        assertThat(why.path("templates").path(template).asText()).containsIgnoringCase("select");
        assertThat(
                        stack.count(
                                "SELECT count(*) FROM web_questions WHERE user_name = '"
                                        + stack.viewerName
                                        + "' AND intent = 'diagnose' AND answered"))
                .isPositive();
    }

    @Test
    void aFollowUpIsAnsweredInItsConversation() throws Exception {
        String conversation = "c-" + java.util.UUID.randomUUID();
        HttpResponse<String> first =
                stack.post(
                        "/api/ask",
                        stack.viewerToken,
                        JSON.createObjectNode()
                                .put(
                                        "question",
                                        "What was the conversion rate on android on 2026-11-02?")
                                .put("conversation_id", conversation)
                                .toString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        HttpResponse<String> followUp =
                stack.post(
                        "/api/ask",
                        stack.viewerToken,
                        JSON.createObjectNode()
                                .put("question", "and on iOS?")
                                .put("conversation_id", conversation)
                                .toString());
        assertThat(followUp.statusCode()).as(followUp.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(followUp.body());
        assertThat(answer.path("conversation_id").asText()).isEqualTo(conversation);
        assertThat(answer.path("slots").path("metric").asText()).isEqualTo("conversion_rate");
        assertThat(answer.path("slots").path("segment_value").asText())
                .isEqualToIgnoringCase("ios");
        assertThat(answer.path("slots").path("from").asText()).isEqualTo("2026-11-02T00:00:00Z");
        assertThat(
                        stack.count(
                                "SELECT count(*) FROM web_questions WHERE conversation_id = '"
                                        + conversation
                                        + "'"))
                .isEqualTo(2);
    }

    @Test
    void aThumbsDownWithAReasonIsInThePilotReportWhichViewersDoNotGet() throws Exception {
        JsonNode answer = ask(stack.viewerToken, "What will revenue be next month?");
        assertThat(answer.path("intent").asText()).isEqualTo("unanswerable");
        assertThat(answer.path("suggestions").size()).isPositive();
        HttpResponse<String> fb =
                stack.post(
                        "/api/feedback",
                        stack.viewerToken,
                        JSON.createObjectNode()
                                .put("question_id", answer.path("question_id").asText())
                                .put("rating", "down")
                                .put("reason", "I need a forecast for the buying plan")
                                .toString());
        assertThat(fb.statusCode()).as(fb.body()).isEqualTo(200);

        assertThat(stack.get("/api/pilot", stack.viewerToken).statusCode()).isEqualTo(403);
        HttpResponse<String> pilot = stack.get("/api/pilot", stack.adminToken);
        assertThat(pilot.statusCode()).isEqualTo(200);
        JsonNode p = JSON.readTree(pilot.body());
        assertThat(p.path("questions").asLong()).isPositive();
        assertThat(p.path("cannot_answer").asLong()).isPositive();
        assertThat(p.path("satisfaction").isNumber()).isTrue();
        assertThat(p.path("recent_feedback").findValuesAsText("reason"))
                .contains("I need a forecast for the buying plan");
        assertThat(p.path("top_unanswered").findValuesAsText("question"))
                .contains("what will revenue be next month?");
        assertThat(p.path("latency_ms").path("p95").asLong()).isPositive();
        assertThat(p.path("time_saved_hours").asDouble()).isPositive();
    }

    @Test
    void alertsArriveAsServerSentEventsWithTheirWhy() throws Exception {
        HttpRequest req =
                HttpRequest.newBuilder(URI.create(stack.base + "/api/alerts/stream"))
                        .header("Authorization", "Bearer " + stack.viewerToken)
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build();
        HttpResponse<java.io.InputStream> stream =
                stack.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/event-stream");
        CompletableFuture<String> first =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    stream.body(), StandardCharsets.UTF_8))) {
                                for (String line; (line = in.readLine()) != null; )
                                    if (line.startsWith("data:")) return line.substring(5).strip();
                                return null;
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
        assertThat(stack.publishIncidentAlerts(3)).isEqualTo(3);
        JsonNode alert = JSON.readTree(first.get(30, TimeUnit.SECONDS));
        assertThat(alert.path("pattern").asText()).isEqualTo("checkout_abandonment");
        assertThat(alert.path("why_question").asText())
                .isEqualTo("Why did checkout abandonment rise on android on 2026-11-03?");
        JsonNode why = ask(stack.viewerToken, alert.path("why_question").asText());
        assertThat(why.path("hypotheses").path(0).path("segment").asText()).contains("android");
    }

    @Test
    void badRequestsGetAClear4xxAndChangeNothing() throws Exception {
        long questions = stack.count("SELECT count(*) FROM web_questions");
        long feedback = stack.count("SELECT count(*) FROM web_feedback");
        long users = stack.count("SELECT count(*) FROM web_users");
        String tok = stack.viewerToken;

        assertThat(stack.get("/api/nothing-here", tok).statusCode()).isEqualTo(404);
        assertThat(stack.get("/api/ask", tok).statusCode()).isEqualTo(405);
        assertThat(stack.post("/api/ask", tok, "{\"question\": ").statusCode()).isEqualTo(400);
        assertThat(stack.post("/api/ask", tok, "[1,2]").statusCode()).isEqualTo(400);
        assertThat(stack.post("/api/ask", tok, "{\"question\": 42}").statusCode()).isEqualTo(400);
        assertThat(
                        stack.post("/api/ask", tok, "{\"question\": \"" + "x".repeat(1_001) + "\"}")
                                .statusCode())
                .isEqualTo(400);
        assertThat(
                        stack.post(
                                        "/api/ask",
                                        tok,
                                        "{\"question\": \"" + "x".repeat(70_000) + "\"}")
                                .statusCode())
                .isEqualTo(413);
        assertThat(
                        stack.post(
                                        "/api/feedback",
                                        tok,
                                        "{\"question_id\":\"web-nope\",\"rating\":\"up\"}")
                                .statusCode())
                .isEqualTo(404);
        assertThat(
                        stack.post(
                                        "/api/feedback",
                                        tok,
                                        "{\"question_id\":\"web-nope\",\"rating\":\"meh\"}")
                                .statusCode())
                .isEqualTo(400);
        assertThat(
                        stack.post("/api/users", tok, "{\"user\":\"mallory\",\"role\":\"admin\"}")
                                .statusCode())
                .isEqualTo(403);
        HttpResponse<String> wrongType =
                stack.http.send(
                        HttpRequest.newBuilder(URI.create(stack.base + "/api/ask"))
                                .header("Authorization", "Bearer " + tok)
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("How many orders?"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(wrongType.statusCode()).isEqualTo(415);

        // the page's session: a cookie, HttpOnly and SameSite; a POST without its CSRF token, or
        // with a forged one, is refused
        HttpResponse<String> login =
                stack.post(
                        "/api/login",
                        null,
                        "{\"user\":\""
                                + stack.adminName
                                + "\",\"secret\":\""
                                + WebStack.ADMIN_PASSWORD
                                + "\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly", "SameSite=Strict", "Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = JSON.readTree(login.body()).path("csrf_token").asText();
        assertThat(withCookie("/api/ask", cookie, null).statusCode()).isEqualTo(403);
        assertThat(withCookie("/api/ask", cookie, "forged" + csrf).statusCode()).isEqualTo(403);
        assertThat(
                        stack.post(
                                        "/api/login",
                                        null,
                                        "{\"user\":\""
                                                + stack.adminName
                                                + "\",\"secret\":\"wrong\"}")
                                .statusCode())
                .isEqualTo(401);
        // an expired session is a session no more
        try (Connection c = stack.db.open();
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE web_sessions SET expires_at = now() - interval '1 second'");
        }
        assertThat(withCookie("/api/ask", cookie, csrf).statusCode()).isEqualTo(401);

        assertThat(stack.count("SELECT count(*) FROM web_questions")).isEqualTo(questions);
        assertThat(stack.count("SELECT count(*) FROM web_feedback")).isEqualTo(feedback);
        assertThat(stack.count("SELECT count(*) FROM web_users")).isEqualTo(users);
    }

    private static HttpResponse<String> withCookie(String path, String cookie, String csrf)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(stack.base + path))
                        .header("Cookie", cookie)
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"question\":\"How many orders did we get on 2026-11-02?\"}"));
        if (csrf != null) b.header("X-CSRF-Token", csrf);
        return stack.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServicesLoginWritesOnlyItsOwnTables() throws Exception {
        var web = WebStack.webLogin(stack.db);
        try (Connection c = web.open();
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM events"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO alerts (alert_id) VALUES ('x')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM sessions"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            // of the refused records, their time only: never their bytes
            assertThatThrownBy(() -> s.executeQuery("SELECT raw FROM failed_events"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
        // and the query job's reader role cannot read the service's users
        try (Connection c = stack.db.open();
                Statement s = c.createStatement()) {
            s.execute("SET ROLE whyflow_reader");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM web_users"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void theApiAnswersWithinASecondOnceWarm() throws Exception {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            ask(stack.viewerToken, "How many orders did we get on 2026-11-0" + (2 + i % 4) + "?");
            ms.add((System.nanoTime() - t) / 1_000_000);
        }
        System.out.println("WebApiIT: ask wall ms " + ms);
        assertThat(ms.stream().sorted().toList().get(2)).isLessThan(1_000);
    }
}

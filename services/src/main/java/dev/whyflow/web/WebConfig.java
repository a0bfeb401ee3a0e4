package dev.whyflow.web;

import dev.whyflow.sql.StoreConnection;
import java.time.Duration;
import java.util.Map;

/**
 * The web service's settings, read once at start from the environment (the local stack's {@code
 * deploy/local/web.sh} sets them; a container sets them in its manifest).
 *
 * @param bindHost {@code WHYFLOW_WEB_HOST}, default {@code 127.0.0.1}
 * @param port {@code WHYFLOW_WEB_PORT}, default 58090 (0: any free port, for tests)
 * @param bootstrap {@code WHYFLOW_KAFKA_BOOTSTRAP}
 * @param questionsTopic where questions go to QueryJob ({@code WHYFLOW_WEB_QUESTIONS_TOPIC}, {@code
 *     whyflow.questions})
 * @param answersTopic where QueryJob answers ({@code WHYFLOW_WEB_ANSWERS_TOPIC}, {@code
 *     whyflow.answers})
 * @param alertTopicPrefix PatternJob's alert topics ({@code WHYFLOW_WEB_ALERTS_PREFIX}, {@code
 *     whyflow.alerts.})
 * @param store {@code WHYFLOW_WEB_PG_URL}/{@code _USER}/{@code _PASSWORD}: a login in {@code
 *     whyflow_web_writer}; defaults to the store's {@code WHYFLOW_PG_*}
 * @param askTimeout {@code WHYFLOW_WEB_ASK_TIMEOUT_S}: the longest a question waits for QueryJob
 *     (30 s, QueryJob's own deadline)
 * @param sessionTtl {@code WHYFLOW_WEB_SESSION_HOURS}: a browser session's life (12 h)
 * @param maxBodyBytes larger request bodies are refused with 413
 * @param baselineMinutes {@code WHYFLOW_PILOT_BASELINE_MINUTES}: what one answered question would
 *     cost without Whyflow, for the pilot's time saved (default 2,880: two days, the article's
 *     "days")
 * @param secureCookies {@code WHYFLOW_WEB_SECURE_COOKIES=1} behind HTTPS: the session cookie gets
 *     {@code Secure}
 */
public record WebConfig(
        String bindHost,
        int port,
        String bootstrap,
        String questionsTopic,
        String answersTopic,
        String alertTopicPrefix,
        StoreConnection store,
        Duration askTimeout,
        Duration sessionTtl,
        int maxBodyBytes,
        long baselineMinutes,
        boolean secureCookies) {

    public static final int DEFAULT_PORT = 58090;

    public static WebConfig fromEnvironment(Map<String, String> env) {
        StoreConnection pg = StoreConnection.fromEnvironment();
        StoreConnection store =
                new StoreConnection(
                        env.getOrDefault("WHYFLOW_WEB_PG_URL", pg.url()),
                        env.getOrDefault("WHYFLOW_WEB_PG_USER", pg.user()),
                        env.getOrDefault("WHYFLOW_WEB_PG_PASSWORD", pg.password()));
        return new WebConfig(
                env.getOrDefault("WHYFLOW_WEB_HOST", "127.0.0.1"),
                Integer.parseInt(
                        env.getOrDefault("WHYFLOW_WEB_PORT", String.valueOf(DEFAULT_PORT))),
                env.getOrDefault("WHYFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:59092"),
                env.getOrDefault("WHYFLOW_WEB_QUESTIONS_TOPIC", "whyflow.questions"),
                env.getOrDefault("WHYFLOW_WEB_ANSWERS_TOPIC", "whyflow.answers"),
                env.getOrDefault("WHYFLOW_WEB_ALERTS_PREFIX", "whyflow.alerts."),
                store,
                Duration.ofSeconds(
                        Long.parseLong(env.getOrDefault("WHYFLOW_WEB_ASK_TIMEOUT_S", "30"))),
                Duration.ofHours(
                        Long.parseLong(env.getOrDefault("WHYFLOW_WEB_SESSION_HOURS", "12"))),
                64 * 1024,
                Long.parseLong(env.getOrDefault("WHYFLOW_PILOT_BASELINE_MINUTES", "2880")),
                "1".equals(env.get("WHYFLOW_WEB_SECURE_COOKIES")));
    }

    public WebConfig withPort(int p) {
        return new WebConfig(
                bindHost,
                p,
                bootstrap,
                questionsTopic,
                answersTopic,
                alertTopicPrefix,
                store,
                askTimeout,
                sessionTtl,
                maxBodyBytes,
                baselineMinutes,
                secureCookies);
    }

    public WebConfig withTopics(String questions, String answers, String alertPrefix) {
        return new WebConfig(
                bindHost,
                port,
                bootstrap,
                questions,
                answers,
                alertPrefix,
                store,
                askTimeout,
                sessionTtl,
                maxBodyBytes,
                baselineMinutes,
                secureCookies);
    }

    public WebConfig withKafka(String servers) {
        return new WebConfig(
                bindHost,
                port,
                servers,
                questionsTopic,
                answersTopic,
                alertTopicPrefix,
                store,
                askTimeout,
                sessionTtl,
                maxBodyBytes,
                baselineMinutes,
                secureCookies);
    }

    public WebConfig withStore(StoreConnection s) {
        return new WebConfig(
                bindHost,
                port,
                bootstrap,
                questionsTopic,
                answersTopic,
                alertTopicPrefix,
                s,
                askTimeout,
                sessionTtl,
                maxBodyBytes,
                baselineMinutes,
                secureCookies);
    }

    public WebConfig withSessionTtl(Duration ttl) {
        return new WebConfig(
                bindHost,
                port,
                bootstrap,
                questionsTopic,
                answersTopic,
                alertTopicPrefix,
                store,
                askTimeout,
                ttl,
                maxBodyBytes,
                baselineMinutes,
                secureCookies);
    }
}

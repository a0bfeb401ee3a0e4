package dev.whyflow.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The pilot the article describes ("Give access to 5 business users. Track: queries asked, time
 * saved, satisfaction"), measured from the web service's own tables:
 *
 * <ul>
 *   <li>{@code questions}: asked through the service; {@code answered} and {@code cannot_answer}
 *       (unanswerable or failed); {@code answered_share};
 *   <li>{@code by_user_day}: questions per user and day (UTC);
 *   <li>{@code latency_ms}: p50 and p95 of the wall time from the request to the answer, in the
 *       service;
 *   <li>{@code satisfaction}: thumbs up / all votes (null without votes), with {@code votes_up} and
 *       {@code votes_down};
 *   <li>{@code recent_feedback}: the last 20 votes with their reasons;
 *   <li>{@code top_unanswered}: the questions it could not answer, most asked first (what to build
 *       next);
 *   <li>{@code time_saved_hours}: for every answered question, the baseline (what the question
 *       costs without Whyflow: {@code baseline_minutes}, default two days, the article's "days
 *       instead of seconds") minus the time the answer took, summed. An estimate, stated as one: it
 *       assumes each answered question would otherwise have been asked of an analyst.
 * </ul>
 */
public final class PilotReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PilotReport() {}

    public static ObjectNode compute(DataSource data, long baselineMinutes) throws SQLException {
        ObjectNode r = JSON.createObjectNode();
        try (Connection c = data.getConnection()) {
            try (PreparedStatement s =
                    c.prepareStatement(
                            """
                    SELECT count(*), count(*) FILTER (WHERE answered), count(DISTINCT user_name),
                           percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms),
                           percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms),
                           coalesce(sum(greatest(0, ? * 60000 - latency_ms)) FILTER (WHERE answered), 0)
                      FROM web_questions"""); ) {
                s.setLong(1, baselineMinutes);
                try (ResultSet q = s.executeQuery()) {
                    q.next();
                    long asked = q.getLong(1);
                    long answered = q.getLong(2);
                    r.put("questions", asked);
                    r.put("answered", answered);
                    r.put("cannot_answer", asked - answered);
                    if (asked > 0) r.put("answered_share", round(answered / (double) asked));
                    else r.putNull("answered_share");
                    r.put("users", q.getLong(3));
                    ObjectNode latency = r.putObject("latency_ms");
                    latency.put("p50", q.getObject(4) == null ? null : q.getLong(4));
                    latency.put("p95", q.getObject(5) == null ? null : q.getLong(5));
                    r.put("baseline_minutes", baselineMinutes);
                    r.put("time_saved_hours", round(q.getLong(6) / 3_600_000.0));
                }
            }
            try (PreparedStatement s =
                            c.prepareStatement(
                                    """
                    SELECT count(*) FILTER (WHERE rating = 'up'), count(*) FILTER (WHERE rating = 'down') FROM web_feedback""");
                    ResultSet f = s.executeQuery()) {
                f.next();
                long up = f.getLong(1);
                long down = f.getLong(2);
                r.put("votes_up", up);
                r.put("votes_down", down);
                if (up + down > 0) r.put("satisfaction", round(up / (double) (up + down)));
                else r.putNull("satisfaction");
            }
            ArrayNode byUserDay = r.putArray("by_user_day");
            try (PreparedStatement s =
                            c.prepareStatement(
                                    """
                    SELECT user_name, to_char(asked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*),
                           count(*) FILTER (WHERE answered)
                      FROM web_questions GROUP BY 1, 2 ORDER BY 2 DESC, 1 LIMIT 500""");
                    ResultSet q = s.executeQuery()) {
                while (q.next()) {
                    byUserDay
                            .addObject()
                            .put("user", q.getString(1))
                            .put("day", q.getString(2))
                            .put("questions", q.getLong(3))
                            .put("answered", q.getLong(4));
                }
            }
            ArrayNode recent = r.putArray("recent_feedback");
            try (PreparedStatement s =
                            c.prepareStatement(
                                    """
                    SELECT f.given_at, f.user_name, f.rating, f.reason, q.question, q.question_id
                      FROM web_feedback f JOIN web_questions q USING (question_id)
                     ORDER BY f.given_at DESC LIMIT 20""");
                    ResultSet q = s.executeQuery()) {
                while (q.next()) {
                    recent.addObject()
                            .put("given_at", q.getTimestamp(1).toInstant().toString())
                            .put("user", q.getString(2))
                            .put("rating", q.getString(3))
                            .put("reason", q.getString(4))
                            .put("question", q.getString(5))
                            .put("question_id", q.getString(6));
                }
            }
            ArrayNode unanswered = r.putArray("top_unanswered");
            try (PreparedStatement s =
                            c.prepareStatement(
                                    """
                    SELECT lower(btrim(question)), count(*), max(asked_at)
                      FROM web_questions WHERE NOT answered GROUP BY 1 ORDER BY 2 DESC, 3 DESC LIMIT 10""");
                    ResultSet q = s.executeQuery()) {
                while (q.next())
                    unanswered
                            .addObject()
                            .put("question", q.getString(1))
                            .put("times", q.getLong(2));
            }
        }
        return r;
    }

    /** The report for a terminal. */
    public static String text(ObjectNode r) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "Pilot: %d question(s) from %d user(s); answered %d, cannot answer %d (answered share %s)%n",
                        r.path("questions").asLong(),
                        r.path("users").asLong(),
                        r.path("answered").asLong(),
                        r.path("cannot_answer").asLong(),
                        share(r.path("answered_share"))));
        b.append(
                String.format(
                        Locale.ROOT,
                        "Latency p50 %s ms, p95 %s ms; satisfaction %s (%d up, %d down)%n",
                        r.path("latency_ms").path("p50").asText("-"),
                        r.path("latency_ms").path("p95").asText("-"),
                        share(r.path("satisfaction")),
                        r.path("votes_up").asLong(),
                        r.path("votes_down").asLong()));
        b.append(
                String.format(
                        Locale.ROOT,
                        "Time saved: %s h (each answered question against a baseline of %d min)%n",
                        r.path("time_saved_hours").asText(),
                        r.path("baseline_minutes").asLong()));
        if (!r.path("by_user_day").isEmpty()) {
            b.append("\nQuestions per user and day\n");
            r.path("by_user_day")
                    .forEach(
                            d ->
                                    b.append(
                                            String.format(
                                                    Locale.ROOT,
                                                    "  %s  %-20s %4d asked, %4d answered%n",
                                                    d.path("day").asText(),
                                                    d.path("user").asText(),
                                                    d.path("questions").asLong(),
                                                    d.path("answered").asLong())));
        }
        if (!r.path("top_unanswered").isEmpty()) {
            b.append("\nMost asked questions it could not answer (what to build next)\n");
            r.path("top_unanswered")
                    .forEach(
                            q ->
                                    b.append(
                                            String.format(
                                                    Locale.ROOT,
                                                    "  %3d × %s%n",
                                                    q.path("times").asLong(),
                                                    q.path("question").asText())));
        }
        if (!r.path("recent_feedback").isEmpty()) {
            b.append("\nRecent feedback\n");
            r.path("recent_feedback")
                    .forEach(
                            f ->
                                    b.append(
                                            String.format(
                                                    Locale.ROOT,
                                                    "  %s %-4s %-12s %s%s%n",
                                                    f.path("given_at").asText(),
                                                    f.path("rating").asText(),
                                                    f.path("user").asText(),
                                                    f.path("question").asText(),
                                                    f.path("reason").isTextual()
                                                            ? " — " + f.path("reason").asText()
                                                            : "")));
        }
        return b.toString();
    }

    private static String share(com.fasterxml.jackson.databind.JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.0f %%", n.asDouble() * 100) : "-";
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}

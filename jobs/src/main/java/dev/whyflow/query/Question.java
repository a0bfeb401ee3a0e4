package dev.whyflow.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * A question as it arrives on {@code whyflow.questions} (JSON Schema {@code
 * whyflow/schemas/query/question.v1.json}): {@code question_id}, {@code question}, {@code
 * asked_at}, and optionally {@code now} (the instant relative periods are resolved against; the
 * demo sets it to the simulated time). A record that is not such a question keeps its key as id and
 * carries the reason in {@link #error}, so that it is answered with a typed error.
 */
public class Question {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String questionId;
    public String question;
    public String askedAt;
    public String now;

    /**
     * The conversation it belongs to, or null: a follow-up resolves against that conversation's
     * last question.
     */
    public String conversationId;

    public String error;

    public Question() {}

    public Question(String questionId, String question, String askedAt, String now, String error) {
        this.questionId = questionId;
        this.question = question;
        this.askedAt = askedAt;
        this.now = now;
        this.error = error;
    }

    public static Question parse(byte[] key, byte[] value) {
        String keyId = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (value == null) return new Question(orNew(keyId), "", null, null, "empty record");
        try {
            JsonNode n = JSON.readTree(value);
            if (n == null || !n.isObject())
                return new Question(orNew(keyId), "", null, null, "not a JSON object");
            String id = n.path("question_id").isTextual() ? n.path("question_id").asText() : keyId;
            if (!n.path("question").isTextual())
                return new Question(
                        orNew(id), "", null, null, "question is missing or not a string");
            String now = n.path("now").isTextual() ? n.path("now").asText() : null;
            if (now != null) {
                try {
                    Instant.parse(now);
                } catch (DateTimeParseException e) {
                    return new Question(
                            orNew(id),
                            n.path("question").asText(),
                            null,
                            null,
                            "now is not an ISO-8601 instant");
                }
            }
            Question q =
                    new Question(
                            orNew(id),
                            n.path("question").asText(),
                            n.path("asked_at").isTextual() ? n.path("asked_at").asText() : null,
                            now,
                            null);
            q.conversationId =
                    n.path("conversation_id").isTextual()
                                    && !n.path("conversation_id").asText().isBlank()
                            ? n.path("conversation_id").asText()
                            : null;
            return q;
        } catch (IOException e) {
            return new Question(orNew(keyId), "", null, null, "not JSON");
        }
    }

    public byte[] toJson() {
        var n = JSON.createObjectNode();
        n.put("question_id", questionId);
        n.put("question", question);
        if (askedAt != null) n.put("asked_at", askedAt);
        if (now != null) n.put("now", now);
        if (conversationId != null) n.put("conversation_id", conversationId);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What QueryJob keys questions by: their conversation, so that its follow-ups meet its context;
     * else the question.
     */
    public String routingKey() {
        return conversationId != null ? conversationId : questionId;
    }

    private static String orNew(String id) {
        return id == null || id.isBlank() ? "q-" + UUID.randomUUID() : id;
    }
}

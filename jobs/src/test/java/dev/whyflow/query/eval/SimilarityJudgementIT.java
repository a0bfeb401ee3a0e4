package dev.whyflow.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.whyflow.query.Answer;
import dev.whyflow.query.Figure;
import dev.whyflow.query.Intent;
import dev.whyflow.query.Slots;
import dev.whyflow.sql.testing.TestDatabase;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link GoldenEvaluator} judges a similarity answer, on order vectors whose cosines to the
 * subject are known by construction (a store of its own, a JSONL truth of nine orders): the exact
 * five nearest, nearest first, with their stated cosines are exact, and so is a tie at the fifth
 * place resolved either way; every kind of wrong answer is not.
 */
class SimilarityJudgementIT {

    private static final Instant CLOCK = Instant.parse("2026-11-03T00:00:00Z");
    private static final String SUBJECT = "O-20261102-S-1";

    /** Order id → cosine to the subject, nearest first; T-5 is a twin of O-5 (the same vector). */
    private static final Map<String, Double> NEIGHBOURS = new LinkedHashMap<>();

    static {
        NEIGHBOURS.put("O-20261102-O-1", 0.99);
        NEIGHBOURS.put("O-20261102-O-2", 0.95);
        NEIGHBOURS.put("O-20261102-O-3", 0.90);
        NEIGHBOURS.put("O-20261102-O-4", 0.80);
        NEIGHBOURS.put("O-20261102-O-5", 0.70);
        NEIGHBOURS.put("O-20261102-T-5", 0.70);
        NEIGHBOURS.put("O-20261102-O-6", 0.50);
        NEIGHBOURS.put("O-20261102-O-7", 0.10);
    }

    private static TestDatabase db;
    private static GoldenEvaluator evaluator;
    private static JsonNode question;

    @BeforeAll
    static void storeAndTruth(@TempDir Path dir) throws Exception {
        db = TestDatabase.create("similarity_judgement");
        try (Connection c = db.open();
                PreparedStatement p =
                        c.prepareStatement(
                                "INSERT INTO order_vectors (order_id, occurred_at, text, embedding, model) VALUES (?, ?, 'Order of 1 item.', ?, 'test')")) {
            int direction = 1;
            p.setString(1, SUBJECT);
            p.setTimestamp(2, Timestamp.from(Instant.parse("2026-11-02T08:00:00Z")));
            p.setObject(3, new PGvector(at(1.0, 0)));
            p.executeUpdate();
            for (Map.Entry<String, Double> n : NEIGHBOURS.entrySet()) {
                p.setString(1, n.getKey());
                p.setObject(
                        3,
                        new PGvector(
                                at(n.getValue(), n.getKey().endsWith("T-5") ? 5 : direction++)));
                p.executeUpdate();
            }
        }
        // the JSONL truth: the subject is the day's first completed order
        StringBuilder jsonl = new StringBuilder();
        List<String> ids = new ArrayList<>(List.of(SUBJECT));
        ids.addAll(NEIGHBOURS.keySet());
        for (int i = 0; i < ids.size(); i++) {
            jsonl.append(
                    String.format(
                            "{\"event_id\":\"e-%d\",\"event_type\":\"order_completed\",\"occurred_at\":\"2026-11-02T%02d:00:00Z\","
                                    + "\"source\":\"storefront-web\",\"payload\":{\"order_id\":\"%s\",\"amount_minor\":1000,\"currency\":\"EUR\"}}%n",
                            i, 8 + i, ids.get(i)));
        }
        Path file = dir.resolve("orders.jsonl"), manifest = dir.resolve("orders.truth.json");
        Files.writeString(file, jsonl);
        Files.writeString(manifest, "{\"bad_records\":[]}");
        ObjectMapper json = new ObjectMapper();
        evaluator =
                new GoldenEvaluator(
                        Truth.read(file, manifest),
                        json.readTree("{}"),
                        CLOCK,
                        ZoneOffset.UTC,
                        db.store());
        question =
                json.readTree(
                        "{\"id\":\"similar-order\",\"question\":\"Which orders are similar to order {order}?\","
                                + "\"intent\":\"similar\",\"subject\":{\"kind\":\"order\",\"day\":\"yesterday\"},\"slots\":{},\"truth\":{\"fn\":\"similar\"}}");
    }

    @AfterAll
    static void drop() {
        if (db != null) db.close();
    }

    /**
     * A unit vector whose cosine to the first axis is {@code cosine}, leaning towards axis {@code
     * direction}.
     */
    private static float[] at(double cosine, int direction) {
        float[] v = new float[384];
        v[0] = (float) cosine;
        if (direction > 0) v[direction] = (float) Math.sqrt(1 - cosine * cosine);
        return v;
    }

    @Test
    void theFiveNearestNearestFirstAreExact() {
        assertThat(judge("O-1", "O-2", "O-3", "O-4", "O-5").failures()).isEmpty();
        // the fifth place is a tie: either twin will do
        assertThat(judge("O-1", "O-2", "O-3", "O-4", "T-5").failures()).isEmpty();
    }

    @Test
    void aNearerOrderLeftOutIsWrong() {
        assertThat(judge("O-1", "O-2", "O-3", "O-4", "O-6").failures())
                .anyMatch(f -> f.startsWith("similar: a nearer order was left out"));
        assertThat(judge("O-2", "O-3", "O-4", "O-5", "T-5").failures())
                .anyMatch(f -> f.startsWith("similar: a nearer order was left out"));
    }

    @Test
    void aStatedSimilarityThatIsNotTheCosineIsWrong() {
        List<Figure> figures = figures("O-1", "O-2", "O-3", "O-4", "O-5");
        figures.set(0, new Figure(figures.get(0).name(), new BigDecimal("0.9800"), "cosine"));
        assertThat(evaluator.evaluate(question, q -> answer(figures)).failures())
                .containsExactly(
                        "similarity[O-20261102-O-1]: stated 0.9800, cosine of the stored vectors 0.990000");
    }

    @Test
    void fewerThanAskedTheSubjectItselfAnUnknownOrderOrAnotherOrderAreWrong() {
        assertThat(judge("O-1", "O-2", "O-3", "O-4").failures())
                .containsExactly(
                        "similar: expected 5 orders, got 4 "
                                + List.of(
                                        "O-20261102-O-1",
                                        "O-20261102-O-2",
                                        "O-20261102-O-3",
                                        "O-20261102-O-4"));

        List<Figure> withSubject = figures("O-1", "O-2", "O-3", "O-4");
        withSubject.add(
                0, new Figure("similarity[" + SUBJECT + "]", new BigDecimal("1.0000"), "cosine"));
        assertThat(evaluator.evaluate(question, q -> answer(withSubject)).failures())
                .containsExactly(
                        "similar: the subject " + SUBJECT + " is named as its own neighbour");

        List<Figure> unknown = figures("O-1", "O-2", "O-3", "O-4");
        unknown.add(new Figure("similarity[O-20261102-X-9]", new BigDecimal("0.7000"), "cosine"));
        assertThat(evaluator.evaluate(question, q -> answer(unknown)).failures())
                .contains(
                        "similar: not orders of the JSONL truth: [O-20261102-X-9]",
                        "similar: O-20261102-X-9 has no stored vector");

        List<Figure> twice = figures("O-1", "O-2", "O-3", "O-4", "O-4");
        assertThat(evaluator.evaluate(question, q -> answer(twice)).failures())
                .anyMatch(f -> f.startsWith("similar: an id named twice"));

        Answer otherSubject =
                new Answer(
                        Answer.SCHEMA_VERSION,
                        null,
                        "q",
                        Intent.SIMILAR,
                        Slots.empty()
                                .withMetric("similar_orders", null)
                                .withSubject("O-20261102-O-1"),
                        "",
                        figures("O-2", "O-3", "O-4", "O-5", "T-5"),
                        List.of(),
                        List.of(),
                        null,
                        null,
                        0,
                        null,
                        List.of(),
                        null,
                        null);
        assertThat(evaluator.evaluate(question, q -> otherSubject).failures())
                .anyMatch(f -> f.startsWith("slot subject_id: expected " + SUBJECT));
    }

    @Test
    void neighboursNotNearestFirstAreWrong() {
        assertThat(judge("O-2", "O-1", "O-3", "O-4", "O-5").failures())
                .containsExactly(
                        "similar: not nearest first: [0.9500, 0.9900, 0.9000, 0.8000, 0.7000]");
    }

    @Test
    void noNeighboursAtAllIsWrong() {
        assertThat(judge().failures()).containsExactly("similar: expected 5 orders, got 0 []");
    }

    private static GoldenEvaluator.Result judge(String... shortIds) {
        List<Figure> figures = figures(shortIds);
        return evaluator.evaluate(
                question,
                q -> {
                    assertThat(q).isEqualTo("Which orders are similar to order " + SUBJECT + "?");
                    return answer(figures);
                });
    }

    /** {@code similarity[id]} figures as the engine states them: the cosine to 4 places. */
    private static List<Figure> figures(String... shortIds) {
        List<Figure> out = new ArrayList<>();
        for (String s : shortIds) {
            String id = "O-20261102-" + s;
            out.add(
                    new Figure(
                            "similarity[" + id + "]",
                            BigDecimal.valueOf(NEIGHBOURS.get(id))
                                    .setScale(4, RoundingMode.HALF_UP),
                            "cosine"));
        }
        return out;
    }

    private static Answer answer(List<Figure> figures) {
        return new Answer(
                Answer.SCHEMA_VERSION,
                null,
                "q",
                Intent.SIMILAR,
                Slots.empty().withMetric("similar_orders", null).withSubject(SUBJECT),
                "",
                figures,
                List.of(),
                List.of(),
                null,
                null,
                0,
                null,
                List.of(),
                null,
                null);
    }
}

package dev.whyflow.query;

import dev.whyflow.embeddings.EmbeddingConfig;
import dev.whyflow.embeddings.SharedEmbedders;
import dev.whyflow.embeddings.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Example questions per intent, embedded with the local sentence model: the parser's second opinion
 * when its rules find no intent, and the suggestions given for a question it cannot answer (the
 * closest examples). The model is loaded once per classloader and never released (it is shared by
 * every engine of the JVM); if it cannot be loaded the parser works on rules alone.
 */
final class IntentExamples {

    record Example(String intent, String question) {}

    record Match(Example example, double similarity) {}

    static final List<Example> EXAMPLES =
            withCatalogue(
                    List.of(
                            new Example(Intent.AGGREGATE, "How many orders did we get yesterday?"),
                            new Example(Intent.AGGREGATE, "What was revenue last week?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What was the average order value this month?"),
                            new Example(Intent.AGGREGATE, "How many sessions did we have today?"),
                            new Example(
                                    Intent.AGGREGATE, "How many unique visitors came yesterday?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What was the conversion rate on mobile yesterday?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What is the cart abandonment rate by channel last week?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What was the checkout abandonment rate yesterday?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What is the payment failure rate by method yesterday?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "What is the page load p95 by page and platform today?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "How many product views were there yesterday by device?"),
                            new Example(
                                    Intent.AGGREGATE,
                                    "Revenue by country last month compared with the previous period"),
                            new Example(
                                    Intent.AGGREGATE, "How many page errors happened yesterday?"),
                            new Example(Intent.TREND, "Show daily revenue for the last 7 days"),
                            new Example(Intent.TREND, "Hourly orders yesterday"),
                            new Example(Intent.TREND, "Trend of sessions per day this month"),
                            new Example(Intent.FUNNEL, "Show the conversion funnel for last week"),
                            new Example(
                                    Intent.FUNNEL,
                                    "What does the funnel look like on android yesterday?"),
                            new Example(
                                    Intent.TOP_N,
                                    "What were the top 5 products by revenue last week?"),
                            new Example(
                                    Intent.TOP_N, "Which products were viewed the most yesterday?"),
                            new Example(
                                    Intent.TOP_N,
                                    "Which products are abandoned in carts most often this month?"),
                            new Example(Intent.ALERTS, "Which alerts fired yesterday?"),
                            new Example(
                                    Intent.ALERTS,
                                    "How many checkout abandonment alerts were raised last week?"),
                            new Example(
                                    Intent.SIMILAR,
                                    "Which orders are similar to order O-20261102-ABC-123?"),
                            new Example(Intent.SIMILAR, "Show sessions like session s-1234"),
                            new Example(
                                    Intent.DIAGNOSE, "Why did mobile conversion drop yesterday?"),
                            new Example(Intent.DIAGNOSE, "Why did revenue fall last week?"),
                            new Example(
                                    Intent.DIAGNOSE, "Why did orders drop on android yesterday?"),
                            new Example(
                                    Intent.DIAGNOSE, "Why did checkout abandonment rise today?")));

    /**
     * The examples above, then the own example of each catalogue metric they do not cover (the
     * generic planner's and the Customer node's), so that "try instead" can offer it.
     */
    private static List<Example> withCatalogue(List<Example> fixed) {
        List<Example> all = new java.util.ArrayList<>(fixed);
        for (Catalogue.Metric m : Catalogue.METRICS) {
            boolean uncovered =
                    m.measured()
                            || m.name().equals("before_stopping")
                            || m.name().equals("at_risk_customers");
            if (uncovered
                    && all.stream().noneMatch(e -> e.question().equalsIgnoreCase(m.example()))) {
                all.add(new Example(Intent.AGGREGATE, m.example()));
            }
        }
        return List.copyOf(all);
    }

    private static volatile IntentExamples shared;
    private static volatile boolean unavailable;

    private final SharedEmbedders.Lease model;
    private final List<float[]> vectors;

    private IntentExamples(SharedEmbedders.Lease model) {
        this.model = model;
        this.vectors = model.embedAll(EXAMPLES.stream().map(Example::question).toList());
    }

    /** The JVM's examples with their embeddings, or null when the model cannot be loaded here. */
    static IntentExamples shared() {
        if (shared != null || unavailable) return shared;
        synchronized (IntentExamples.class) {
            if (shared == null && !unavailable) {
                try {
                    shared =
                            new IntentExamples(
                                    SharedEmbedders.acquire(
                                            EmbeddingConfig.defaults().withCacheSize(2_000)));
                } catch (RuntimeException | LinkageError e) {
                    unavailable = true;
                }
            }
            return shared;
        }
    }

    /** The sentence embedding of a text (the model that embeds session narratives). */
    float[] embed(String text) {
        return model.embed(text);
    }

    /** The k examples closest to the question, best first. */
    List<Match> closest(String question, int k) {
        float[] v = model.embed(question);
        List<Match> all = new ArrayList<>();
        for (int i = 0; i < EXAMPLES.size(); i++)
            all.add(new Match(EXAMPLES.get(i), Vectors.cosine(v, vectors.get(i))));
        all.sort(Comparator.comparingDouble(Match::similarity).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}

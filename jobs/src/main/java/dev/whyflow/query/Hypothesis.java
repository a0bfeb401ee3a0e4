package dev.whyflow.query;

import java.util.List;

/**
 * One explanation of a change, as a diagnosis ranks them.
 *
 * @param rank 1 for the best
 * @param mechanism what would explain it: {@code slow_page_load}, {@code payment_failures}, {@code
 *     stock_out}, {@code discount_rejected}, {@code page_errors}, {@code mix_shift}, …
 * @param segment where it acts, as {@code dimension=value} pairs, e.g. {@code platform=android,
 *     app_version=5.4.0}
 * @param funnelStep the funnel step where the change happens, or null
 * @param score the share of the change it explains with its signal strength, 0..1
 * @param claim one sentence
 * @param evidence indexes into the answer's evidence list that support it
 */
public record Hypothesis(
        int rank,
        String mechanism,
        String segment,
        String funnelStep,
        double score,
        String claim,
        List<Integer> evidence) {

    public Hypothesis {
        evidence = List.copyOf(evidence);
    }
}

package dev.whyflow.query;

/** The intents a question is parsed to (the {@code intent} of an {@link Answer}). */
public final class Intent {
    public static final String AGGREGATE = "aggregate";
    public static final String TREND = "trend";
    public static final String FUNNEL = "funnel";
    public static final String TOP_N = "top_n";
    public static final String ALERTS = "alerts";
    public static final String SIMILAR = "similar";
    public static final String DIAGNOSE = "diagnose";
    public static final String UNANSWERABLE = "unanswerable";

    private Intent() {}
}

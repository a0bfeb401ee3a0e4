package dev.whyflow.query;

import java.sql.SQLException;

/** The deterministic intents: aggregate, trend, funnel, top_n, alerts, similar. */
final class Deterministic {
    private final Store store;
    private final Parsed parsed;
    private final boolean rawScan;

    Deterministic(Store store, Parsed parsed, boolean rawScan) {
        this.store = store;
        this.parsed = parsed;
        this.rawScan = rawScan;
    }

    Answers.Draft run() throws SQLException {
        throw new UnsupportedOperationException("not yet");
    }
}

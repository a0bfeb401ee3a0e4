package dev.whyflow.query;

import java.sql.SQLException;

/** "Why did X change": baseline, decomposition, funnel step, operational signals, ranked hypotheses. */
final class Diagnosis {
    private final Store store;
    private final Parsed parsed;

    Diagnosis(Store store, Parsed parsed) {
        this.store = store;
        this.parsed = parsed;
    }

    Answers.Draft run() throws SQLException {
        throw new UnsupportedOperationException("not yet");
    }
}

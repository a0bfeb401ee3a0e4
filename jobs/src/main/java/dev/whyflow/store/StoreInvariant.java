package dev.whyflow.store;

/**
 * What {@code ./whyflow check} holds the store to: one invariant per SQL file under {@code
 * whyflow/check/}, each answering one row per violation ({@code violation}, {@code example}) for a
 * period bound as {@code :from_ts} and {@code :to_ts}.
 */
public enum StoreInvariant {
    ROLLUPS_MATCH_EVENTS(
            "rollups_match_events",
            "rollups vs events",
            "every metrics_1m row is the aggregate of its minute's on-time events, and no row lacks them"),
    SESSIONS_MATCH_EVENTS(
            "sessions_match_events",
            "sessions vs events",
            "every session row agrees with its stored events"),
    ALERTS_MATCH_SESSIONS(
            "alerts_match_sessions",
            "alerts vs sessions",
            "every journey alert names a session and events present in events"),
    EVENTS_UNIQUE("events_unique", "unique events", "no event_id is stored at two occurred_at");

    private final String file;
    private final String title;
    private final String statement;

    StoreInvariant(String file, String title, String statement) {
        this.file = file;
        this.title = title;
        this.statement = statement;
    }

    /** The name of the check, the SQL file's name without {@code .sql}. */
    public String id() {
        return file;
    }

    public String title() {
        return title;
    }

    /** What holds when there is no violation. */
    public String statement() {
        return statement;
    }

    String resource() {
        return "/whyflow/check/" + file + ".sql";
    }
}

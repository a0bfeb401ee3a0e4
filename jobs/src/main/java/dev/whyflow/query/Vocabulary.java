package dev.whyflow.query;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values questions may name that live in the data (product categories, countries), read from
 * the store's latest week of rollups and cached per database for five minutes.
 */
record Vocabulary(Set<String> categories, Set<String> countries) {

    private static final long TTL_MS = 5 * 60_000;
    private static final Map<String, Object[]> CACHE = new ConcurrentHashMap<>();

    static Vocabulary empty() {
        return new Vocabulary(Set.of(), Set.of());
    }

    static Vocabulary load(Store store) throws SQLException {
        String key = store.databaseKey();
        Object[] cached = CACHE.get(key);
        if (cached != null && System.currentTimeMillis() - (Long) cached[0] < TTL_MS)
            return (Vocabulary) cached[1];
        Set<String> categories = new TreeSet<>();
        Set<String> countries = new TreeSet<>();
        for (Map<String, Object> row : store.run("vocabulary", Map.of()).rows()) {
            String kind = (String) row.get("kind");
            String value = (String) row.get("value");
            if (value == null || value.isBlank()) continue;
            if ("category".equals(kind)) categories.add(value.toLowerCase(Locale.ROOT));
            else countries.add(value.toUpperCase(Locale.ROOT));
        }
        Vocabulary v = new Vocabulary(Set.copyOf(categories), Set.copyOf(countries));
        CACHE.put(key, new Object[] {System.currentTimeMillis(), v});
        return v;
    }

    /** The latest event time in the store, or null when it is empty. */
    static Instant freshness(Store store) throws SQLException {
        Object v = store.run("freshness", Map.of()).first().get("latest_event_at");
        return v instanceof Instant i ? i : null;
    }
}

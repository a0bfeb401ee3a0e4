package dev.whyflow.collector;

import dev.whyflow.sql.StoreConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources' API keys (table {@code collector_keys}, migration V15): adding, revoking and listing
 * them for the command line, and, in the collector, answering which source a request's key belongs
 * to.
 *
 * <p>The collector reads the table every {@code refresh} (5 s by default) and answers from memory,
 * so a request costs no database round trip and the collector keeps taking events with the keys it
 * knows while PostgreSQL is down; a revoked key is refused from the next refresh on. A key is
 * verified against its PBKDF2 hash once, then its fingerprint is remembered for as long as its row
 * is not revoked.
 */
public final class SourceKeys implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceKeys.class);

    /** One stored key, without its secret. */
    public record StoredKey(
            String keyId,
            String source,
            byte[] salt,
            int iterations,
            byte[] hash,
            Instant createdAt,
            Instant revokedAt) {
        boolean active() {
            return revokedAt == null;
        }
    }

    private final StoreConnection store;
    private final Duration refresh;
    private volatile Map<String, StoredKey> byId = null;
    private volatile String lastError;

    /** fingerprint of a verified key → its key id */
    private final Map<String, String> verified = new ConcurrentHashMap<>();

    /** fingerprints of keys that failed verification since the last refresh (bounded) */
    private final Map<String, Boolean> failed = new ConcurrentHashMap<>();

    private ScheduledExecutorService timer;

    public SourceKeys(StoreConnection store, Duration refresh) {
        this.store = store;
        this.refresh = refresh;
    }

    /** Loads the keys now (best effort) and then every {@code refresh} on a background thread. */
    public SourceKeys start() {
        refreshNow();
        timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "collector-keys");
                            t.setDaemon(true);
                            return t;
                        });
        timer.scheduleWithFixedDelay(
                this::refreshNow, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** True once the keys were read at least once. */
    public boolean loaded() {
        return byId != null;
    }

    /** Why the last read failed, or null. */
    public String lastError() {
        return lastError;
    }

    void refreshNow() {
        try {
            Map<String, StoredKey> next = new HashMap<>();
            for (StoredKey k : list(store)) next.put(k.keyId(), k);
            byId = next;
            failed.clear();
            verified.values().removeIf(id -> next.get(id) == null || !next.get(id).active());
            if (lastError != null)
                LOG.info("reading the API keys works again ({} keys)", next.size());
            lastError = null;
        } catch (SQLException | RuntimeException e) {
            if (lastError == null)
                LOG.warn(
                        "cannot read the API keys (keeping the {} known): {}",
                        byId == null ? 0 : byId.size(),
                        e.toString());
            lastError = e.toString();
        }
    }

    /** The source of an active key, or null when the key is unknown, malformed or revoked. */
    public String sourceOf(String key) {
        Map<String, StoredKey> keys = byId;
        String id = ApiKeys.keyId(key);
        if (keys == null || id == null) return null;
        StoredKey stored = keys.get(id);
        if (stored == null || !stored.active()) return null;
        String fp = ApiKeys.fingerprint(key);
        if (id.equals(verified.get(fp))) return stored.source();
        if (failed.containsKey(fp)) return null;
        if (ApiKeys.matches(key, stored.salt(), stored.iterations(), stored.hash())) {
            verified.put(fp, id);
            return stored.source();
        }
        if (failed.size() < 10_000) failed.put(fp, Boolean.TRUE);
        return null;
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }

    // --- the command line's side -----------------------------------------------------------

    /** Stores a new key for {@code source}; the returned key is the only copy of its secret. */
    public static ApiKeys.NewKey add(StoreConnection store, String source) throws SQLException {
        ApiKeys.NewKey k = ApiKeys.generate();
        try (Connection c = store.open();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO collector_keys (key_id, source, salt, iterations, hash) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, k.keyId());
            ps.setString(2, source);
            ps.setBytes(3, k.salt());
            ps.setInt(4, k.iterations());
            ps.setBytes(5, k.hash());
            ps.executeUpdate();
        }
        return k;
    }

    /**
     * Revokes every active key of {@code source}, or the one key whose id is {@code source}; how
     * many.
     */
    public static int revoke(StoreConnection store, String sourceOrKeyId) throws SQLException {
        try (Connection c = store.open();
                PreparedStatement ps =
                        c.prepareStatement(
                                "UPDATE collector_keys SET revoked_at = now() WHERE revoked_at IS NULL AND (source = ? OR key_id = ?)")) {
            ps.setString(1, sourceOrKeyId);
            ps.setString(2, sourceOrKeyId);
            return ps.executeUpdate();
        }
    }

    public static List<StoredKey> list(StoreConnection store) throws SQLException {
        List<StoredKey> out = new ArrayList<>();
        try (Connection c = store.open()) {
            // a store that stops answering must not hold the refresh thread forever
            c.setNetworkTimeout(Runnable::run, 10_000);
            readKeys(c, out);
        }
        return out;
    }

    private static void readKeys(Connection c, List<StoredKey> out) throws SQLException {
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT key_id, source, salt, iterations, hash, created_at, revoked_at FROM collector_keys ORDER BY source, created_at");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp revoked = rs.getTimestamp(7);
                out.add(
                        new StoredKey(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getBytes(3),
                                rs.getInt(4),
                                rs.getBytes(5),
                                rs.getTimestamp(6).toInstant(),
                                revoked == null ? null : revoked.toInstant()));
            }
        }
    }
}

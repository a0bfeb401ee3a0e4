package dev.whyflow.collector;

import dev.whyflow.sql.StoreConnection;
import java.time.Duration;
import java.util.Set;

/**
 * What a collector process needs; read once by {@link CollectorCli} (options and WHYFLOW_*
 * variables).
 *
 * @param maxEvents events per request at most (413 above)
 * @param maxBodyBytes bytes per request at most, after gzip decompression (413 above)
 * @param ackTimeout the longest a request waits for Kafka's acknowledgement before 503
 * @param corsOrigins origins (scheme://host[:port]) whose browsers may post events
 * @param keysRefresh how often the API keys are read again (a revoked key is refused from then on)
 * @param shopifySecret the shop's webhook signing secret: when set, an order webhook must carry a
 *     matching {@code X-Shopify-Hmac-Sha256}; null or blank to rely on the API key alone
 */
public record CollectorConfig(
        String host,
        int port,
        String bootstrap,
        String rawTopic,
        StoreConnection store,
        int maxEvents,
        int maxBodyBytes,
        Duration ackTimeout,
        Set<String> corsOrigins,
        Duration keysRefresh,
        String shopifySecret) {

    public CollectorConfig(
            String host,
            int port,
            String bootstrap,
            String rawTopic,
            StoreConnection store,
            int maxEvents,
            int maxBodyBytes,
            Duration ackTimeout,
            Set<String> corsOrigins,
            Duration keysRefresh) {
        this(
                host,
                port,
                bootstrap,
                rawTopic,
                store,
                maxEvents,
                maxBodyBytes,
                ackTimeout,
                corsOrigins,
                keysRefresh,
                null);
    }

    public static final int DEFAULT_PORT = 58070;
    public static final int DEFAULT_MAX_EVENTS = 1_000;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final String RAW_TOPIC = "whyflow.events.raw";
}

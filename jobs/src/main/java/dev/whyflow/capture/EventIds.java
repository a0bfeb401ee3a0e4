package dev.whyflow.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An event id as CaptureJob remembers it for deduplication: 128 bits of its SHA-256, split into a
 * map key ({@link #key}, the first 64 bits) and a check ({@link #check}, the next 64). Two longs
 * cost a checkpoint two serializer calls where a 36-character id costs one per character. Two
 * distinct ids that share the key but not the check both pass (never a false duplicate); only a
 * collision of all 128 bits could drop an event, which is not a practical concern.
 */
public final class EventIds {

    private EventIds() {}

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    /** The first 64 bits of the id's SHA-256. */
    public static long key(String eventId) {
        return bits(eventId, 0);
    }

    /** The next 64 bits of the id's SHA-256, kept to tell ids that share a key apart. */
    public static long check(String eventId) {
        return bits(eventId, 8);
    }

    private static long bits(String eventId, int offset) {
        byte[] digest = SHA_256.get().digest(eventId.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = offset; i < offset + 8; i++) v = (v << 8) | (digest[i] & 0xff);
        return v;
    }
}

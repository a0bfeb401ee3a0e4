package dev.whyflow.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An event id as CaptureJob remembers it for deduplication: 128 bits of its SHA-256, split into a
 * map key (the first 64 bits) and a check (the next 64) by {@link #of}. Two longs cost a checkpoint
 * two serializer calls where a 36-character id costs one per character. Two distinct ids that share
 * the key but not the check both pass (never a false duplicate); only a collision of all 128 bits
 * could drop an event, which is not a practical concern.
 */
public final class EventIds {

    private EventIds() {}

    private static final ThreadLocal<MessageDigest> SHA_256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException("every JVM has SHA-256", e);
                        }
                    });

    /** The id's first 128 bits of SHA-256: {key, check}. One digest serves both. */
    public static long[] of(String eventId) {
        byte[] digest = SHA_256.get().digest(eventId.getBytes(StandardCharsets.UTF_8));
        return new long[] {bits(digest, 0), bits(digest, 8)};
    }

    private static long bits(byte[] digest, int offset) {
        long v = 0;
        for (int i = offset; i < offset + 8; i++) v = (v << 8) | (digest[i] & 0xff);
        return v;
    }
}

package dev.whyflow.collector;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The collector's API keys: {@code wfk_<key id>_<secret>}, a 12-hex-digit public id (how the stored
 * row is found) and a 256-bit random secret (base64url). Only a salted PBKDF2-HMAC-SHA256 hash of
 * the secret is stored.
 *
 * <p>Why PBKDF2 from the JDK and not bcrypt or Argon2 from a library: the secrets are 256 random
 * bits, not passwords a person chose, so no dictionary helps an attacker and the slow hash is
 * defence in depth for a leaked table, not the protection itself; PBKDF2 is the standard (NIST SP
 * 800-132) hash of that kind that ships with every JDK, so the collector needs no extra dependency
 * for it. A key is verified once per collector process and then remembered (see {@link
 * SourceKeys}), so the iterations cost nothing per request.
 */
public final class ApiKeys {

    public static final String PREFIX = "wfk_";
    static final int ITERATIONS = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {}

    /** A new key: its id, the full key to give the client once, and what to store. */
    public record NewKey(String keyId, String key, byte[] salt, int iterations, byte[] hash) {}

    public static NewKey generate() {
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        byte[] salt = new byte[16];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        RANDOM.nextBytes(salt);
        String keyId = HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewKey(
                keyId,
                PREFIX + keyId + "_" + secretText,
                salt,
                ITERATIONS,
                hash(secretText, salt, ITERATIONS));
    }

    /** The key id of a key of this form, or null when {@code key} is not one. */
    public static String keyId(String key) {
        if (key == null || !key.startsWith(PREFIX) || key.length() < PREFIX.length() + 14)
            return null;
        String id = key.substring(PREFIX.length(), PREFIX.length() + 12);
        if (key.charAt(PREFIX.length() + 12) != '_' || !id.matches("[0-9a-f]{12}")) return null;
        return id;
    }

    /** True when {@code key}'s secret hashes to {@code hash} (constant-time comparison). */
    public static boolean matches(String key, byte[] salt, int iterations, byte[] hash) {
        if (keyId(key) == null) return false;
        String secret = key.substring(PREFIX.length() + 13);
        return MessageDigest.isEqual(hash(secret, salt, iterations), hash);
    }

    static byte[] hash(String secret, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    /** A digest of a whole key, to remember verified keys in memory without keeping them. */
    static String fingerprint(String key) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

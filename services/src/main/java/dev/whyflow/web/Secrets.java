package dev.whyflow.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Secrets of the web service, made and hashed with BouncyCastle. Tokens and session ids are 256
 * random bits: nothing can guess them, so a fast digest (SHA-256) stores them safely, and checking
 * one costs microseconds on every request. Passwords are chosen by people and may be guessable, so
 * they are stored as bcrypt hashes (cost 10, ~60 ms a check), which makes guessing a stolen table
 * slow.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BCRYPT_COST = 10;

    private Secrets() {}

    /** A new secret: 32 random bytes, URL-safe base64 behind {@code prefix} (e.g. {@code wf_}). */
    public static String newSecret(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static byte[] sha256(String secret) {
        SHA256Digest d = new SHA256Digest();
        byte[] in = secret.getBytes(StandardCharsets.UTF_8);
        d.update(in, 0, in.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    public static String bcrypt(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate(password.toCharArray(), salt, BCRYPT_COST);
    }

    public static boolean bcryptMatches(String hash, String password) {
        if (hash == null || password == null) return false;
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // a password bcrypt cannot take (over 72 bytes) matches nothing
        }
    }

    /** Compares two strings in time independent of where they differ (CSRF tokens). */
    public static boolean sameSecret(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}

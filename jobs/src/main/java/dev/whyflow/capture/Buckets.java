package dev.whyflow.capture;

/**
 * Coarse, fixed buckets for numbers in generated text, so that equal situations yield equal text
 * (and one embedding): "page load 5-8 s", not "page load 6,412 ms".
 */
public final class Buckets {

    private Buckets() {}

    public static String pageLoad(long ms) {
        if (ms < 1_000) return "under 1 s";
        if (ms < 2_000) return "1-2 s";
        if (ms < 3_000) return "2-3 s";
        if (ms < 5_000) return "3-5 s";
        if (ms < 8_000) return "5-8 s";
        return "over 8 s";
    }

    public static String money(long minor, String currency) {
        long major = minor / 100;
        String c = currency == null ? "" : " " + currency;
        if (major < 10) return "under 10" + c;
        if (major < 25) return "10-25" + c;
        if (major < 50) return "25-50" + c;
        if (major < 100) return "50-100" + c;
        if (major < 250) return "100-250" + c;
        if (major < 500) return "250-500" + c;
        return "over 500" + c;
    }

    public static String duration(long ms) {
        if (ms < 10_000) return "under 10 s";
        if (ms < 30_000) return "10-30 s";
        if (ms < 60_000) return "30 s-1 min";
        if (ms < 180_000) return "1-3 min";
        if (ms < 600_000) return "3-10 min";
        if (ms < 1_800_000) return "10-30 min";
        return "over 30 min";
    }

    public static String count(int n) {
        if (n <= 1) return String.valueOf(Math.max(n, 0));
        if (n <= 3) return "2-3";
        if (n <= 6) return "4-6";
        if (n <= 10) return "7-10";
        return "over 10";
    }
}

package dev.whyflow.capture;

import dev.whyflow.contract.EnrichedEvent;
import dev.whyflow.contract.EventContext;
import java.util.Locale;

/**
 * Normalises the device, operating system and browser a producer reports to a small fixed
 * vocabulary, falling back to the user agent where a field is missing, so that segments group the
 * same platform under one name ("Android", "android 14", "AndroidOS" → android).
 */
public final class DeviceNormalizer {

    private DeviceNormalizer() {}

    public static void apply(EventContext c, EnrichedEvent e) {
        if (c == null) return;
        String ua = c.userAgent == null ? "" : c.userAgent.toLowerCase(Locale.ROOT);
        e.os = os(c.os, ua);
        e.device = device(c.device, ua);
        e.browser = browser(c.browser, ua, c.appVersion);
    }

    static String os(String reported, String ua) {
        String v = reported == null ? ua : reported.toLowerCase(Locale.ROOT);
        if (v.isEmpty()) return null;
        if (v.contains("android")) return "android";
        if (v.contains("ios") || v.contains("iphone") || v.contains("ipad")) return "ios";
        if (v.contains("windows") || v.startsWith("win")) return "windows";
        if (v.contains("mac")) return "macos";
        if (v.contains("linux") || v.contains("ubuntu") || v.contains("x11")) return "linux";
        return "other";
    }

    static String device(String reported, String ua) {
        String v = reported == null ? ua : reported.toLowerCase(Locale.ROOT);
        if (v.isEmpty()) return null;
        if (v.contains("tablet") || v.contains("ipad")) return "tablet";
        if (v.contains("mobile") || v.contains("phone") || v.contains("android")) return "mobile";
        if (v.contains("desktop")
                || v.contains("windows")
                || v.contains("macintosh")
                || v.contains("x11")) return "desktop";
        return "other";
    }

    static String browser(String reported, String ua, String appVersion) {
        String v = reported == null ? ua : reported.toLowerCase(Locale.ROOT);
        if (v.isEmpty()) return appVersion != null ? "app" : null;
        if (v.contains("app")) return "app";
        if (v.contains("edg")) return "edge";
        if (v.contains("firefox")) return "firefox";
        if (v.contains("chrom")) return "chrome";
        if (v.contains("safari")) return "safari";
        return "other";
    }
}

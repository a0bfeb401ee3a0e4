package dev.whyflow.simulator;

import java.util.SplittableRandom;

/**
 * The kinds of device a visitor uses, with market shares, and what the client reports about itself
 * (device class, OS and version, browser, user agent).
 */
enum DeviceProfile {
    DESKTOP_WINDOWS(
            Platform.WEB,
            "desktop",
            "windows",
            0.255,
            new String[] {"10", "11"},
            new double[] {0.45, 0.55},
            new String[] {"chrome", "edge", "firefox"},
            new double[] {0.62, 0.22, 0.16}),
    DESKTOP_MAC(
            Platform.WEB,
            "desktop",
            "macos",
            0.10,
            new String[] {"14.7", "15.1"},
            new double[] {0.4, 0.6},
            new String[] {"safari", "chrome", "firefox"},
            new double[] {0.45, 0.45, 0.10}),
    DESKTOP_LINUX(
            Platform.WEB,
            "desktop",
            "linux",
            0.015,
            new String[] {"6.8"},
            new double[] {1},
            new String[] {"chrome", "firefox"},
            new double[] {0.6, 0.4}),
    MOBILE_WEB_IOS(
            Platform.WEB,
            "mobile",
            "ios",
            0.14,
            new String[] {"17.6", "18.0", "18.1"},
            new double[] {0.25, 0.3, 0.45},
            new String[] {"safari", "chrome"},
            new double[] {0.85, 0.15}),
    MOBILE_WEB_ANDROID(
            Platform.WEB,
            "mobile",
            "android",
            0.14,
            new String[] {"13", "14", "15"},
            new double[] {0.3, 0.45, 0.25},
            new String[] {"chrome", "samsung_internet"},
            new double[] {0.75, 0.25}),
    TABLET_IOS(
            Platform.WEB,
            "tablet",
            "ios",
            0.035,
            new String[] {"17.6", "18.1"},
            new double[] {0.4, 0.6},
            new String[] {"safari"},
            new double[] {1}),
    TABLET_ANDROID(
            Platform.WEB,
            "tablet",
            "android",
            0.015,
            new String[] {"13", "14"},
            new double[] {0.5, 0.5},
            new String[] {"chrome"},
            new double[] {1}),
    APP_IOS(
            Platform.IOS,
            "mobile",
            "ios",
            0.155,
            new String[] {"17.6", "18.0", "18.1"},
            new double[] {0.2, 0.3, 0.5},
            null,
            null),
    APP_ANDROID(
            Platform.ANDROID,
            "mobile",
            "android",
            0.145,
            new String[] {"13", "14", "15"},
            new double[] {0.3, 0.45, 0.25},
            null,
            null);

    private static final String[] ANDROID_MODELS = {
        "Pixel 8", "Pixel 7a", "SM-S921B", "SM-A546B", "SM-G991B", "2201116SG", "CPH2581"
    };
    private static final String[] IPHONE_MODELS = {
        "iPhone14,5", "iPhone15,2", "iPhone15,4", "iPhone16,1", "iPhone17,3"
    };

    final Platform platform;
    final String device;
    final String os;
    final double share;
    private final String[] osVersions;
    private final double[] osCumulative;
    private final String[] browsers;
    private final double[] browserCumulative;

    DeviceProfile(
            Platform platform,
            String device,
            String os,
            double share,
            String[] osVersions,
            double[] osWeights,
            String[] browsers,
            double[] browserWeights) {
        this.platform = platform;
        this.device = device;
        this.os = os;
        this.share = share;
        this.osVersions = osVersions;
        this.osCumulative = Rand.cumulative(osWeights);
        this.browsers = browsers;
        this.browserCumulative = browsers == null ? null : Rand.cumulative(browserWeights);
    }

    static final DeviceProfile[] ALL = values();
    static final double[] CUMULATIVE;

    static {
        double[] w = new double[ALL.length];
        for (int i = 0; i < w.length; i++) w[i] = ALL[i].share;
        CUMULATIVE = Rand.cumulative(w);
    }

    String pickOsVersion(SplittableRandom r) {
        return Rand.pick(r, osVersions, osCumulative);
    }

    /** Null for the native apps. */
    String pickBrowser(SplittableRandom r) {
        return browsers == null ? null : Rand.pick(r, browsers, browserCumulative);
    }

    /** A device model for the apps' user agent. */
    String pickModel(SplittableRandom r) {
        return os.equals("ios") ? Rand.pick(r, IPHONE_MODELS) : Rand.pick(r, ANDROID_MODELS);
    }

    /** The user agent a browser on this device sends. */
    String webUserAgent(String osVersion, String browser) {
        String ios = osVersion.replace('.', '_');
        return switch (this) {
            case DESKTOP_WINDOWS ->
                    switch (browser) {
                        case "firefox" ->
                                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0";
                        case "edge" ->
                                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
                        default ->
                                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
                    };
            case DESKTOP_MAC ->
                    switch (browser) {
                        case "safari" ->
                                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
                        case "firefox" ->
                                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:132.0) Gecko/20100101 Firefox/132.0";
                        default ->
                                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
                    };
            case DESKTOP_LINUX ->
                    browser.equals("firefox")
                            ? "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
                            : "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
            case MOBILE_WEB_IOS ->
                    browser.equals("chrome")
                            ? "Mozilla/5.0 (iPhone; CPU iPhone OS "
                                    + ios
                                    + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1"
                            : "Mozilla/5.0 (iPhone; CPU iPhone OS "
                                    + ios
                                    + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                    + osVersion
                                    + " Mobile/15E148 Safari/604.1";
            case MOBILE_WEB_ANDROID ->
                    browser.equals("samsung_internet")
                            ? "Mozilla/5.0 (Linux; Android "
                                    + osVersion
                                    + "; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
                            : "Mozilla/5.0 (Linux; Android "
                                    + osVersion
                                    + "; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
            case TABLET_IOS ->
                    "Mozilla/5.0 (iPad; CPU OS "
                            + ios
                            + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                            + osVersion
                            + " Mobile/15E148 Safari/604.1";
            case TABLET_ANDROID ->
                    "Mozilla/5.0 (Linux; Android "
                            + osVersion
                            + "; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
            default -> throw new IllegalStateException("not a web profile: " + this);
        };
    }

    /** The user agent the shop's app sends. */
    static String appUserAgent(String appVersion, String os, String osVersion, String model) {
        return "Whyflow/"
                + appVersion
                + " ("
                + (os.equals("ios") ? "iOS " : "Android ")
                + osVersion
                + "; "
                + model
                + ")";
    }
}

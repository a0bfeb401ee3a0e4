package dev.whyflow.simulator;

/** What a release ships to: the web shop or one of the native apps. */
public enum Platform {
    WEB("web", "storefront-web"),
    IOS("ios", "storefront-ios"),
    ANDROID("android", "storefront-android");

    final String wireName;

    /** The event {@code source} of sessions on this platform. */
    final String source;

    public String wireName() {
        return wireName;
    }

    public String source() {
        return source;
    }

    Platform(String wireName, String source) {
        this.wireName = wireName;
        this.source = source;
    }

    boolean isApp() {
        return this != WEB;
    }

    static Platform fromWireName(String s) {
        for (Platform p : values()) if (p.wireName.equals(s)) return p;
        return null;
    }
}

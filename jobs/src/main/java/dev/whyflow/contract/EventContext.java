package dev.whyflow.contract;

import java.util.Objects;

/**
 * Where and how it happened, as the producing client knows it. All fields are optional on the wire;
 * the per-type schemas require the ones that type needs (e.g. {@code page} and {@code pageLoadMs}
 * on page loads).
 */
public class EventContext {
    /** desktop | mobile | tablet */
    public String device;

    /** windows | macos | ios | android | linux */
    public String os;

    public String osVersion;

    /** chrome | safari | firefox | edge | samsung_internet; absent in the native apps */
    public String browser;

    /** the web shop's or the app's release that served the event */
    public String appVersion;

    /**
     * first-touch channel of the session: direct | organic_search | paid_search | social | email |
     * affiliate
     */
    public String channel;

    public String campaign;

    /** ISO 3166-1 alpha-2 */
    public String country;

    /** BCP 47, e.g. de-DE */
    public String locale;

    /** new | returning | vip, as the shop classified the customer at the time of the event */
    public String customerSegment;

    /** route of the page or app screen, e.g. /p/p-00042 or /checkout/payment */
    public String page;

    /** time to interactive of the page load this event reports; only on page loads */
    public Integer pageLoadMs;

    public String referrer;
    public String userAgent;

    public EventContext() {}

    /** A shallow copy, to derive the context of the next page from this one. */
    public EventContext copy() {
        EventContext c = new EventContext();
        c.device = device;
        c.os = os;
        c.osVersion = osVersion;
        c.browser = browser;
        c.appVersion = appVersion;
        c.channel = channel;
        c.campaign = campaign;
        c.country = country;
        c.locale = locale;
        c.customerSegment = customerSegment;
        c.page = page;
        c.pageLoadMs = pageLoadMs;
        c.referrer = referrer;
        c.userAgent = userAgent;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof EventContext c)) return false;
        return Objects.equals(device, c.device)
                && Objects.equals(os, c.os)
                && Objects.equals(osVersion, c.osVersion)
                && Objects.equals(browser, c.browser)
                && Objects.equals(appVersion, c.appVersion)
                && Objects.equals(channel, c.channel)
                && Objects.equals(campaign, c.campaign)
                && Objects.equals(country, c.country)
                && Objects.equals(locale, c.locale)
                && Objects.equals(customerSegment, c.customerSegment)
                && Objects.equals(page, c.page)
                && Objects.equals(pageLoadMs, c.pageLoadMs)
                && Objects.equals(referrer, c.referrer)
                && Objects.equals(userAgent, c.userAgent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                device,
                os,
                osVersion,
                browser,
                appVersion,
                channel,
                campaign,
                country,
                locale,
                customerSegment,
                page,
                pageLoadMs,
                referrer,
                userAgent);
    }

    @Override
    public String toString() {
        return "EventContext{device="
                + device
                + ", os="
                + os
                + ", osVersion="
                + osVersion
                + ", browser="
                + browser
                + ", appVersion="
                + appVersion
                + ", channel="
                + channel
                + ", campaign="
                + campaign
                + ", country="
                + country
                + ", locale="
                + locale
                + ", customerSegment="
                + customerSegment
                + ", page="
                + page
                + ", pageLoadMs="
                + pageLoadMs
                + ", referrer="
                + referrer
                + ", userAgent="
                + userAgent
                + "}";
    }
}

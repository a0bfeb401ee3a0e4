package dev.whyflow.patterns;

import java.util.Objects;

/** One page load an alert cites: which page, how long it took, and the event that reported it. */
public class PageLoad {
    public String eventId;
    public String pageType;
    public String page;
    public Integer loadMs;

    public PageLoad() {}

    static PageLoad of(JourneyEvent e) {
        PageLoad p = new PageLoad();
        p.eventId = e.eventId;
        p.pageType =
                e.pageType != null
                        ? e.pageType
                        : e.eventType == null ? null : e.eventType.wireName();
        p.page = e.page;
        p.loadMs = e.pageLoadMs;
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageLoad p
                && Objects.equals(eventId, p.eventId)
                && Objects.equals(pageType, p.pageType)
                && Objects.equals(page, p.page)
                && Objects.equals(loadMs, p.loadMs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, pageType, page, loadMs);
    }

    @Override
    public String toString() {
        return pageType + " " + loadMs + " ms";
    }
}

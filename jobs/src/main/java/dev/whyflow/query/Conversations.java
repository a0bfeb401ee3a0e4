package dev.whyflow.query;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each conversation's last understood question was, so that a follow-up ("and on iOS?", "split
 * that by country") resolves against it. In memory, per engine: QueryJob sends the questions of one
 * conversation to one instance (keyed by conversation id). Bounded: the least recently used
 * conversations beyond {@link #MAX} are forgotten, and so is one idle longer than {@link #IDLE}; a
 * follow-up after that (or after a restart) is read as a question on its own, and says what it
 * could not use.
 */
final class Conversations {

    static final int MAX = 10_000;
    static final Duration IDLE = Duration.ofMinutes(30);

    private record Entry(Parsed parsed, long at) {}

    private final Map<String, Entry> last =
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                    return size() > MAX;
                }
            };

    /** The conversation's last understood question, or null (no id, none yet, or forgotten). */
    synchronized Parsed previous(String conversationId, long nowMs) {
        if (conversationId == null) return null;
        Entry e = last.get(conversationId);
        if (e == null) return null;
        if (nowMs - e.at() > IDLE.toMillis()) {
            last.remove(conversationId);
            return null;
        }
        return e.parsed();
    }

    /**
     * Remembers an understood question as the conversation's last; an unanswerable one changes
     * nothing.
     */
    synchronized void remember(String conversationId, Parsed parsed, long nowMs) {
        if (conversationId == null || Intent.UNANSWERABLE.equals(parsed.intent())) return;
        last.put(conversationId, new Entry(parsed, nowMs));
    }
}

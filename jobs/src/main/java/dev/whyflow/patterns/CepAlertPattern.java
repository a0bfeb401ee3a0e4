package dev.whyflow.patterns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.util.OutputTag;

/**
 * A business pattern found with Flink CEP: which journey events it looks at ({@link #follows}), the
 * CEP pattern over them ({@link #pattern}), how its input is keyed, and how a match (and, for
 * patterns that end in "and then nothing", a timed-out partial match) becomes an {@link Alert}.
 *
 * <p>PatternJob feeds each pattern only the events it {@link #follows}, in event-time order per
 * key; patterns may rely on that (strict contiguity over their own input). Alerts concluded by a
 * timeout are emitted to {@link #TIMED_OUT}, the only output CEP allows a timeout handler.
 */
public abstract class CepAlertPattern extends PatternProcessFunction<JourneyEvent, Alert> {

    private static final long serialVersionUID = 1L;

    /** Alerts concluded by a timeout (the side output of timed-out partial matches). */
    public static final OutputTag<Alert> TIMED_OUT = new OutputTag<>("timed-out-alerts") {};

    public static final String WINDOW_ELAPSED = "window_elapsed";
    public static final String SESSION_ENDED = "session_ended";

    /** The alert family this pattern publishes. */
    public abstract AlertPattern family();

    /**
     * Whether this pattern's CEP operator sees the event; everything else is filtered out before
     * it.
     */
    public abstract boolean follows(JourneyEvent e);

    /** The CEP pattern over the followed events, keyed by {@link #key()}. */
    public abstract Pattern<JourneyEvent, ?> pattern();

    /** How the followed events are keyed; by session unless a pattern needs another key. */
    public KeySelector<JourneyEvent, String> key() {
        return new JourneyEvent.BySession();
    }

    /** Whether {@link #key()} is the session, so the input needs no new partitioning. */
    public final boolean keyedBySession() {
        return key() instanceof JourneyEvent.BySession;
    }

    /**
     * The events matched to these pattern names, in the order given (each name's in event order).
     */
    static List<JourneyEvent> evidence(Map<String, List<JourneyEvent>> match, String... names) {
        List<JourneyEvent> out = new ArrayList<>();
        for (String name : names) {
            List<JourneyEvent> events = match.get(name);
            if (events != null) out.addAll(events);
        }
        return out;
    }

    static JourneyEvent first(Map<String, List<JourneyEvent>> match, String name) {
        List<JourneyEvent> events = match.get(name);
        return events == null || events.isEmpty() ? null : events.get(0);
    }

    static JourneyEvent last(Map<String, List<JourneyEvent>> match, String name) {
        List<JourneyEvent> events = match.get(name);
        return events == null || events.isEmpty() ? null : events.get(events.size() - 1);
    }
}

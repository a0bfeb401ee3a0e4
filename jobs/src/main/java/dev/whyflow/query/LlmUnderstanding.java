package dev.whyflow.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.whyflow.query.synthesis.LlmOptions;
import dev.whyflow.query.synthesis.Synthesizers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A language model as a second reader of questions, never the first and never the judge. Where a
 * model is configured, a question the local parser did not recognise, or understood only in part
 * (words left over), is sent to the model with the catalogue, and the model may map it onto the
 * catalogue's slots as JSON: never SQL, never figures. The slots are validated against the
 * catalogue (metric, dimensions, intent, a period of whole days) and the store's vocabulary;
 * anything else is discarded and the parser's reading stands. When the parser named a metric and
 * the model another, the parser wins. A model's reading is answered with {@code intent_match: llm},
 * whose confidence is below a rule's; a failure, a timeout or an invalid reply changes nothing.
 */
final class LlmUnderstanding {

    private static final Logger LOG = LoggerFactory.getLogger(LlmUnderstanding.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService CALLS =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "whyflow-llm-understanding");
                        t.setDaemon(true);
                        return t;
                    });

    /** The intents a model may choose: the deterministic ones and a diagnosis. */
    static final Set<String> INTENTS =
            Set.of(Intent.AGGREGATE, Intent.TREND, Intent.DIAGNOSE, Intent.UNANSWERABLE);

    /** The longest period a model may name, in days. */
    private static final int MAX_DAYS = 400;

    private final ChatModel model;
    private final String label;
    private final Duration deadline;

    LlmUnderstanding(ChatModel model, String label, Duration timeout) {
        this.model = model;
        this.label = label;
        this.deadline = timeout.plusMillis(500);
    }

    /**
     * The configured model's reader, or null when no model is configured (or its key is missing).
     */
    static LlmUnderstanding create(LlmOptions options, Map<String, String> env) {
        ChatModel m = Synthesizers.chatModel(options, env);
        return m == null ? null : new LlmUnderstanding(m, options.label(), options.timeout());
    }

    String label() {
        return label;
    }

    /**
     * Whether the parser's reading leaves room for a second reader: not recognised, or words left
     * over.
     */
    static boolean worthAsking(Parsed local) {
        if (Intent.UNANSWERABLE.equals(local.intent()))
            return QuestionParser.NOT_RECOGNISED.equals(local.reason());
        return !local.ignored().isEmpty();
    }

    /**
     * The model's reading of the question, validated; empty when it has none the catalogue accepts.
     */
    Optional<Parsed> understand(
            String question, Parsed local, Clock clock, ZoneId zone, Vocabulary vocabulary) {
        String reply;
        try {
            Future<String> call =
                    CALLS.submit(
                            () ->
                                    model.chat(
                                                    ChatRequest.builder()
                                                            .messages(
                                                                    SystemMessage.from(prompt()),
                                                                    UserMessage.from(
                                                                            userMessage(
                                                                                    question, clock,
                                                                                    zone)))
                                                            .build())
                                            .aiMessage()
                                            .text());
            reply = call.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.info(
                    "The model did not read the question ({}): the parser's reading stands",
                    e.getClass().getSimpleName());
            return Optional.empty();
        }
        Optional<Parsed> read = read(reply, local, zone, vocabulary);
        if (read.isPresent()
                && local.slots().metric() != null
                && !Intent.UNANSWERABLE.equals(local.intent())
                && !local.slots().metric().equals(read.get().slots().metric())) {
            return Optional.empty(); // on disagreement over what is measured, the parser judges
        }
        return read;
    }

    /** The slots of a reply, if they are the catalogue's. Package-private for the tests. */
    static Optional<Parsed> read(String reply, Parsed local, ZoneId zone, Vocabulary vocabulary) {
        if (reply == null) return Optional.empty();
        String text = reply.strip().replaceAll("^```(?:json)?\\s*", "").replaceAll("\\s*```$", "");
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject()) return Optional.empty();
        String intent = n.path("intent").asText("");
        if (!INTENTS.contains(intent) || Intent.UNANSWERABLE.equals(intent))
            return Optional.empty();
        String metric = n.path("metric").asText("");
        Catalogue.Metric m = Catalogue.metric(metric).orElse(null);
        if (m == null) return Optional.empty();
        String eventType = n.path("event_type").isTextual() ? n.get("event_type").asText() : null;
        if (metric.equals("event_count") != (eventType != null)) return Optional.empty();
        if (eventType != null && dev.whyflow.contract.EventType.fromWireName(eventType) == null)
            return Optional.empty();
        LocalDate from;
        LocalDate to;
        try {
            from = LocalDate.parse(n.path("from").asText());
            to = LocalDate.parse(n.path("to").asText());
        } catch (Exception e) {
            return Optional.empty();
        }
        if (!from.isBefore(to) || from.plusDays(MAX_DAYS).isBefore(to)) return Optional.empty();
        Instant f = from.atStartOfDay(zone).toInstant();
        Instant t = to.atStartOfDay(zone).toInstant();
        Slots s =
                Slots.empty()
                        .withPeriod(f, t, from + " to " + to.minusDays(1), local.slots().zone())
                        .withMetric(metric, eventType);
        String dim =
                n.path("segment_dimension").isTextual()
                        ? n.get("segment_dimension").asText()
                        : null;
        String value = n.path("segment_value").isTextual() ? n.get("segment_value").asText() : null;
        if ((dim == null) != (value == null)) return Optional.empty();
        if (dim != null) {
            if (!m.dimensions().contains(dim) || value.isBlank() || value.length() > 100)
                return Optional.empty();
            if (dim.equals("country")
                    && !vocabulary.countries().isEmpty()
                    && !vocabulary.countries().contains(value)) return Optional.empty();
            if (dim.equals("category")
                    && !vocabulary.categories().isEmpty()
                    && !vocabulary.categories().contains(value)) return Optional.empty();
            s = s.withSegment(dim, value);
        }
        if (n.path("group_by").isTextual()) {
            String g = n.get("group_by").asText();
            if (!m.dimensions().contains(g) || g.equals(dim)) return Optional.empty();
            s = s.withGroupBy(g);
        }
        if (intent.equals(Intent.TREND)) {
            String granularity = n.path("granularity").asText("day");
            if (!List.of("day", "hour").contains(granularity) || s.groupBy() != null)
                return Optional.empty();
            s = s.withGranularity(granularity);
        }
        if (intent.equals(Intent.DIAGNOSE)
                || "previous_period".equals(n.path("comparison").asText(null))) {
            Duration length = Duration.between(f, t);
            s = s.withComparison("previous_period", f.minus(length), f);
        }
        if (intent.equals(Intent.DIAGNOSE)) {
            String direction = n.path("direction").asText("change");
            if (!List.of("drop", "rise", "change").contains(direction)) return Optional.empty();
            s = s.withDirection(direction);
        }
        return Optional.of(
                new Parsed(intent, s, "llm", local.similarity(), local.closest(), null, List.of()));
    }

    private static String userMessage(String question, Clock clock, ZoneId zone) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        return "Today is "
                + today
                + " ("
                + today.getDayOfWeek()
                + "), time zone "
                + zone.getId()
                + ".\nQuestion: "
                + question;
    }

    /** The catalogue, the slots and the rules, as the model reads them. */
    static String prompt() {
        StringBuilder p =
                new StringBuilder(
                        """
                You map a shop manager's question onto the slots of a fixed catalogue. Reply with one JSON object and \
                nothing else: {"intent": "aggregate"|"trend"|"diagnose"|"unanswerable", "metric": NAME, "event_type": TYPE \
                (only for metric event_count), "from": "YYYY-MM-DD", "to": "YYYY-MM-DD" (the day after the last day asked), \
                "segment_dimension": DIMENSION or null, "segment_value": VALUE or null, "group_by": DIMENSION or null, \
                "granularity": "day"|"hour" (trend only), "comparison": "previous_period" or null, "direction": \
                "drop"|"rise" (diagnose only)}. Never write SQL, never compute or state a figure. If the question asks \
                for something the catalogue does not hold, or to change data, reply {"intent": "unanswerable"}.
                Metrics (name: meaning; dimensions):
                """);
        for (Catalogue.Metric m : Catalogue.METRICS) {
            p.append("- ")
                    .append(m.name())
                    .append(": ")
                    .append(m.definition())
                    .append("; ")
                    .append(String.join(", ", m.dimensions()))
                    .append('\n');
        }
        return p.append("Event types for event_count: ")
                .append(String.join(", ", dev.whyflow.contract.EventType.wireNames()))
                .append('\n')
                .toString();
    }
}

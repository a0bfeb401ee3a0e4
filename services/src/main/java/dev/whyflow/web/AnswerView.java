package dev.whyflow.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the page shows beside an answer document: the chart its shape calls for, and the text of
 * every SQL template its evidence ran. The chart is chosen from the figures' names (the naming
 * rules of {@code dev.whyflow.query}'s package doc), not from the words of the question:
 *
 * <table>
 *   <caption>chart kinds</caption>
 *   <tr><th>answer</th><th>figures</th><th>chart</th></tr>
 *   <tr><td>trend</td><td>{@code NAME@2026-11-02}</td><td>{@code line}: one point per figure</td></tr>
 *   <tr><td>funnel</td><td>{@code funnel.STEP}</td><td>{@code funnel}: steps in order, shrinking bars</td></tr>
 *   <tr><td>top-N, similarity</td><td>{@code NAME[id]} in rank order</td><td>{@code ranked_bars}: horizontal, best on top</td></tr>
 *   <tr><td>breakdown</td><td>{@code NAME[value]}</td><td>{@code bars}: one bar per value</td></tr>
 *   <tr><td>comparison, diagnosis</td><td>{@code NAME} with {@code NAME.previous} (and {@code NAME.same_weekday_last_week})</td><td>{@code paired_bars}: the periods side by side</td></tr>
 *   <tr><td>one number</td><td>{@code NAME}</td><td>none: the figure table says it</td></tr>
 * </table>
 *
 * Values are in display units: money from minor units to the currency's major unit, ratios as
 * percent.
 */
public final class AnswerView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BREAKDOWN = Pattern.compile("(.+)\\[(.+)]");
    private static final Map<String, String> TEMPLATES = new ConcurrentHashMap<>();
    private static final List<String> FUNNEL_STEPS =
            List.of("sessions", "product", "cart", "checkout", "payment", "order");

    private AnswerView() {}

    /** The answer document with {@code chart} and {@code templates} added. */
    public static ObjectNode decorate(ObjectNode answer) {
        answer.set("chart", chart(answer));
        ObjectNode templates = answer.putObject("templates");
        for (JsonNode e : answer.path("evidence")) {
            String id = e.path("template_id").asText();
            if (!id.isEmpty() && !templates.has(id)) {
                String sql = template(id);
                if (sql != null) templates.put(id, sql);
            }
        }
        return answer;
    }

    /**
     * The SQL text of a template id ({@code whyflow/query/sql/ID.sql}, a vector search's {@code
     * whyflow/ID.sql}), or null.
     */
    static String template(String id) {
        if (!id.matches("[a-z0-9_]+(/[a-z0-9_]+)?")) return null;
        return TEMPLATES
                .computeIfAbsent(
                        id,
                        k -> {
                            String path =
                                    k.startsWith("vectors/")
                                            ? "whyflow/" + k + ".sql"
                                            : "whyflow/query/sql/" + k + ".sql";
                            try (InputStream in =
                                    AnswerView.class.getClassLoader().getResourceAsStream(path)) {
                                return in == null
                                        ? ""
                                        : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                            } catch (IOException e) {
                                return "";
                            }
                        })
                .transform(s -> s.isEmpty() ? null : s);
    }

    record Fig(String name, BigDecimal value, String unit) {}

    static ObjectNode chart(JsonNode answer) {
        List<Fig> figures = new ArrayList<>();
        for (JsonNode f : answer.path("figures")) {
            if (f.path("value").isNumber())
                figures.add(
                        new Fig(
                                f.path("name").asText(),
                                f.path("value").decimalValue(),
                                f.path("unit").asText()));
        }
        String intent = answer.path("intent").asText();
        ObjectNode c = JSON.createObjectNode();
        if (figures.isEmpty()) return c.put("kind", "none");

        List<Fig> trend = figures.stream().filter(f -> f.name().contains("@")).toList();
        if (!trend.isEmpty()) {
            // one unit a chart: of revenue in several currencies, the currency with the most points
            Map<String, Long> perUnit = new LinkedHashMap<>();
            trend.forEach(f -> perUnit.merge(f.unit(), 1L, Long::sum));
            String unit =
                    perUnit.entrySet().stream()
                            .max(Map.Entry.comparingByValue())
                            .orElseThrow()
                            .getKey();
            trend = trend.stream().filter(f -> f.unit().equals(unit)).toList();
            Map<String, Map<String, Fig>> series = new LinkedHashMap<>();
            Set<String> labels = new LinkedHashSet<>();
            for (Fig f : trend) {
                int at = f.name().lastIndexOf('@');
                labels.add(f.name().substring(at + 1));
                series.computeIfAbsent(f.name().substring(0, at), k -> new LinkedHashMap<>())
                        .put(f.name().substring(at + 1), f);
            }
            return fill(
                    c.put("kind", "line"), new ArrayList<>(labels), series, trend.get(0).unit());
        }
        List<Fig> funnel = figures.stream().filter(f -> f.name().startsWith("funnel.")).toList();
        if (!funnel.isEmpty()) {
            Map<String, Fig> steps = new LinkedHashMap<>();
            for (String step : FUNNEL_STEPS) {
                for (Fig f : funnel) if (f.name().equals("funnel." + step)) steps.put(step, f);
            }
            return fill(
                    c.put("kind", "funnel"),
                    new ArrayList<>(steps.keySet()),
                    Map.of("sessions", steps),
                    funnel.get(0).unit());
        }
        List<Fig> keyed = new ArrayList<>();
        for (Fig f : figures) if (BREAKDOWN.matcher(f.name()).matches()) keyed.add(f);
        if (!keyed.isEmpty()) {
            // top-N and similarity list in rank order; a breakdown by value, and with a comparison
            // its previous period beside
            String unit = keyed.get(0).unit();
            Map<String, Map<String, Fig>> series = new LinkedHashMap<>();
            List<String> labels = new ArrayList<>();
            for (Fig f : keyed) {
                if (!f.unit().equals(unit)) continue;
                Matcher m = BREAKDOWN.matcher(f.name());
                m.matches();
                String base = m.group(1);
                String key = m.group(2);
                if (!labels.contains(key)) labels.add(key);
                series.computeIfAbsent(base, k -> new LinkedHashMap<>()).put(key, f);
            }
            boolean ranked = "top_n".equals(intent) || "similar".equals(intent);
            return fill(c.put("kind", ranked ? "ranked_bars" : "bars"), labels, series, unit);
        }
        List<Fig> previous = figures.stream().filter(f -> f.name().endsWith(".previous")).toList();
        if (!previous.isEmpty()) {
            Fig prev = previous.get(0);
            String base = prev.name().substring(0, prev.name().length() - ".previous".length());
            Fig now = figures.stream().filter(f -> f.name().equals(base)).findFirst().orElse(null);
            if (now != null) {
                Fig weekAgo =
                        figures.stream()
                                .filter(f -> f.name().equals(base + ".same_weekday_last_week"))
                                .findFirst()
                                .orElse(null);
                List<String> labels = new ArrayList<>(List.of(base));
                Map<String, Map<String, Fig>> series = new LinkedHashMap<>();
                series.put("this period", Map.of(base, now));
                series.put("previous period", Map.of(base, prev));
                if (weekAgo != null) series.put("same weekday last week", Map.of(base, weekAgo));
                return fill(c.put("kind", "paired_bars"), labels, series, now.unit());
            }
        }
        return c.put("kind", "none");
    }

    private static ObjectNode fill(
            ObjectNode c, List<String> labels, Map<String, Map<String, Fig>> series, String unit) {
        Display d = display(unit);
        c.put("unit", d.label());
        ArrayNode l = c.putArray("labels");
        labels.forEach(l::add);
        ArrayNode s = c.putArray("series");
        series.forEach(
                (name, values) -> {
                    ObjectNode one = s.addObject().put("name", name);
                    ArrayNode v = one.putArray("values");
                    for (String label : labels) {
                        Fig f = values.get(label);
                        if (f == null) v.addNull();
                        else v.add(f.value().multiply(d.factor()).doubleValue());
                    }
                });
        return c;
    }

    record Display(String label, BigDecimal factor) {}

    static Display display(String unit) {
        if (unit.startsWith("minor_units:"))
            return new Display(unit.substring("minor_units:".length()), new BigDecimal("0.01"));
        if (unit.equals("ratio")) return new Display("%", new BigDecimal(100));
        return new Display(unit, BigDecimal.ONE);
    }
}

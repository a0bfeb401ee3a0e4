package dev.whyflow.query;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One finding behind an answer: what it claims, the parameterized SQL template that produced it (by
 * id, never the SQL text of a user or a model), the parameters bound to it, and the rows it
 * returned. Every number an answer states must be found in some evidence's rows.
 *
 * @param claim one sentence, e.g. "Checkout conversion on iOS fell from 3.1 % to 1.2 %"
 * @param templateId the id of the SQL template that was run, e.g. {@code conversion.by_segment}; a
 *     vector search's is {@code vectors/<file>} ({@code whyflow/vectors/<file>.sql}, run by {@code
 *     VectorQueries})
 * @param parameters the values bound to the template, by name (timestamps as ISO-8601 strings)
 * @param rows the result rows, each column name to value, in column order
 */
public record Evidence(
        String claim,
        String templateId,
        Map<String, Object> parameters,
        List<Map<String, Object>> rows) {

    public Evidence {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(templateId, "templateId");
        parameters = Map.copyOf(parameters);
        rows = List.copyOf(rows);
    }
}

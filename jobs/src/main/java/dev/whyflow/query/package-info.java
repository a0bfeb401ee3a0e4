/**
 * The query job: plain-language questions answered from the store with evidence. Intent parsing
 * (local rules plus embedding similarity), parameterized SQL templates, diagnostics, synthesis
 * ({@link dev.whyflow.query.synthesis}), and the Flink job over {@code whyflow.questions}.
 *
 * <p>In process: {@code new QueryEngine(dataSource, clock, zone, Synthesizer.template()).ask("…")}
 * or {@link dev.whyflow.query.QueryEngine#connect} (its own bounded pool) returns an {@link
 * dev.whyflow.query.Answer}; it never throws for a bad question.
 *
 * <h2>Periods</h2>
 *
 * Days are calendar days in the engine's zone; {@code from} inclusive, {@code to} exclusive ({@link
 * dev.whyflow.query.TimeExpressions}). A question without a period means today.
 *
 * <h2>Figure names</h2>
 *
 * Stable names the golden set compares by. Counts are exact; rates are fractions rounded to 4
 * places (HALF_UP); money is in minor units per currency (the store holds no exchange rates).
 *
 * <table>
 *   <caption>figures</caption>
 *   <tr><th>metric slot</th><th>figure</th><th>definition</th></tr>
 *   <tr><td>event_count</td><td>{@code event_count}</td><td>events of {@code slots.event_type} with occurred_at in the period</td></tr>
 *   <tr><td>orders</td><td>{@code orders}</td><td>{@code order_completed} events in the period</td></tr>
 *   <tr><td>revenue</td><td>{@code revenue_minor.<CUR>}</td><td>sum of {@code amount_minor} of {@code order_completed} in currency CUR (e.g. {@code revenue_minor.EUR})</td></tr>
 *   <tr><td>aov</td><td>{@code aov_minor.<CUR>}</td><td>revenue_minor.CUR / orders in CUR, rounded to a whole minor unit (HALF_UP)</td></tr>
 *   <tr><td>sessions</td><td>{@code sessions}</td><td>rows of {@code sessions} with started_at in the period</td></tr>
 *   <tr><td>visitors</td><td>{@code visitors}</td><td>distinct coalesce(customer_id, anonymous_id, session_id) of those sessions</td></tr>
 *   <tr><td>conversion_rate</td><td>{@code conversion_rate}</td><td>sessions with outcome {@code converted} / sessions (started in the period)</td></tr>
 *   <tr><td>cart_abandonment_rate</td><td>{@code cart_abandonment_rate}</td><td>sessions {@code cart_abandoned} / sessions whose furthest step is cart or later</td></tr>
 *   <tr><td>checkout_abandonment_rate</td><td>{@code checkout_abandonment_rate}</td><td>sessions {@code checkout_abandoned} / sessions whose furthest step is checkout or later</td></tr>
 *   <tr><td>payment_failure_rate</td><td>{@code payment_failure_rate}</td><td>{@code payment_failed} / {@code payment_submitted} events in the period</td></tr>
 *   <tr><td>page_load_p95</td><td>{@code page_load_p95_ms}</td><td>95th percentile (percentile_disc) of page_load_ms of {@code page_viewed} events</td></tr>
 * </table>
 *
 * A breakdown ({@code slots.group_by}) adds one figure per value: {@code NAME[value]} (two
 * dimensions: {@code NAME[value1/value2]}); the overall figure stays. Revenue and orders by product
 * (or of one product) come from the orders' lines: {@code revenue_minor.CUR[p-…]} is item revenue
 * (quantity × unit price) and {@code orders[p-…]} the orders holding the product; the overall
 * figures stay those of whole orders. A comparison adds {@code NAME.previous} (the period before,
 * or the period the question named: {@code slots.comparison = named_period}) and {@code
 * NAME.change} (this minus that). A trend names figures {@code NAME@2026-11-02} (day) or {@code
 * NAME@2026-11-02T13} (hour), local to the zone. Funnel: {@code funnel.sessions}, {@code
 * funnel.product}, {@code funnel.cart}, {@code funnel.checkout}, {@code funnel.payment}, {@code
 * funnel.order} (sessions whose furthest step is that step or later) and {@code conversion_rate}.
 * Top-N: {@code revenue_minor.EUR[p-00042]} (currency slot, EUR by default), {@code
 * product_views[p-00042]}, {@code abandoned_carts[p-00042]}, in rank order. Alerts: {@code alerts}
 * and {@code alerts[pattern]}. Similarity: {@code similarity[id]} (cosine, 4 places). Diagnosis:
 * {@code NAME}, {@code NAME.previous}, {@code NAME.same_weekday_last_week}, {@code NAME.change}.
 */
package dev.whyflow.query;

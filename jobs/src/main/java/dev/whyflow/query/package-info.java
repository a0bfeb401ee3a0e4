/**
 * The query job: plain-language questions answered from the store with evidence. Intent parsing
 * (local rules plus embedding similarity), parameterized SQL templates, diagnostics, synthesis
 * ({@link dev.whyflow.query.synthesis}), and the Flink job over {@code whyflow.questions}.
 */
package dev.whyflow.query;

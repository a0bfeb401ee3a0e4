/**
 * The event contract, version 1: what every producer sends and every job reads, and the topic
 * formats CaptureJob writes for the other jobs.
 *
 * <ul>
 *   <li>{@link dev.whyflow.contract.Event} and its parts ({@link dev.whyflow.contract.Actor},
 *       {@link dev.whyflow.contract.EventContext}, {@link dev.whyflow.contract.Entity}, {@link
 *       dev.whyflow.contract.Payload}, {@link dev.whyflow.contract.LineItem}): public fields,
 *       serialized by {@link dev.whyflow.contract.EventSerializer} (never Kryo).
 *   <li>{@link dev.whyflow.contract.EventType}: the registry of types (wire name, category, entity
 *       type, funnel step, schema versions).
 *   <li>{@link dev.whyflow.contract.EventJson}: the wire format (JSON, snake_case, only non-null
 *       fields, ISO-8601 UTC timestamps with milliseconds), streaming read and write.
 *   <li>{@link dev.whyflow.contract.EventValidator}: raw bytes to a valid event or a {@link
 *       dev.whyflow.contract.Rejection} with a {@link dev.whyflow.contract.RejectReason}.
 *   <li>JSON Schemas (draft 2020-12) on the classpath: {@code
 *       whyflow/schemas/events/envelope.v1.json} and {@code
 *       whyflow/schemas/events/<event_type>.v1.json}, see {@link
 *       dev.whyflow.contract.EventSchemas}.
 *   <li>The topic formats built on the event: {@link dev.whyflow.contract.EnrichedEvent} on {@code
 *       whyflow.events.enriched} ({@link dev.whyflow.contract.EnrichedEventJson}, {@code
 *       whyflow/schemas/enriched/enriched_event.v1.json}) and {@link
 *       dev.whyflow.contract.SessionSummary} on {@code whyflow.sessions} ({@link
 *       dev.whyflow.contract.SessionSummaryJson}, {@code
 *       whyflow/schemas/sessions/session_summary.v2.json}), bound by Jackson through {@link
 *       dev.whyflow.contract.TopicJson}, the mapper the alert and dead-letter formats share.
 * </ul>
 *
 * <p>Evolving the contract: add a type (an enum constant and its schema) or a new schema version of
 * a type ({@code <event_type>.v2.json} and the version in {@link dev.whyflow.contract.EventType});
 * never rename a wire name or reuse a version.
 */
package dev.whyflow.contract;

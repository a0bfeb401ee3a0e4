package dev.whyflow.contract;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One event of contract v1, as the Flink jobs carry it: public fields and a no-arg constructor,
 * serialized by Flink with {@link EventSerializer} (never Kryo, never the reflective
 * PojoSerializer).
 *
 * <p>{@link #occurredAt} is epoch milliseconds here and ISO-8601 UTC on the wire; everything else
 * maps one to one onto the JSON of {@link EventJson} (camelCase here, snake_case there). Events are
 * immutable by convention once built: a correction is a new event.
 */
@TypeInfo(EventTypeInfo.Factory.class)
public class Event {
    /** UUID; the idempotency key end to end. */
    public String eventId;

    public EventType eventType;
    public int schemaVersion;

    /** Event time, epoch milliseconds UTC. */
    public long occurredAt;

    /** storefront-web | storefront-ios | storefront-android | payments | erp | ops */
    public String source;

    public Actor actor;
    public EventContext context;
    public Entity entity;
    public Payload payload;

    /** event_id of the event that caused this one, where the producer knows it. */
    public String causedBy;

    /** The journey (a session's checkout, an order's fulfilment, …) the event belongs to. */
    public String correlationId;

    public Event() {}

    /** A new event of {@code type} with the latest schema version and an empty payload. */
    public static Event of(EventType type, String eventId, long occurredAt, String source) {
        Event e = new Event();
        e.eventType = type;
        e.schemaVersion = type.latestSchemaVersion();
        e.eventId = eventId;
        e.occurredAt = occurredAt;
        e.source = source;
        e.payload = new Payload();
        return e;
    }

    /**
     * The Kafka key of the raw topic: the session id, else the anonymous (device) id, else the
     * customer id. A device's events without a session id must share one key, so they stay in order
     * on one partition even when the customer logs in half-way (a customer-id key would split the
     * visit over two partitions, and its sessionization would depend on how they interleave).
     */
    public String partitionKey() {
        if (actor == null) return entity == null ? null : entity.id;
        if (actor.sessionId != null) return actor.sessionId;
        if (actor.anonymousId != null) return actor.anonymousId;
        return actor.customerId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Event e)) return false;
        return schemaVersion == e.schemaVersion
                && occurredAt == e.occurredAt
                && Objects.equals(eventId, e.eventId)
                && eventType == e.eventType
                && Objects.equals(source, e.source)
                && Objects.equals(actor, e.actor)
                && Objects.equals(context, e.context)
                && Objects.equals(entity, e.entity)
                && Objects.equals(payload, e.payload)
                && Objects.equals(causedBy, e.causedBy)
                && Objects.equals(correlationId, e.correlationId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                eventId,
                eventType,
                schemaVersion,
                occurredAt,
                source,
                actor,
                context,
                entity,
                payload,
                causedBy,
                correlationId);
    }

    @Override
    public String toString() {
        return "Event{"
                + eventType
                + " "
                + eventId
                + " at "
                + Timestamps.format(occurredAt)
                + " from "
                + source
                + ", actor="
                + actor
                + ", context="
                + context
                + ", entity="
                + entity
                + ", payload="
                + payload
                + ", causedBy="
                + causedBy
                + ", correlationId="
                + correlationId
                + "}";
    }
}

/** Kafka topics of the contract (architecture.md): one per aggregate type, plus the read model's DLT. */
export const AGGREGATE_TYPES = ['order', 'dispatch', 'delivery'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];

export const EVENT_TOPICS = {
  order: 'order.event',
  dispatch: 'dispatch.event',
  delivery: 'delivery.event',
} as const satisfies Record<AggregateType, string>;
export type EventTopic = (typeof EVENT_TOPICS)[AggregateType];

export const DEAD_LETTER_TOPIC = 'read-model.dlt';

/** Kafka message headers set by the outbox relay. */
export const EVENT_HEADERS = {
  eventType: 'event-type',
  correlationId: 'correlation-id',
  eventId: 'event-id',
  /** The W3C traceparent of the publish (tracing on) or of the command that wrote the event; absent when it had none. */
  traceParent: 'traceparent',
} as const;

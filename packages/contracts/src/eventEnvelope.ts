import { z } from 'zod';
import { DELIVERY_EVENT_PAYLOADS } from './deliveryEvents.ts';
import { DISPATCH_EVENT_PAYLOADS } from './dispatchEvents.ts';
import { ORDER_EVENT_PAYLOADS } from './orderEvents.ts';
import { RequestId, Uuid } from './primitives.ts';
import { type AggregateType, EVENT_TOPICS } from './topics.ts';

/**
 * The event envelope of architecture.md, one schema per event type, discriminated by
 * `eventType`. Producers validate before writing the outbox; the read model validates
 * every message it consumes. Add an event here and the build fails until every decider
 * and projection handles it.
 */
const envelopeOf = <A extends AggregateType, T extends string, P extends z.ZodType>(
  aggregateType: A,
  eventType: T,
  payload: P,
) =>
  z.strictObject({
    eventId: Uuid,
    eventType: z.literal(eventType),
    aggregateType: z.literal(aggregateType),
    aggregateId: Uuid,
    version: z.number().int().min(1),
    occurredAt: z.iso.datetime({ offset: true }),
    correlationId: RequestId,
    payload,
  });

const o = ORDER_EVENT_PAYLOADS;
const di = DISPATCH_EVENT_PAYLOADS;
const de = DELIVERY_EVENT_PAYLOADS;

export const OrderPlaced = envelopeOf('order', 'OrderPlaced', o.OrderPlaced);
export const OrderAccepted = envelopeOf('order', 'OrderAccepted', o.OrderAccepted);
export const OrderUpdated = envelopeOf('order', 'OrderUpdated', o.OrderUpdated);
export const OrderCancelled = envelopeOf('order', 'OrderCancelled', o.OrderCancelled);
export const DispatchRequested = envelopeOf('dispatch', 'DispatchRequested', di.DispatchRequested);
export const DispatchAccepted = envelopeOf('dispatch', 'DispatchAccepted', di.DispatchAccepted);
export const DispatchCancelled = envelopeOf('dispatch', 'DispatchCancelled', di.DispatchCancelled);
export const DeliveryCreated = envelopeOf('delivery', 'DeliveryCreated', de.DeliveryCreated);
export const DeliveryPickedUp = envelopeOf('delivery', 'DeliveryPickedUp', de.DeliveryPickedUp);
export const DeliveryLocationUpdated = envelopeOf('delivery', 'DeliveryLocationUpdated', de.DeliveryLocationUpdated);
export const DeliveryCompleted = envelopeOf('delivery', 'DeliveryCompleted', de.DeliveryCompleted);
export const DeliveryCancelled = envelopeOf('delivery', 'DeliveryCancelled', de.DeliveryCancelled);

export const OrderEvent = z.discriminatedUnion('eventType', [OrderPlaced, OrderAccepted, OrderUpdated, OrderCancelled]);
export const DispatchEvent = z.discriminatedUnion('eventType', [DispatchRequested, DispatchAccepted, DispatchCancelled]);
export const DeliveryEvent = z.discriminatedUnion('eventType', [
  DeliveryCreated,
  DeliveryPickedUp,
  DeliveryLocationUpdated,
  DeliveryCompleted,
  DeliveryCancelled,
]);
export const DomainEvent = z.discriminatedUnion('eventType', [
  ...OrderEvent.options,
  ...DispatchEvent.options,
  ...DeliveryEvent.options,
]);

export type OrderEvent = z.infer<typeof OrderEvent>;
export type DispatchEvent = z.infer<typeof DispatchEvent>;
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;
export type DomainEvent = z.infer<typeof DomainEvent>;
export type EventType = DomainEvent['eventType'];
/** The payload of one event type, e.g. `PayloadOf<'OrderPlaced'>`. */
export type PayloadOf<T extends EventType> = Extract<DomainEvent, { eventType: T }>['payload'];
/** An event before the outbox gives it identity, time and correlation. */
export type EventDraft<E extends DomainEvent = DomainEvent> = E extends DomainEvent
  ? Pick<E, 'eventType' | 'payload'>
  : never;

export const topicOf = (event: Pick<DomainEvent, 'aggregateType'>): string => EVENT_TOPICS[event.aggregateType];

/** Parses a consumed message value; throws a descriptive error for anything off-contract. */
export function parseDomainEvent(value: unknown): DomainEvent {
  const result = DomainEvent.safeParse(value);
  if (!result.success) {
    throw new Error(`event violates the contract: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

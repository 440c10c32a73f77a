import { z } from 'zod';
import { Uuid } from './primitives.ts';

export const DELIVERY_STATUSES = ['READY', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** Every delivery event carries orderId and dispatchId so views join without calling back. */
const DeliveryRef = { orderId: Uuid, dispatchId: Uuid };

export const DeliveryCreatedPayload = z.strictObject({
  ...DeliveryRef,
  riderId: z.string().min(1).max(64),
  status: z.literal('READY'),
});
export const DeliveryPickedUpPayload = z.strictObject({ ...DeliveryRef, status: z.literal('PICKED_UP') });
export const DeliveryLocationUpdatedPayload = z.strictObject({
  ...DeliveryRef,
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export const DeliveryCompletedPayload = z.strictObject({ ...DeliveryRef, status: z.literal('DELIVERED') });
/** A platform reaction (its order or dispatch was cancelled) while READY; a CANCELLED delivery does not count toward the order's stage. */
export const DeliveryCancelledPayload = z.strictObject({
  ...DeliveryRef,
  status: z.literal('CANCELLED'),
  reason: z.string().min(1).max(500),
  /** What was cancelled first (optional, added later): an ORDER_CANCELLED one lets the order service finish a cancellation it could not commit. */
  cause: z.enum(['ORDER_CANCELLED', 'DISPATCH_CANCELLED']).optional(),
});

export const DELIVERY_EVENT_PAYLOADS = {
  DeliveryCreated: DeliveryCreatedPayload,
  DeliveryPickedUp: DeliveryPickedUpPayload,
  DeliveryLocationUpdated: DeliveryLocationUpdatedPayload,
  DeliveryCompleted: DeliveryCompletedPayload,
  DeliveryCancelled: DeliveryCancelledPayload,
} as const;

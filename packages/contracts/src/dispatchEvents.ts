import { z } from 'zod';
import { GeoPoint, Uuid } from './primitives.ts';

export const DISPATCH_STATUSES = ['REQUESTED', 'ACCEPTED', 'CANCELLED'] as const;
export const DispatchStatus = z.enum(DISPATCH_STATUSES);
export type DispatchStatus = z.infer<typeof DispatchStatus>;

/** Every dispatch event carries its orderId so the order view joins without calling back. */
export const DispatchRequestedPayload = z.strictObject({
  orderId: Uuid,
  pickup: GeoPoint,
  dropoff: GeoPoint,
  status: z.literal('REQUESTED'),
});
export const DispatchAcceptedPayload = z.strictObject({
  orderId: Uuid,
  riderId: z.string().min(1).max(64),
  status: z.literal('ACCEPTED'),
});
export const DispatchCancelledPayload = z.strictObject({
  orderId: Uuid,
  reason: z.string().max(500).nullable(),
  status: z.literal('CANCELLED'),
});

export const DISPATCH_EVENT_PAYLOADS = {
  DispatchRequested: DispatchRequestedPayload,
  DispatchAccepted: DispatchAcceptedPayload,
  DispatchCancelled: DispatchCancelledPayload,
} as const;

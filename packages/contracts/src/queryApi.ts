import { z } from 'zod';
import { DELIVERY_STATUSES } from './deliveryEvents.ts';
import { DISPATCH_STATUSES } from './dispatchEvents.ts';
import { ORDER_STATUSES } from './orderEvents.ts';
import { DeliveryAddress, GeoPoint, Krw, OrderItem, Uuid } from './primitives.ts';

/**
 * The write services' query API answers (`GET /api/v1/<plural>/{id}`), used only by the
 * read model's fallback. Shared so that the producer serialises and the fallback parses
 * one definition.
 */
const timestamps = { createdAt: z.iso.datetime({ offset: true }), updatedAt: z.iso.datetime({ offset: true }) };

export const OrderSnapshot = z.object({
  orderId: Uuid,
  customerId: z.string(),
  storeId: z.string(),
  items: z.array(OrderItem),
  totalAmount: Krw,
  deliveryAddress: DeliveryAddress,
  requestNote: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
  cancelReason: z.string().nullable(),
  version: z.number().int().min(1),
  ...timestamps,
});
export type OrderSnapshot = z.infer<typeof OrderSnapshot>;

export const DispatchSnapshot = z.object({
  dispatchId: Uuid,
  orderId: Uuid,
  pickup: GeoPoint,
  dropoff: GeoPoint,
  riderId: z.string().nullable(),
  status: z.enum(DISPATCH_STATUSES),
  version: z.number().int().min(1),
  ...timestamps,
});
export type DispatchSnapshot = z.infer<typeof DispatchSnapshot>;

export const DeliverySnapshot = z.object({
  deliveryId: Uuid,
  orderId: Uuid,
  dispatchId: Uuid,
  riderId: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  location: z.object({ lat: z.number(), lng: z.number(), updatedAt: z.iso.datetime({ offset: true }) }).nullable(),
  version: z.number().int().min(1),
  ...timestamps,
});
export type DeliverySnapshot = z.infer<typeof DeliverySnapshot>;

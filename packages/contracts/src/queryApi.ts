import { z } from 'zod';
import { DeliveryStatus } from './deliveryEvents.ts';
import { DispatchStatus } from './dispatchEvents.ts';
import { OrderStatus } from './orderEvents.ts';
import { DeliveryAddress, GeoPoint, Krw, OrderItem, Uuid } from './primitives.ts';

/**
 * The write services' query API answers (`GET /api/v1/<plural>/{id}`), used only by the
 * read model's fallback. Shared so that the producer serialises and the fallback parses
 * one definition; the read model's views extend them (read-model/src/handler/view/viewSchemas.ts),
 * so a snapshot is its view minus the fields only the view has.
 */

/** ISO-8601 with any offset (the read model answers UTC, converting by the `…At` field names). */
export const Timestamp = z.iso.datetime({ offset: true });
/** An aggregate's snapshot: its own fields, then its version and when it was created and last changed. */
const snapshotOf = <S extends z.ZodRawShape>(fields: S) =>
  z.object({ ...fields, version: z.number().int().min(1), createdAt: Timestamp, updatedAt: Timestamp });

/** A rider's last reported position and when it was reported. */
export const Location = z.strictObject({ ...GeoPoint.shape, updatedAt: Timestamp }).describe('Current rider location and when it was reported.');
export type Location = z.infer<typeof Location>;

export const OrderSnapshot = snapshotOf({
  orderId: Uuid,
  customerId: z.string(),
  storeId: z.string(),
  items: z.array(OrderItem),
  totalAmount: Krw,
  deliveryAddress: DeliveryAddress,
  requestNote: z.string().nullable(),
  status: OrderStatus,
  cancelReason: z.string().nullable(),
});

export const DispatchSnapshot = snapshotOf({
  dispatchId: Uuid,
  orderId: Uuid,
  pickup: GeoPoint,
  dropoff: GeoPoint,
  riderId: z.string().nullable(),
  status: DispatchStatus,
});

export const DeliverySnapshot = snapshotOf({
  deliveryId: Uuid,
  orderId: Uuid,
  dispatchId: Uuid,
  riderId: z.string(),
  status: DeliveryStatus,
  location: Location.nullable(),
  /** Why it was cancelled (DeliveryCancelled); null otherwise. Defaults to null: added later, so an older delivery service's answer lacks it. */
  cancelReason: z.string().nullable().default(null),
});

/**
 * `GET /api/v1/<plural>?ids=<id>,<id>,…`: the snapshots of up to `SNAPSHOT_BATCH_MAX` ids in
 * one call (the fallback's batch lookup); an id the service does not know is left out.
 */
export const SNAPSHOT_BATCH_MAX = 100;
export const snapshotBatch = <T extends z.ZodType>(snapshot: T) => z.object({ items: z.array(snapshot) });

export type OrderSnapshot = z.infer<typeof OrderSnapshot>;
export type DispatchSnapshot = z.infer<typeof DispatchSnapshot>;
export type DeliverySnapshot = z.infer<typeof DeliverySnapshot>;

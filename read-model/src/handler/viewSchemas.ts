import {
  DeliveryAddress,
  DeliveryStatus,
  DispatchStatus,
  GeoPoint,
  Krw,
  OrderItem,
  OrderStatus,
  Uuid,
} from '@delivery/contracts';
import { z } from 'zod';
import { Stage } from './stage.ts';

/**
 * The views as clients see them (REST now, GraphQL later). Field names follow the write
 * services' query-API snapshots wherever both have the field, so that a fallback answer is
 * the same shape minus the fields only the view has. Timestamps are ISO-8601 UTC.
 */
const Timestamp = z.iso.datetime();

export const Location = z.strictObject({ ...GeoPoint.shape, updatedAt: Timestamp }).describe('Current rider location and when it was reported.');

export const OrderDispatchSummary = z
  .strictObject({
    dispatchId: Uuid,
    status: DispatchStatus,
    riderId: z.string().nullable(),
    createdAt: Timestamp.nullable(),
    updatedAt: Timestamp,
    version: z.number().int().min(1),
  })
  .describe("The order's current dispatch (an open one before a cancelled one, then the latest).");

export const OrderDeliverySummary = z
  .strictObject({
    deliveryId: Uuid,
    dispatchId: Uuid.nullable(),
    riderId: z.string().nullable(),
    status: DeliveryStatus,
    location: Location.nullable(),
    pickedUpAt: Timestamp.nullable(),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp.nullable(),
    updatedAt: Timestamp,
    version: z.number().int().min(1),
  })
  .describe("The order's current delivery (the furthest along, then the latest).");

const viewOnly = <T extends z.ZodType>(schema: T, field: string) =>
  schema.optional().describe(`${field}; absent when X-Read-Source is fallback (only the view has it).`);

export const OrderView = z.strictObject({
  orderId: Uuid,
  customerId: z.string(),
  storeId: z.string(),
  items: z.array(OrderItem),
  totalAmount: Krw,
  deliveryAddress: DeliveryAddress,
  requestNote: z.string().nullable(),
  status: OrderStatus,
  cancelReason: z.string().nullable(),
  stage: viewOnly(Stage, 'Derived stage'),
  dispatch: viewOnly(OrderDispatchSummary.nullable(), 'Current dispatch'),
  delivery: viewOnly(OrderDeliverySummary.nullable(), 'Current delivery'),
  version: z.number().int().min(1).describe("The order aggregate's version (per-source versions sit in dispatch and delivery)."),
  createdAt: Timestamp,
  updatedAt: Timestamp.describe('Latest change of the order, its dispatch or its delivery.'),
});
export type OrderView = z.infer<typeof OrderView>;

export const DispatchView = z.strictObject({
  dispatchId: Uuid,
  orderId: Uuid,
  pickup: GeoPoint,
  dropoff: GeoPoint,
  riderId: z.string().nullable(),
  status: DispatchStatus,
  cancelReason: viewOnly(z.string().nullable(), 'Cancellation reason'),
  version: z.number().int().min(1),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DispatchView = z.infer<typeof DispatchView>;

export const DeliveryView = z.strictObject({
  deliveryId: Uuid,
  orderId: Uuid,
  dispatchId: Uuid,
  riderId: z.string(),
  status: DeliveryStatus,
  location: Location.nullable(),
  pickedUpAt: viewOnly(Timestamp.nullable(), 'Pick-up time'),
  deliveredAt: viewOnly(Timestamp.nullable(), 'Delivery time'),
  version: z.number().int().min(1),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const OrderPage = z.strictObject({
  items: z.array(OrderView),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last page.'),
});
export type OrderPage = z.infer<typeof OrderPage>;

/** A view as the cache and the store hold it, with the version that orders its copies. */
export interface Versioned<V> {
  view: V;
  version: number;
}

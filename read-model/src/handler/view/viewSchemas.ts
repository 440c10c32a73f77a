import { DeliverySnapshot, DispatchSnapshot, Location, OrderSnapshot } from '@delivery/contracts';
import { z } from 'zod';
import { Stage } from './stage.ts';

/**
 * The one definition of each view. A view is its owner's query-API snapshot (the contract
 * in packages/contracts/src/queryApi.ts) plus the fields only the view has, so a fallback
 * answer is the view minus those fields. Everything else derives from these schemas: the
 * stored documents' types, rendering, the fallback, the OpenAPI document and the GraphQL
 * field resolvers; a test holds schema.graphql against them. Timestamps are ISO-8601 UTC
 * and every timestamp field's name ends in `At` (the documents store them as dates).
 * To add a field: docs/read-model.md, "Adding a view field".
 */

/** Timestamps only the view has; every view timestamp is answered in UTC (renderViews.ts, writeServiceFallback.ts). */
const UtcTimestamp = z.iso.datetime();

const viewOnly = <T extends z.ZodType>(schema: T, field: string) =>
  schema.optional().describe(`${field}; absent when X-Read-Source is fallback (only the view has it).`);

export { Location };

export const DispatchView = z.strictObject({
  ...DispatchSnapshot.shape,
  cancelReason: viewOnly(z.string().nullable(), 'Cancellation reason'),
});
export type DispatchView = z.infer<typeof DispatchView>;

export const DeliveryView = z.strictObject({
  ...DeliverySnapshot.shape,
  pickedUpAt: viewOnly(UtcTimestamp.nullable(), 'Pick-up time'),
  deliveredAt: viewOnly(UtcTimestamp.nullable(), 'Delivery time'),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

/** What the order view shows of its current dispatch: a part of the dispatch view. */
export const OrderDispatchSummary = z
  .strictObject({
    ...DispatchView.pick({ dispatchId: true, status: true, riderId: true, updatedAt: true, version: true }).shape,
    createdAt: UtcTimestamp.nullable(),
  })
  .describe("The order's current dispatch (an open one before a cancelled one, then the latest).");
export type OrderDispatchSummary = z.infer<typeof OrderDispatchSummary>;

/** What the order view shows of its current delivery: the delivery view but its order id. */
export const OrderDeliverySummary = z
  .strictObject({
    ...DeliveryView.omit({ orderId: true }).shape,
    dispatchId: DeliveryView.shape.dispatchId.nullable(),
    riderId: DeliveryView.shape.riderId.nullable(),
    pickedUpAt: UtcTimestamp.nullable(),
    deliveredAt: UtcTimestamp.nullable(),
    createdAt: UtcTimestamp.nullable(),
  })
  .describe("The order's current delivery (the furthest along, a cancelled one last, then the latest).");
export type OrderDeliverySummary = z.infer<typeof OrderDeliverySummary>;

export const OrderView = z.strictObject({
  ...OrderSnapshot.shape,
  stage: viewOnly(Stage, 'Derived stage'),
  dispatch: viewOnly(OrderDispatchSummary.nullable(), 'Current dispatch'),
  delivery: viewOnly(OrderDeliverySummary.nullable(), 'Current delivery'),
  version: OrderSnapshot.shape.version.describe("The order aggregate's version (per-source versions sit in dispatch and delivery)."),
  updatedAt: UtcTimestamp.describe('Latest change of the order, its dispatch or its delivery.'),
});
export type OrderView = z.infer<typeof OrderView>;

/** The views by collection name (the REST plural). */
export const VIEWS = { orders: OrderView, dispatches: DispatchView, deliveries: DeliveryView } as const;
export type Views = { [V in ViewName]: z.infer<(typeof VIEWS)[V]> };
export const VIEW_NAMES = ['orders', 'dispatches', 'deliveries'] as const satisfies readonly (keyof typeof VIEWS)[];
export type ViewName = (typeof VIEW_NAMES)[number];

/** Each view's id field (the document's `_id`). */
export const VIEW_ID_FIELDS = { orders: 'orderId', dispatches: 'dispatchId', deliveries: 'deliveryId' } as const satisfies {
  [V in ViewName]: keyof Views[V];
};

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

import { DeliverySnapshot, DispatchSnapshot, OrderSnapshot } from '@delivery/contracts';
import type { z } from 'zod';
import type { DeliveryView, DispatchView, OrderView, RenderedViews } from '../handler/index.ts';

/**
 * Fallback answers: what the owning write service returns, in the view's shape; the
 * fields only the view has (stage, the order's dispatch and delivery, cancelReason of a
 * dispatch, pick-up and delivery times) are absent.
 */
const iso = (value: string) => new Date(value).toISOString();

function orderFromSnapshot(s: OrderSnapshot): OrderView {
  return {
    orderId: s.orderId,
    customerId: s.customerId,
    storeId: s.storeId,
    items: s.items,
    totalAmount: s.totalAmount,
    deliveryAddress: s.deliveryAddress,
    requestNote: s.requestNote,
    status: s.status,
    cancelReason: s.cancelReason,
    version: s.version,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function dispatchFromSnapshot(s: DispatchSnapshot): DispatchView {
  return {
    dispatchId: s.dispatchId,
    orderId: s.orderId,
    pickup: s.pickup,
    dropoff: s.dropoff,
    riderId: s.riderId,
    status: s.status,
    version: s.version,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function deliveryFromSnapshot(s: DeliverySnapshot): DeliveryView {
  return {
    deliveryId: s.deliveryId,
    orderId: s.orderId,
    dispatchId: s.dispatchId,
    riderId: s.riderId,
    status: s.status,
    location: s.location ? { lat: s.location.lat, lng: s.location.lng, updatedAt: iso(s.location.updatedAt) } : null,
    version: s.version,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export type FallbackService = 'order' | 'dispatch' | 'delivery';

interface SnapshotSource<V> {
  service: FallbackService;
  /** The query API's path segment (`GET /api/v1/<plural>/{id}`). */
  plural: string;
  schema: z.ZodType;
  toView: (snapshot: never) => V;
}

export const SNAPSHOT_SOURCES: { [K in keyof RenderedViews]: SnapshotSource<RenderedViews[K]> } = {
  orders: { service: 'order', plural: 'orders', schema: OrderSnapshot, toView: orderFromSnapshot },
  dispatches: { service: 'dispatch', plural: 'dispatches', schema: DispatchSnapshot, toView: dispatchFromSnapshot },
  deliveries: { service: 'delivery', plural: 'deliveries', schema: DeliverySnapshot, toView: deliveryFromSnapshot },
};

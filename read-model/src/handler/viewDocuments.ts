import type {
  DeliveryAddress,
  DeliveryStatus,
  DispatchStatus,
  GeoPoint,
  OrderItem,
  OrderStatus,
} from '@delivery/contracts';

/**
 * The documents the projections keep in MongoDB (and nowhere else). Every part carries the
 * version of the aggregate event that last changed it; a write is applied only when it is
 * newer (see planProjection.ts). Timestamps are BSON dates so that they sort.
 */

import type { Stage } from './stage.ts';

export interface Located extends GeoPoint {
  updatedAt: Date;
}

/** The order aggregate's part of the order view (from order.event). */
export interface OrderPart {
  customerId: string;
  storeId: string;
  items: OrderItem[];
  totalAmount: number;
  deliveryAddress: DeliveryAddress;
  requestNote: string | null;
  status: OrderStatus;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The dispatch view document (collection `dispatches_gen<N>`), keyed by dispatch id. */
export interface DispatchDocument {
  _id: string;
  orderId: string;
  pickup: GeoPoint;
  dropoff: GeoPoint;
  riderId: string | null;
  status: DispatchStatus;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The delivery view document (collection `deliveries_gen<N>`), keyed by delivery id. */
export interface DeliveryDocument {
  _id: string;
  orderId: string;
  dispatchId: string;
  riderId: string;
  status: DeliveryStatus;
  location: Located | null;
  pickedUpAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** What the order view keeps of each of its dispatches and deliveries. */
export type DispatchPart = Pick<DispatchDocument, 'riderId' | 'status' | 'createdAt' | 'updatedAt' | 'version'>;
export type DeliveryPart = Omit<DeliveryDocument, '_id' | 'orderId'>;

export const DISPATCH_PART_FIELDS = ['riderId', 'status', 'createdAt', 'updatedAt', 'version'] as const satisfies readonly (keyof DispatchPart)[];
export const DELIVERY_PART_FIELDS = [
  'dispatchId',
  'riderId',
  'status',
  'location',
  'pickedUpAt',
  'deliveredAt',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof DeliveryPart)[];

/**
 * The order view document (collection `orders_gen<N>`), keyed by order id. It joins three
 * aggregates whose events arrive on three topics in any relative order, so each source is a
 * part of its own, guarded by its own version: a dispatch event may create the document
 * before its OrderPlaced arrives. `rev` counts applied part writes; the derived fields
 * `stage` (derived from the parts, stored for the list query and its index) is written
 * afterwards, guarded by `rev`; everything else derived is computed when rendering.
 */
export interface OrderDocument {
  _id: string;
  order?: Partial<OrderPart>;
  dispatches?: Record<string, Partial<DispatchPart>>;
  deliveries?: Record<string, Partial<DeliveryPart>>;
  rev?: number;
  stage?: Stage;
}

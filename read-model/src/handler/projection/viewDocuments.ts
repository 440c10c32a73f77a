import type { Stage } from '../view/stage.ts';
import {
  OrderDeliverySummary,
  OrderDispatchSummary,
  type DeliveryView,
  type DispatchView,
  type OrderView,
  type ViewName,
} from '../view/viewSchemas.ts';

/**
 * The documents the projections keep in MongoDB, derived from the views: the same fields,
 * the id in `_id`, timestamps (fields named `…At`) as BSON dates so that they sort. Every
 * part carries the version of the aggregate event that last changed it (a write is applied
 * only over an older part, see planProjection.ts) and `applied`, the number of events it
 * took: never more than the version, or an event was applied twice (the fault drills check).
 */
type StoredValue<K, T> = K extends `${string}At`
  ? T extends string
    ? Date
    : T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? Stored<T>
      : T;

/** A view's fields as stored: timestamps become dates, nested objects likewise. */
export type Stored<V> = { [K in keyof V]: StoredValue<K, V[K]> };

export type Located = Stored<NonNullable<DeliveryView['location']>>;

/** The dispatch view document (collection `dispatches_gen<N>`), keyed by dispatch id. */
export type DispatchDocument = { _id: string } & Stored<Required<Omit<DispatchView, 'dispatchId'>>>;

/** The delivery view document (collection `deliveries_gen<N>`), keyed by delivery id. */
export type DeliveryDocument = { _id: string } & Stored<Required<Omit<DeliveryView, 'deliveryId'>>>;

/** The order aggregate's part of the order view (from order.event). */
export type OrderPart = Stored<Omit<OrderView, 'orderId' | 'stage' | 'dispatch' | 'delivery'>>;

/** What the order view keeps of each of its dispatches and deliveries (keyed by their ids). */
export type DispatchPart = Stored<Omit<OrderDispatchSummary, 'dispatchId'>>;
export type DeliveryPart = Stored<Omit<OrderDeliverySummary, 'deliveryId'>>;

const fieldsBut = <S extends { shape: object }>(schema: S, id: keyof S['shape']) =>
  Object.keys(schema.shape).filter((field) => field !== id);

/** The fields of a dispatch or delivery event's patch that its order view part keeps. */
export const DISPATCH_PART_FIELDS: readonly string[] = fieldsBut(OrderDispatchSummary, 'dispatchId');
export const DELIVERY_PART_FIELDS: readonly string[] = fieldsBut(OrderDeliverySummary, 'deliveryId');

/**
 * The order view document (collection `orders_gen<N>`), keyed by order id. It joins three
 * aggregates whose events arrive on three topics in any relative order, so each source is a
 * part of its own, guarded by its own version: a dispatch event may create the document
 * before its OrderPlaced arrives. `rev` counts applied part writes; the derived `stage`
 * (stored for the list query and its index) is written afterwards, guarded by `rev`;
 * everything else derived is computed when rendering.
 */
export interface OrderDocument {
  _id: string;
  order?: Partial<OrderPart>;
  dispatches?: Record<string, Partial<DispatchPart>>;
  deliveries?: Record<string, Partial<DeliveryPart>>;
  rev?: number;
  stage?: Stage;
}

export interface ViewDocuments {
  orders: OrderDocument;
  dispatches: DispatchDocument;
  deliveries: DeliveryDocument;
}
export type ViewDocument<V extends ViewName> = ViewDocuments[V];

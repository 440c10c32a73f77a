import type {
  DeliveryDocument,
  DeliveryPart,
  DispatchDocument,
  DispatchPart,
  Located,
  OrderDocument,
  OrderPart,
} from './viewDocuments.ts';
import type { Stage } from './stage.ts';
import { deriveStage } from './deriveStage.ts';
import type { DeliveryView, DispatchView, OrderView, Versioned } from './viewSchemas.ts';

/** Stored documents → client views. A view is visible once its creating event is projected. */

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const locationView = (location: Located | null | undefined) =>
  location ? { lat: location.lat, lng: location.lng, updatedAt: iso(location.updatedAt) } : null;
const time = (date: Date | null | undefined) => (date ? date.getTime() : Number.NEGATIVE_INFINITY);

/** What the order view derives from its parts (only `stage` is stored, for the list query). */
export interface OrderDerived {
  stage: Stage | undefined;
  /** Sum of every part's version: grows with each applied event, equal only for equal content (orders cache copies). */
  viewVersion: number;
  /** The latest change of any part. */
  updatedAt: Date | undefined;
}

export function deriveOrder(doc: OrderDocument): OrderDerived {
  const parts = [doc.order, ...Object.values(doc.dispatches ?? {}), ...Object.values(doc.deliveries ?? {})];
  let viewVersion = 0;
  let updatedAt: Date | undefined;
  for (const part of parts) {
    viewVersion += part?.version ?? 0;
    if (part?.updatedAt && (!updatedAt || part.updatedAt > updatedAt)) updatedAt = part.updatedAt;
  }
  return { stage: deriveStage(doc), viewVersion, updatedAt };
}

type Known<P extends { status: unknown; updatedAt: Date; version: number; createdAt: Date | null }> = Partial<P> &
  Pick<P, 'status' | 'updatedAt' | 'version'>;

/**
 * The current one of an order's dispatches or deliveries: highest rank, then the latest
 * created (or changed, if its creating event is missing), then the id — a total order, so
 * the choice never depends on the order events arrived in. Parts without a status yet are
 * not candidates.
 */
function current<P extends { status: unknown; updatedAt: Date; version: number; createdAt: Date | null }>(
  parts: Record<string, Partial<P>> = {},
  rank: (part: Known<P>) => number,
): [string, Known<P>] | undefined {
  const candidates = Object.entries(parts).filter(
    (entry): entry is [string, Known<P>] => entry[1].status !== undefined && entry[1].updatedAt !== undefined && entry[1].version !== undefined,
  );
  candidates.sort(
    ([ia, a], [ib, b]) => rank(b) - rank(a) || time(b.createdAt ?? b.updatedAt) - time(a.createdAt ?? a.updatedAt) || (ia < ib ? 1 : -1),
  );
  return candidates[0];
}

/** Open dispatches before cancelled ones. */
function currentDispatch(dispatches?: Record<string, Partial<DispatchPart>>) {
  const [id, part] = current(dispatches, (p) => (p.status === 'CANCELLED' ? 0 : 1)) ?? [];
  if (id === undefined || part === undefined) return null;
  return {
    dispatchId: id,
    status: part.status,
    riderId: part.riderId ?? null,
    createdAt: isoOrNull(part.createdAt),
    updatedAt: iso(part.updatedAt),
    version: part.version,
  };
}

const DELIVERY_RANK = { READY: 0, PICKED_UP: 1, DELIVERED: 2 } as const;

/** The furthest-along delivery. */
function currentDelivery(deliveries?: Record<string, Partial<DeliveryPart>>) {
  const [id, part] = current(deliveries, (p) => DELIVERY_RANK[p.status]) ?? [];
  if (id === undefined || part === undefined) return null;
  return {
    deliveryId: id,
    dispatchId: part.dispatchId ?? null,
    riderId: part.riderId ?? null,
    status: part.status,
    location: locationView(part.location),
    pickedUpAt: isoOrNull(part.pickedUpAt),
    deliveredAt: isoOrNull(part.deliveredAt),
    createdAt: isoOrNull(part.createdAt),
    updatedAt: iso(part.updatedAt),
    version: part.version,
  };
}

const isCompleteOrder = (order: Partial<OrderPart> | undefined): order is OrderPart =>
  order?.createdAt !== undefined && order.customerId !== undefined && order.version !== undefined;

export function renderOrderView(doc: OrderDocument): Versioned<OrderView> | undefined {
  const order = doc.order;
  if (!isCompleteOrder(order)) return undefined;
  const derived = deriveOrder(doc);
  return {
    version: derived.viewVersion,
    view: {
      orderId: doc._id,
      customerId: order.customerId,
      storeId: order.storeId,
      items: order.items,
      totalAmount: order.totalAmount,
      deliveryAddress: order.deliveryAddress,
      requestNote: order.requestNote,
      status: order.status,
      cancelReason: order.cancelReason,
      stage: derived.stage ?? 'PLACED',
      dispatch: currentDispatch(doc.dispatches),
      delivery: currentDelivery(doc.deliveries),
      version: order.version,
      createdAt: iso(order.createdAt),
      updatedAt: iso(derived.updatedAt ?? order.updatedAt),
    },
  };
}

export function renderDispatchView(doc: Partial<DispatchDocument> & { _id: string }): Versioned<DispatchView> | undefined {
  if (!doc.createdAt || doc.version === undefined || !doc.orderId || !doc.pickup || !doc.dropoff || !doc.status || !doc.updatedAt)
    return undefined;
  return {
    version: doc.version,
    view: {
      dispatchId: doc._id,
      orderId: doc.orderId,
      pickup: doc.pickup,
      dropoff: doc.dropoff,
      riderId: doc.riderId ?? null,
      status: doc.status,
      cancelReason: doc.cancelReason ?? null,
      version: doc.version,
      createdAt: iso(doc.createdAt),
      updatedAt: iso(doc.updatedAt),
    },
  };
}

export function renderDeliveryView(doc: Partial<DeliveryDocument> & { _id: string }): Versioned<DeliveryView> | undefined {
  if (!doc.createdAt || doc.version === undefined || !doc.orderId || !doc.dispatchId || !doc.riderId || !doc.status || !doc.updatedAt)
    return undefined;
  return {
    version: doc.version,
    view: {
      deliveryId: doc._id,
      orderId: doc.orderId,
      dispatchId: doc.dispatchId,
      riderId: doc.riderId,
      status: doc.status,
      location: locationView(doc.location),
      pickedUpAt: isoOrNull(doc.pickedUpAt),
      deliveredAt: isoOrNull(doc.deliveredAt),
      version: doc.version,
      createdAt: iso(doc.createdAt),
      updatedAt: iso(doc.updatedAt),
    },
  };
}

export interface RenderedViews {
  orders: OrderView;
  dispatches: DispatchView;
  deliveries: DeliveryView;
}

/** Renders a stored document of any view; undefined while it is not visible yet. */
export function renderView<V extends keyof RenderedViews>(
  view: V,
  doc: { _id: string },
): Versioned<RenderedViews[V]> | undefined {
  switch (view) {
    case 'orders':
      return renderOrderView(doc) as Versioned<RenderedViews[V]> | undefined;
    case 'dispatches':
      return renderDispatchView(doc) as Versioned<RenderedViews[V]> | undefined;
    default:
      return renderDeliveryView(doc) as Versioned<RenderedViews[V]> | undefined;
  }
}

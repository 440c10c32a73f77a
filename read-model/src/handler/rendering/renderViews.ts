import type { DeliveryStatus } from '@delivery/contracts';
import { deriveStage } from '../projection/deriveStage.ts';
import type { DeliveryPart, DispatchPart, OrderDocument, ViewDocuments } from '../projection/viewDocuments.ts';
import {
  OrderDeliverySummary,
  OrderDispatchSummary,
  VIEW_ID_FIELDS,
  VIEWS,
  type OrderView,
  type Versioned,
  type ViewName,
  type Views,
} from '../view/viewSchemas.ts';

/**
 * Stored documents → client views, field by field from the view schemas: the id from
 * `_id`, dates as ISO-8601 strings, a missing nullable field as null. A view is visible once
 * its creating event is projected, that is once every field the view requires is stored.
 */

type Fields = { keys: readonly string[]; required: readonly string[] };

const fieldsOf = (schema: { shape: Record<string, { safeParse(value: unknown): { success: boolean } }> }): Fields => ({
  keys: Object.keys(schema.shape),
  // Required: neither optional (view-only fields) nor nullable (set to null by the creating event).
  required: Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success && !field.safeParse(null).success)
    .map(([key]) => key),
});

const ORDER_VIEW_DERIVED = new Set(['stage', 'dispatch', 'delivery']);
const FIELDS = {
  orders: fieldsOf(VIEWS.orders),
  dispatches: fieldsOf(VIEWS.dispatches),
  deliveries: fieldsOf(VIEWS.deliveries),
  orderPart: (() => {
    const all = fieldsOf(VIEWS.orders);
    return { keys: all.keys.filter((k) => !ORDER_VIEW_DERIVED.has(k)), required: all.required.filter((k) => !ORDER_VIEW_DERIVED.has(k)) };
  })(),
  dispatchSummary: fieldsOf(OrderDispatchSummary),
  deliverySummary: fieldsOf(OrderDeliverySummary),
};

/** A stored value as JSON: dates become ISO strings (nested too), undefined becomes null. */
function jsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = jsonValue(inner);
    return out;
  }
  return value;
}

/** The view of a stored record, or undefined while a required field is missing. */
function renderFields(fields: Fields, idField: string, id: string, stored: object): Record<string, unknown> | undefined {
  const source = stored as Record<string, unknown>;
  for (const key of fields.required) if (key !== idField && source[key] === undefined) return undefined;
  const view: Record<string, unknown> = {};
  for (const key of fields.keys) view[key] = key === idField ? id : jsonValue(source[key]);
  return view;
}

const time = (date: Date | null | undefined) => (date ? date.getTime() : Number.NEGATIVE_INFINITY);

type Candidate = { status?: unknown; updatedAt?: Date; version?: number; createdAt?: Date | null };

/**
 * The current one of an order's dispatches or deliveries: highest rank, then the latest
 * created (or changed, if its creating event is missing), then the id — a total order, so
 * the choice never depends on the order events arrived in. Parts without a status yet are
 * not candidates.
 */
function current<P extends Candidate>(parts: Record<string, P> = {}, rank: (part: P) => number): [string, P] | undefined {
  const candidates = Object.entries(parts).filter(([, p]) => p.status !== undefined && p.updatedAt !== undefined && p.version !== undefined);
  candidates.sort(
    ([ia, a], [ib, b]) => rank(b) - rank(a) || time(b.createdAt ?? b.updatedAt) - time(a.createdAt ?? a.updatedAt) || (ia < ib ? 1 : -1),
  );
  return candidates[0];
}

/** The furthest along first; a cancelled delivery is current only when the order has no other. */
const DELIVERY_RANK: Record<string, number> = { CANCELLED: 0, READY: 1, PICKED_UP: 2, DELIVERED: 3 } satisfies Record<DeliveryStatus, number>;

/** A summary shows whatever of the part is stored: its creating event may not have arrived. */
function summary(fields: Fields, idField: string, found: [string, object] | undefined): Record<string, unknown> | null {
  if (!found) return null;
  const [id, part] = found;
  return renderFields({ keys: fields.keys, required: [] }, idField, id, part) ?? null;
}

export function renderOrderView(doc: OrderDocument): Versioned<OrderView> | undefined {
  const order = doc.order;
  if (!order) return undefined;
  const base = renderFields(FIELDS.orderPart, 'orderId', doc._id, order) as Omit<OrderView, 'stage' | 'dispatch' | 'delivery'> | undefined;
  if (!base) return undefined;
  const parts = [order, ...Object.values(doc.dispatches ?? {}), ...Object.values(doc.deliveries ?? {})];
  // The cache version: every part's version summed grows with each applied event and is
  // equal for two states of one document only if they are the same state.
  let viewVersion = 0;
  let updatedAt = order.updatedAt;
  for (const part of parts) {
    viewVersion += part.version ?? 0;
    if (part.updatedAt && (!updatedAt || part.updatedAt > updatedAt)) updatedAt = part.updatedAt;
  }
  const dispatch = current<Partial<DispatchPart>>(doc.dispatches, (p) => (p.status === 'CANCELLED' ? 0 : 1));
  const delivery = current<Partial<DeliveryPart>>(doc.deliveries, (p) => DELIVERY_RANK[p.status ?? ''] ?? 0);
  return {
    version: viewVersion,
    view: {
      ...base,
      stage: deriveStage(doc) ?? 'PLACED',
      dispatch: summary(FIELDS.dispatchSummary, 'dispatchId', dispatch) as OrderView['dispatch'],
      delivery: summary(FIELDS.deliverySummary, 'deliveryId', delivery) as OrderView['delivery'],
      updatedAt: (updatedAt ?? new Date(0)).toISOString(),
    },
  };
}

const renderOwnDocument =
  <V extends 'dispatches' | 'deliveries'>(view: V) =>
  (doc: Partial<ViewDocuments[V]> & { _id: string }): Versioned<Views[V]> | undefined => {
    const rendered = renderFields(FIELDS[view], VIEW_ID_FIELDS[view], doc._id, doc) as Views[V] | undefined;
    return rendered && { version: rendered.version, view: rendered };
  };

export const renderDispatchView = renderOwnDocument('dispatches');
export const renderDeliveryView = renderOwnDocument('deliveries');

const RENDERERS: { [V in ViewName]: (doc: ViewDocuments[V]) => Versioned<Views[V]> | undefined } = {
  orders: renderOrderView,
  dispatches: renderDispatchView,
  deliveries: renderDeliveryView,
};

/** Renders a stored document of any view; undefined while it is not visible yet. */
export function renderView<V extends ViewName>(view: V, doc: ViewDocuments[V]): Versioned<Views[V]> | undefined {
  return RENDERERS[view](doc);
}

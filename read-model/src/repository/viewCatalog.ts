import type { Collection, Db } from 'mongodb';
import type { DeliveryDocument, DispatchDocument, OrderDocument, ViewDocument, ViewName } from '../handler/index.ts';

/**
 * The views live in a *generation* of collections (`orders_gen3`, `dispatches_gen3`,
 * `deliveries_gen3`); one document in `read_model_meta` names the active generation. A
 * rebuild fills the next generation and then moves the pointer (docs/decisions/
 * read-model-rebuild-swap.md), so readers and the live consumer switch within one refresh.
 */
export const META_COLLECTION = 'read_model_meta';
export const ACTIVE_GENERATION_ID = 'active-generation';
export const CACHE_FENCE_ID = 'cache-fence';
export const FIRST_GENERATION = 1;

export interface MetaDocument {
  _id: string;
  generation?: number;
  switchedAt?: Date;
  /** Instances whose Redis writes failed and whose possibly stale entries are not purged yet. */
  pending?: string[];
}

export interface ViewCollections {
  generation: number;
  orders: Collection<OrderDocument>;
  dispatches: Collection<DispatchDocument>;
  deliveries: Collection<DeliveryDocument>;
}

export type { ViewDocument };

export const collectionName = (view: ViewName, generation: number) => `${view}_gen${generation}`;

export function viewCollections(db: Db, generation: number): ViewCollections {
  return {
    generation,
    orders: db.collection<OrderDocument>(collectionName('orders', generation)),
    dispatches: db.collection<DispatchDocument>(collectionName('dispatches', generation)),
    deliveries: db.collection<DeliveryDocument>(collectionName('deliveries', generation)),
  };
}

export const metaCollection = (db: Db) => db.collection<MetaDocument>(META_COLLECTION);

/** Creates the generation pointer on first use; returns the active generation. */
export async function ensureActiveGeneration(db: Db): Promise<number> {
  const doc = await metaCollection(db).findOneAndUpdate(
    { _id: ACTIVE_GENERATION_ID },
    { $setOnInsert: { generation: FIRST_GENERATION, switchedAt: new Date() } },
    { upsert: true, returnDocument: 'after' },
  );
  return doc?.generation ?? FIRST_GENERATION;
}

/** Moves the pointer from `from` to `to`; false if someone else moved it first. */
export async function switchActiveGeneration(db: Db, from: number, to: number): Promise<boolean> {
  const result = await metaCollection(db).updateOne(
    { _id: ACTIVE_GENERATION_ID, generation: from },
    { $set: { generation: to, switchedAt: new Date() } },
  );
  return result.modifiedCount === 1;
}

/**
 * The list query's indexes (newest first, optionally by customer and/or stage) plus the
 * joins' foreign keys. Real MongoDB uses them; the local stand-in accepts and ignores them.
 */
export async function ensureIndexes(views: ViewCollections): Promise<void> {
  await Promise.all([
    views.orders.createIndexes([
      { key: { 'order.customerId': 1, 'order.createdAt': -1, _id: -1 }, name: 'by_customer' },
      { key: { 'order.customerId': 1, stage: 1, 'order.createdAt': -1, _id: -1 }, name: 'by_customer_stage' },
      { key: { stage: 1, 'order.createdAt': -1, _id: -1 }, name: 'by_stage' },
      { key: { 'order.createdAt': -1, _id: -1 }, name: 'by_created' },
    ]),
    views.dispatches.createIndexes([{ key: { orderId: 1 }, name: 'by_order' }]),
    views.deliveries.createIndexes([
      { key: { orderId: 1 }, name: 'by_order' },
      { key: { dispatchId: 1 }, name: 'by_dispatch' },
    ]),
  ]);
}

/** Drops every view collection of generations other than `keep` (after a rebuild's grace period). */
export async function dropOtherGenerations(db: Db, keep: number): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const stale = names.filter((name) => {
    const match = /^(orders|dispatches|deliveries)_gen(\d+)$/.exec(name);
    return match !== null && Number(match[2]) !== keep;
  });
  for (const name of stale) await db.dropCollection(name);
  return stale;
}

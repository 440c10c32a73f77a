import {
  BSON,
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type Filter,
  type UpdateFilter,
  type WriteError,
} from 'mongodb';
import type { OrderDocument, PartWrite, StageUpdate, ViewName } from '../handler/index.ts';
import type { ViewCollections, ViewDocument } from './viewCatalog.ts';

/** MongoDB's duplicate-key code: on a guarded upsert it means "the stored part is newer". */
export const DUPLICATE_KEY = 11000;

export interface FailedWrite {
  write: PartWrite;
  reason: string;
}

export interface WriteOutcome {
  /** Writes that changed their part on the first attempt (their events' latency is observed). */
  applied: PartWrite[];
  /** Of those, the writes that created their document (what it holds is then known: `insertedDocument`). */
  inserted: PartWrite[];
  /** Writes applied on the E11000 re-check (another writer created the document first). */
  appliedOnRecheck: number;
  /** Writes skipped because the stored part was as new or newer (duplicates, replays). */
  stale: number;
  /** Writes MongoDB refused for a reason other than staleness (their events go to the DLT). */
  failed: FailedWrite[];
}

/**
 * The guarded upsert of one part. `$not: {$gte}` (rather than `$lt`) also matches a missing
 * part: a document created by another source's event must still take this part. Nothing
 * else is insert-only (a document may be created by any of its sources, so insert-only
 * fields would never be written when another source came first) except the order view's
 * stage (`stageOnInsert`), which the derive step recomputes after every write anyway.
 */
interface AnyView extends Document {
  _id: string;
}

function guardedUpsert(write: PartWrite, upsert: boolean): { filter: Filter<AnyView>; update: UpdateFilter<AnyView>; upsert: boolean } {
  const prefix = write.part === '' ? '' : `${write.part}.`;
  const set = Object.fromEntries(Object.entries(write.set).map(([field, value]) => [prefix + field, value]));
  return {
    // Only over a part older than every folded event: `applied` then counts each event once.
    filter: { _id: write.id, [`${prefix}version`]: { $not: { $gte: write.firstVersion } } },
    update: {
      $set: set,
      $inc: { [`${prefix}applied`]: write.events.length, ...(write.countRevision ? { rev: 1 } : {}) },
      ...(write.stageOnInsert === undefined ? {} : { $setOnInsert: { stage: write.stageOnInsert } }),
    },
    upsert,
  };
}

/**
 * The document an upsert of `write` creates: `_id`, then its `$set`, `$inc` (from 0) and
 * `$setOnInsert` paths, through a BSON round trip so that the values are what MongoDB gives
 * back (Dates, nulls for undefined). Read from `guardedUpsert` itself: one definition of the
 * write. The projector uses it instead of reading a document back that it has just created.
 */
export function insertedDocument(write: PartWrite): Document & { _id: string } {
  const { update } = guardedUpsert(write, true);
  const doc: Record<string, unknown> = { _id: write.id };
  for (const paths of [update.$set, update.$inc, update.$setOnInsert] as (Record<string, unknown> | undefined)[]) {
    for (const [path, value] of Object.entries(paths ?? {})) {
      const segments = path.split('.');
      let node = doc;
      for (const segment of segments.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, unknown>;
      node[segments.at(-1) as string] = value;
    }
  }
  return BSON.deserialize(BSON.serialize(doc)) as Document & { _id: string };
}

interface BulkResult {
  okIndexes: number[];
  /** Operations that inserted their document (upserts that matched none). */
  upsertedIndexes: number[];
  errors: { index: number; code: number; message: string }[];
  matched: number;
}

/** One unordered bulk write; separates per-operation errors from a store that is down. */
async function unorderedBulk(collection: Collection<AnyView>, ops: AnyBulkWriteOperation<AnyView>[]): Promise<BulkResult> {
  try {
    const result = await collection.bulkWrite(ops, { ordered: false });
    return { okIndexes: ops.map((_, i) => i), upsertedIndexes: upsertedIndexes(result.upsertedIds), errors: [], matched: result.matchedCount + result.upsertedCount };
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError) || error.writeConcernError) throw error;
    const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
    if (writeErrors.length === 0) throw error;
    const errors = writeErrors.map((e) => ({ index: e.index, code: e.code, message: e.errmsg ?? 'write error' }));
    const failed = new Set(errors.map((e) => e.index));
    return {
      okIndexes: ops.map((_, i) => i).filter((i) => !failed.has(i)),
      upsertedIndexes: upsertedIndexes(error.result.upsertedIds),
      errors,
      matched: error.result.matchedCount + error.result.upsertedCount,
    };
  }
}

const upsertedIndexes = (ids: Record<number, unknown> | undefined): number[] => Object.keys(ids ?? {}).map(Number);

const toOps = (writes: PartWrite[], upsert: boolean): AnyBulkWriteOperation<AnyView>[] =>
  writes.map((w) => ({ updateOne: guardedUpsert(w, upsert) }));

/**
 * The views' durable copy. Write side: one unordered bulk write of guarded upserts per
 * collection and batch, then the order views' derived fields. Read side: by ids (one `$in`)
 * and the keyset-paginated list. Errors other than per-operation write errors mean the
 * store is unavailable and are thrown.
 */
export class ViewStore {
  async applyWrites(views: ViewCollections, writes: readonly PartWrite[], attempts = 3): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { applied: [], inserted: [], appliedOnRecheck: 0, stale: 0, failed: [] };
    const byView = Map.groupBy(writes, (w) => w.view);
    await Promise.all(
      [...byView].map(async ([view, group]) => {
        const collection = views[view] as unknown as Collection<AnyView>;
        let pending = group;
        let first = true;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const result = await unorderedBulk(collection, toOps(pending, true));
          if (first) {
            outcome.applied.push(...result.okIndexes.map((i) => pending[i] as PartWrite));
            outcome.inserted.push(...result.upsertedIndexes.map((i) => pending[i] as PartWrite));
          }
          else outcome.appliedOnRecheck += result.okIndexes.length;
          first = false;
          // E11000: the document exists. Stale, or another writer inserted it first (an
          // upsert race): one re-check as a plain guarded update tells which.
          const duplicates = result.errors.filter((e) => e.code === DUPLICATE_KEY).map((e) => pending[e.index] as PartWrite);
          if (duplicates.length > 0) {
            const recheck = await unorderedBulk(collection, toOps(duplicates, false));
            outcome.appliedOnRecheck += recheck.matched;
            outcome.stale += duplicates.length - recheck.matched;
            outcome.failed.push(...recheck.errors.map((e) => ({ write: duplicates[e.index] as PartWrite, reason: e.message })));
          }
          const others = result.errors.filter((e) => e.code !== DUPLICATE_KEY);
          if (attempt >= attempts) {
            outcome.failed.push(...others.map((e) => ({ write: pending[e.index] as PartWrite, reason: `${view}: ${e.message} (code ${e.code})` })));
            break;
          }
          pending = others.map((e) => pending[e.index] as PartWrite);
        }
      }),
    );
    return outcome;
  }

  /**
   * Writes derived stages, each only while the document's `rev` is the one it was derived
   * from (a write that lost a race to a newer part write is dropped; that writer derives again).
   */
  async writeStages(views: ViewCollections, updates: readonly StageUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await views.orders.bulkWrite(
      updates.map(({ id, rev, stage }) => ({ updateOne: { filter: { _id: id, rev }, update: { $set: { stage } } } })),
      { ordered: false },
    );
  }

  async findByIds<V extends ViewName>(
    views: ViewCollections,
    view: V,
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<ViewDocument<V>[]> {
    if (ids.length === 0) return [];
    const collection = views[view] as unknown as Collection<AnyView>;
    const cursor = collection.find({ _id: { $in: [...ids] } }, signal ? { signal } : {});
    return (await cursor.toArray()) as unknown as ViewDocument<V>[];
  }

  /** Newest first by creation time, then id (a total order, so pages never skip or repeat). */
  async listOrders(views: ViewCollections, query: OrderListQuery, signal?: AbortSignal): Promise<OrderDocument[]> {
    const filter: Filter<OrderDocument> = {
      ...(query.customerId === undefined ? {} : { 'order.customerId': query.customerId }),
      // Only documents with a stage: an order view is listed once its OrderPlaced is projected.
      stage: { $in: [...query.stages] },
      ...(query.after === undefined
        ? {}
        : {
            $or: [
              { 'order.createdAt': { $lt: query.after.createdAt } },
              { 'order.createdAt': query.after.createdAt, _id: { $lt: query.after.orderId } },
            ],
          }),
    };
    return views.orders
      .find(filter, signal ? { signal } : {})
      .sort({ 'order.createdAt': -1, _id: -1 })
      .limit(query.limit)
      .toArray();
  }
}

export interface OrderListQuery {
  customerId?: string;
  /** The stages to list. */
  stages: readonly NonNullable<OrderDocument['stage']>[];
  limit: number;
  after?: { createdAt: Date; orderId: string };
}

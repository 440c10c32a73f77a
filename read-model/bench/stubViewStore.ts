import type { OrderDocument, PartWrite, StageUpdate, ViewName } from '../src/handler/index.ts';
import { ViewStore, type OrderListQuery, type ViewCollections, type ViewDocument, type WriteOutcome } from '../src/repository/index.ts';

type Doc = Record<string, unknown> & { _id: string };

/**
 * BENCHMARK ONLY: the view store with MongoDB taken out. Same guarded-patch semantics, kept
 * in memory, so that a projection run measures the service's own share (Kafka fetch,
 * decoding, validation, folding, Redis pipeline) without the local MongoDB stand-in.
 */
export class StubViewStore extends ViewStore {
  readonly #docs = new Map<ViewName, Map<string, Doc>>([
    ['orders', new Map()],
    ['dispatches', new Map()],
    ['deliveries', new Map()],
  ]);

  override applyWrites(_views: ViewCollections, writes: readonly PartWrite[]): Promise<WriteOutcome> {
    // Nothing counts as inserted: the projector reads every document back from this stub.
    const outcome: WriteOutcome = { applied: [], inserted: [], appliedOnRecheck: 0, stale: 0, failed: [] };
    for (const write of writes) {
      const docs = this.#docs.get(write.view)!;
      const doc = docs.get(write.id) ?? { _id: write.id };
      docs.set(write.id, doc);
      let part: Record<string, unknown> = doc;
      if (write.part !== '') for (const segment of write.part.split('.')) part = (part[segment] ??= {}) as Record<string, unknown>;
      if (((part['version'] as number | undefined) ?? 0) >= write.firstVersion) {
        outcome.stale++;
        continue;
      }
      Object.assign(part, write.set);
      part['applied'] = ((part['applied'] as number | undefined) ?? 0) + write.events.length;
      if (write.countRevision) doc['rev'] = ((doc['rev'] as number | undefined) ?? 0) + 1;
      outcome.applied.push(write);
    }
    return Promise.resolve(outcome);
  }

  override writeStages(_views: ViewCollections, updates: readonly StageUpdate[]): Promise<void> {
    for (const { id, rev, stage } of updates) {
      const doc = this.#docs.get('orders')!.get(id);
      if (doc && doc['rev'] === rev) doc['stage'] = stage;
    }
    return Promise.resolve();
  }

  override findByIds<V extends ViewName>(_views: ViewCollections, view: V, ids: readonly string[]): Promise<ViewDocument<V>[]> {
    return Promise.resolve(ids.flatMap((id) => (this.#docs.get(view)!.get(id) as ViewDocument<V> | undefined) ?? []));
  }

  override listOrders(_views: ViewCollections, _query: OrderListQuery): Promise<OrderDocument[]> {
    return Promise.resolve([]);
  }
}

import type { OrderDocument, PartWrite, ViewName } from '../src/handler/index.ts';
import { ViewStore, type ViewCollections, type ViewDocument, type WriteOutcome } from '../src/repository/index.ts';

/** BENCHMARK ONLY: the real store, timing every MongoDB round trip of the write path. */
export class TimedViewStore extends ViewStore {
  mongoMs = 0;
  calls = 0;

  async #timed<T>(work: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work;
    } finally {
      this.mongoMs += performance.now() - started;
      this.calls++;
    }
  }

  override applyWrites(views: ViewCollections, writes: readonly PartWrite[]): Promise<WriteOutcome> {
    return this.#timed(super.applyWrites(views, writes));
  }
  override deriveOrders(views: ViewCollections, orderIds: readonly string[]): Promise<OrderDocument[]> {
    return this.#timed(super.deriveOrders(views, orderIds));
  }
  override findByIds<V extends ViewName>(views: ViewCollections, view: V, ids: readonly string[], signal?: AbortSignal): Promise<ViewDocument<V>[]> {
    return this.#timed(super.findByIds(views, view, ids, signal));
  }
}

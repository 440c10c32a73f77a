import type { PartWrite, StageUpdate, ViewName } from '../src/handler/index.ts';
import { ViewStore, type ViewCollections, type ViewDocument, type WriteOutcome } from '../src/repository/index.ts';

/**
 * BENCHMARK ONLY: the real store, recording how long at least one MongoDB call of the write
 * path was in flight (the union of their intervals, so parallel calls count once).
 */
export class TimedViewStore extends ViewStore {
  busyMs = 0;
  #inFlight = 0;
  #busySince = 0;

  async #timed<T>(work: Promise<T>): Promise<T> {
    if (this.#inFlight++ === 0) this.#busySince = performance.now();
    try {
      return await work;
    } finally {
      if (--this.#inFlight === 0) this.busyMs += performance.now() - this.#busySince;
    }
  }

  override applyWrites(views: ViewCollections, writes: readonly PartWrite[]): Promise<WriteOutcome> {
    return this.#timed(super.applyWrites(views, writes));
  }
  override writeStages(views: ViewCollections, updates: readonly StageUpdate[]): Promise<void> {
    return this.#timed(super.writeStages(views, updates));
  }
  override findByIds<V extends ViewName>(views: ViewCollections, view: V, ids: readonly string[], signal?: AbortSignal): Promise<ViewDocument<V>[]> {
    return this.#timed(super.findByIds(views, view, ids, signal));
  }
}

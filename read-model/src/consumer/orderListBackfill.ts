import type { Db } from 'mongodb';
import type { Logger } from '@delivery/runtime-kit';
import { orderListing, type OrderListing } from '../handler/index.ts';
import { viewCollections, type CacheFence, type MetaWatcher, type OrderListIndex } from '../repository/index.ts';

const CHUNK = 500;

export interface OrderListBackfillDeps {
  db: Db;
  watcher: MetaWatcher;
  fence: CacheFence;
  index: OrderListIndex;
  logger: Logger;
  /** How often to check that the index is complete. */
  intervalMs: number;
}

/**
 * Completes the order list index (repository/orderListIndex.ts) whenever it is not: at the
 * first start, after a Redis restart or a fence purge, and for a new generation. One scan of
 * the active generation's order documents, written in chunks; the index then answers list
 * reads without touching MongoDB. Runs beside the projection, which keeps the index current
 * from then on (and also writes while a backfill runs, so nothing is missed).
 */
export class OrderListBackfill {
  readonly #deps: OrderListBackfillDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: OrderListBackfillDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#check()
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'order list backfill failed; lists read MongoDB meanwhile'))
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#deps.intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const { db, watcher, fence, index, logger } = this.#deps;
    const generation = watcher.generation();
    if (generation === undefined || !fence.isOpen() || (await index.isComplete(generation))) return;
    const started = Date.now();
    let orders = 0;
    const stopped = () => this.#stopped;
    async function* listings(): AsyncGenerator<OrderListing[]> {
      const cursor = viewCollections(db, generation as number).orders.find({ stage: { $exists: true } }).batchSize(CHUNK);
      let chunk: OrderListing[] = [];
      for await (const doc of cursor) {
        if (stopped()) break;
        const listing = orderListing(doc);
        if (listing) chunk.push(listing);
        if (chunk.length === CHUNK) {
          orders += chunk.length;
          yield chunk;
          chunk = [];
        }
      }
      orders += chunk.length;
      if (chunk.length > 0) yield chunk;
    }
    const complete = await index.backfill(generation, listings());
    if (this.#stopped) return;
    logger.info({ generation, orders, complete, ms: Date.now() - started }, complete ? 'order list index complete' : 'order list index changed during the backfill; will run again');
  }
}

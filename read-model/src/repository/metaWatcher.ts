import type { Db } from 'mongodb';
import type { Logger } from '@delivery/runtime-kit';
import { ACTIVE_GENERATION_ID, CACHE_FENCE_ID, FIRST_GENERATION, metaCollection } from './viewCatalog.ts';

/**
 * Keeps the active generation and the cache fence in memory, re-read every `refreshMs`.
 * Until the first successful read the generation is unknown: the cache is not used then
 * (its keys are per generation) and reads go to MongoDB or the fallback.
 */
export class MetaWatcher {
  #generation: number | undefined;
  #fencePending: string[] = [];
  #refreshedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #db: Db;
  readonly #refreshMs: number;
  readonly #logger: Logger;

  constructor(db: Db, refreshMs: number, logger: Logger) {
    this.#db = db;
    this.#refreshMs = refreshMs;
    this.#logger = logger;
  }

  start(): void {
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(tick, this.#refreshMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async refresh(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      this.#logger.debug({ err: error }, 'read-model meta refresh failed');
    }
  }

  /** The active generation, read now if it was never read; rejects while MongoDB is unreachable. */
  async generationOrLoad(signal?: AbortSignal): Promise<number> {
    if (this.#generation !== undefined) return this.#generation;
    await this.load(signal);
    return this.generation() ?? FIRST_GENERATION;
  }

  async load(signal?: AbortSignal): Promise<void> {
    const docs = await metaCollection(this.#db)
      .find({ _id: { $in: [ACTIVE_GENERATION_ID, CACHE_FENCE_ID] } }, { signal: signal ?? AbortSignal.timeout(Math.max(500, this.#refreshMs)) })
      .toArray();
    const generation = docs.find((d) => d._id === ACTIVE_GENERATION_ID)?.generation ?? FIRST_GENERATION;
    this.#fencePending = docs.find((d) => d._id === CACHE_FENCE_ID)?.pending ?? [];
    this.#refreshedAt = Date.now();
    if (generation !== this.#generation) {
      if (this.#generation !== undefined) this.#logger.info({ from: this.#generation, to: generation }, 'active view generation changed');
      this.#generation = generation;
    }
  }

  generation(): number | undefined {
    return this.#generation;
  }

  /** Instances that left possibly stale cache entries behind (see cacheFence.ts). */
  fencePending(): readonly string[] {
    return this.#fencePending;
  }

  refreshedAt(): number {
    return this.#refreshedAt;
  }
}

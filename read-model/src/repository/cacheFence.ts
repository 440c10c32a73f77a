import type { Db } from 'mongodb';
import type { Logger } from '@delivery/runtime-kit';
import { CACHE_FENCE_ID, metaCollection } from './viewCatalog.ts';
import type { MetaWatcher } from './metaWatcher.ts';
import type { ViewCache } from './viewCache.ts';

const MAX_TRACKED_KEYS = 50_000;

/**
 * Keeps Redis from serving entries that may be stale after an outage.
 *
 * Consumer side: when a batch's cache writes fail, MongoDB already holds the newer views and
 * Redis may still hold older copies. Their keys are remembered (beyond MAX_TRACKED_KEYS the
 * whole prefix is purged instead) and this instance is listed in the `cache-fence` meta
 * document. Once Redis answers again the keys are unlinked, then the instance leaves the
 * fence. An instance that starts and finds the fence occupied (someone died while fenced)
 * purges the whole prefix and clears it.
 *
 * Read side: the cache is used only while it is ready, no local purge is pending, no
 * instance is listed in the fence, and the fence was re-read after Redis last came back or
 * failed (so a reader never trusts Redis before it could learn about a fence).
 */
export class CacheFence {
  readonly #dirty = new Set<string>();
  #overflow = false;
  #fenced = false;
  #purging: Promise<void> | undefined;
  /** Fence updates apply in the order they were decided. */
  #fenceOps: Promise<unknown> = Promise.resolve();
  #retry: NodeJS.Timeout | undefined;
  #redisChangedAt = Date.now();
  readonly #db: Db;
  readonly #cache: ViewCache;
  readonly #watcher: MetaWatcher;
  readonly #instanceId: string;
  readonly #logger: Logger;
  readonly #onPurge: (keys: number) => void;

  constructor(deps: { db: Db; cache: ViewCache; watcher: MetaWatcher; instanceId: string; logger: Logger; onPurge: (keys: number) => void }) {
    this.#db = deps.db;
    this.#cache = deps.cache;
    this.#watcher = deps.watcher;
    this.#instanceId = deps.instanceId;
    this.#logger = deps.logger;
    this.#onPurge = deps.onPurge;
    deps.cache.client.on('ready', () => {
      this.#redisChangedAt = Date.now();
      if (this.needsPurge()) void this.purge().catch(() => undefined);
    });
    deps.cache.client.on('close', () => (this.#redisChangedAt = Date.now()));
  }

  /** Read side: whether Redis may answer reads now. */
  isOpen(): boolean {
    return (
      this.#cache.isReady() &&
      this.#dirty.size === 0 &&
      !this.#overflow &&
      this.#watcher.generation() !== undefined &&
      this.#watcher.fencePending().length === 0 &&
      this.#watcher.refreshedAt() > this.#redisChangedAt
    );
  }

  /** A read or refill failed: stop trusting Redis until the fence is re-read. */
  noteReadFailure(): void {
    this.#redisChangedAt = Date.now();
  }

  /** Consumer side: these keys may now hold stale copies. */
  markDirty(keys: readonly string[]): void {
    this.#scheduleRetry();
    if (!this.#overflow) {
      for (const key of keys) this.#dirty.add(key);
      if (this.#dirty.size > MAX_TRACKED_KEYS) {
        this.#overflow = true;
        this.#dirty.clear();
      }
    }
    if (!this.#fenced) {
      this.#fenced = true;
      void this.#updateFence(async () => {
        try {
          await metaCollection(this.#db).updateOne({ _id: CACHE_FENCE_ID }, { $addToSet: { pending: this.#instanceId } }, { upsert: true });
        } catch (error) {
          this.#fenced = false;
          this.#logger.warn({ err: error }, 'could not record the cache fence; will retry with the next batch');
        }
      });
    }
  }

  #updateFence(op: () => Promise<void>): Promise<void> {
    const next = this.#fenceOps.then(op);
    this.#fenceOps = next.catch(() => undefined);
    return next;
  }

  /**
   * A failed write does not always come with a reconnect (a command timeout, say): retry the
   * purge every second while something is pending, even if no batch arrives.
   */
  #scheduleRetry(): void {
    if (this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.needsPurge()) return;
      const attempt = this.#cache.isReady() ? this.purge() : Promise.reject(new Error('redis not ready'));
      attempt.catch(() => undefined).finally(() => {
        if (this.needsPurge()) this.#scheduleRetry();
      });
    }, 1000).unref();
  }

  close(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  hasPendingPurge(): boolean {
    return this.#dirty.size > 0 || this.#overflow;
  }

  /** Something to unlink, or a fence entry of ours still to remove. */
  needsPurge(): boolean {
    return this.hasPendingPurge() || this.#fenced;
  }

  /** Unlinks the possibly stale entries, then leaves the fence. Safe to call concurrently. */
  purge(): Promise<void> {
    this.#purging ??= this.#purgeOnce().finally(() => (this.#purging = undefined));
    return this.#purging;
  }

  async #purgeOnce(): Promise<void> {
    if (this.hasPendingPurge()) {
      const keys = [...this.#dirty];
      let dropped: number;
      if (this.#overflow) {
        dropped = await this.#cache.purgeAll();
      } else {
        await this.#cache.unlink(keys);
        dropped = keys.length;
      }
      for (const key of keys) this.#dirty.delete(key);
      this.#overflow = false;
      this.#onPurge(dropped);
      this.#logger.info({ dropped }, 'dropped possibly stale cache entries after a Redis outage');
    }
    // Keys marked while unlinking keep the fence up for the next purge.
    if (this.hasPendingPurge() || !this.#fenced) return;
    this.#fenced = false;
    await this.#updateFence(async () => {
      try {
        await metaCollection(this.#db).updateOne({ _id: CACHE_FENCE_ID }, { $pull: { pending: this.#instanceId } });
      } catch (error) {
        this.#fenced = true;
        throw error;
      }
    });
  }

  /** At consumer start: a fence left by an instance that died while fenced is cleared by a full purge. */
  async clearOrphanedFence(): Promise<void> {
    const fence = await metaCollection(this.#db).findOne({ _id: CACHE_FENCE_ID });
    const orphans = (fence?.pending ?? []).filter((id) => id !== this.#instanceId);
    if (orphans.length === 0) return;
    const dropped = await this.#cache.purgeAll();
    await metaCollection(this.#db).updateOne({ _id: CACHE_FENCE_ID }, { $pull: { pending: { $in: orphans } } });
    this.#onPurge(dropped);
    this.#logger.warn({ orphans, dropped }, 'cleared a cache fence left behind by another instance');
  }
}

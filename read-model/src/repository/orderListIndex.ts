import type { Redis } from 'ioredis';
import type { OrderListing } from '../handler/index.ts';
import type { ViewCache } from './viewCache.ts';

/**
 * The order list's orderings kept in Redis beside the cached views, so that a page read is
 * one range over a sorted set instead of a MongoDB query: the MongoDB stand-in used in
 * development scans and sorts every document for each page (real MongoDB would use the
 * list's indexes; docs/benchmarks.md has the figures). Four sets per order, under the
 * generation's key prefix: every listed order, by stage, by customer, by customer and stage.
 *
 * Members sort newest first, then by id descending — the order MongoDB's list query uses,
 * so a cursor means the same in both: all scores are 0 and a member is
 * `<inverted createdAt millis>:<inverted id>`, read with ZRANGE BYLEX.
 *
 * Writes go with the views' cache writes (same pipeline, same fence): one Lua call per order,
 * applied only if the order view's version is newer than the one the index holds, so a late
 * write never moves an order back to an older stage. The index is trusted only once it is
 * complete: a backfill from MongoDB sets the `complete` marker, and the cache fence unlinks
 * the marker (with the backfill's epoch) whenever a write may have been lost. An entry left
 * behind by a backfill that raced a newer write is filtered out by the reader, which checks
 * each listed view; an entry is never missing, because every projected change writes it.
 *
 * Needs a Redis that does not evict these keys (noeviction, or a volatile-* policy: they
 * carry no TTL while the views do).
 */
const LIST_IF_NEWER = `
local stored = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
if stored and stored >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 6, #KEYS do redis.call('ZREM', KEYS[i], ARGV[3]) end
for i = 2, 5 do redis.call('ZADD', KEYS[i], 0, ARGV[3]) end
return 1
`;

/** Sets the marker only if no fence purge (or newer backfill) changed the epoch meanwhile. */
const COMPLETE_IF_EPOCH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

interface ListCommands {
  listIfNewer(...keysAndArgs: (string | number)[]): unknown;
  completeIfEpoch(epochKey: string, completeKey: string, epoch: string): Promise<number>;
}

export interface ListFilter {
  customerId?: string;
  stage?: string;
}

const MAX_MILLIS = 9_999_999_999_999;
const invertHex = (id: string) => id.replace(/[0-9a-f]/g, (c) => (15 - parseInt(c, 16)).toString(16));

export function listMember(createdAt: Date, orderId: string): string {
  return `${String(MAX_MILLIS - createdAt.getTime()).padStart(13, '0')}:${invertHex(orderId)}`;
}

/** A member's position: the order's creation time and id (what a cursor holds). */
export function listPosition(member: string): { createdAt: Date; orderId: string } {
  const sep = member.indexOf(':');
  return { createdAt: new Date(MAX_MILLIS - Number(member.slice(0, sep))), orderId: invertHex(member.slice(sep + 1)) };
}

export class OrderListIndex {
  readonly #client: Redis & ListCommands;
  readonly #prefix: string;
  readonly #stages: readonly string[];

  constructor(cache: ViewCache, stages: readonly string[]) {
    this.#client = cache.client as unknown as Redis & ListCommands;
    this.#prefix = cache.keyPrefix;
    this.#stages = stages;
    this.#client.defineCommand('listIfNewer', { lua: LIST_IF_NEWER });
    this.#client.defineCommand('completeIfEpoch', { numberOfKeys: 2, lua: COMPLETE_IF_EPOCH });
  }

  #key(generation: number, name: string): string {
    return `${this.#prefix}gen${generation}:order-list:${name}`;
  }

  setKey(generation: number, { customerId, stage }: ListFilter): string {
    const customer = customerId === undefined ? '' : `customer:${customerId}:`;
    return this.#key(generation, `${customer}${stage === undefined ? 'all' : `stage:${stage}`}`);
  }

  /** The keys whose loss makes the index incomplete: the fence unlinks them with the views' keys. */
  completenessKeys(generation: number): string[] {
    return [this.#key(generation, 'complete'), this.#key(generation, 'epoch')];
  }

  /** Adds each order's membership writes to a pipeline (the views' cache pipeline); returns how many commands. */
  addWrites(pipeline: ReturnType<Redis['pipeline']>, generation: number, listings: readonly OrderListing[]): number {
    for (const listing of listings) {
      const { customerId, stage } = listing;
      const current = [this.setKey(generation, {}), this.setKey(generation, { customerId }), this.setKey(generation, { stage }), this.setKey(generation, { customerId, stage })];
      const others = this.#stages.filter((s) => s !== stage).flatMap((s) => [this.setKey(generation, { stage: s }), this.setKey(generation, { customerId, stage: s })]);
      const keys = [this.#key(generation, 'versions'), ...current, ...others];
      void (pipeline as unknown as ListCommands).listIfNewer(keys.length, ...keys, listing.orderId, listing.version, listMember(listing.createdAt, listing.orderId));
    }
    return listings.length;
  }

  /**
   * Up to `count` positions of a list (creation time and order id), after the cursor's;
   * undefined while the index is not complete (the caller reads MongoDB instead).
   */
  async page(
    generation: number,
    filter: ListFilter,
    after: { createdAt: Date; orderId: string } | undefined,
    count: number,
  ): Promise<{ createdAt: Date; orderId: string }[] | undefined> {
    const start = after === undefined ? '-' : `(${listMember(after.createdAt, after.orderId)}`;
    const results = await this.#client
      .pipeline()
      .exists(this.#key(generation, 'complete'))
      .zrange(this.setKey(generation, filter), start, '+', 'BYLEX', 'LIMIT', 0, count)
      .exec();
    const failure = results?.find(([error]) => error !== null);
    if (!results || failure) throw (failure?.[0] as Error | undefined) ?? new Error('order list pipeline incomplete');
    if (results[0]?.[1] !== 1) return undefined;
    return (results[1]?.[1] as string[]).map(listPosition);
  }

  /** Whether the index is complete for this generation. */
  async isComplete(generation: number): Promise<boolean> {
    return (await this.#client.exists(this.#key(generation, 'complete'))) === 1;
  }

  /**
   * Writes every listing (from a scan of MongoDB), then marks the index complete unless a
   * fence purge or another backfill changed the epoch meanwhile. Returns whether it did.
   */
  async backfill(generation: number, listings: AsyncIterable<OrderListing[]>): Promise<boolean> {
    const [epochKey, completeKey] = [this.#key(generation, 'epoch'), this.#key(generation, 'complete')];
    const epoch = String(await this.#client.incr(epochKey));
    for await (const chunk of listings) {
      const pipeline = this.#client.pipeline();
      this.addWrites(pipeline, generation, chunk);
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error !== null);
      if (failure) throw failure[0] as Error;
    }
    return (await this.#client.completeIfEpoch(epochKey, completeKey, epoch)) === 1;
  }
}

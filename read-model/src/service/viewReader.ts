import type { Db } from 'mongodb';
import { z } from 'zod';
import { Uuid } from '@delivery/contracts';
import { createBreaker, isBreakerOpen, Problem, type Breaker, type Logger, type Registry } from '@delivery/runtime-kit';
import { renderOrderView, renderView, Stage, STAGES, type OrderView, type ViewDocuments, type ViewName, type Views } from '../handler/index.ts';
import {
  viewCollections,
  type CacheEntry,
  type CacheFence,
  type MetaWatcher,
  type OrderListIndex,
  type ViewCache,
  type ViewStore,
} from '../repository/index.ts';
import type { ReadModelMetrics } from '../readModelMetrics.ts';
import { decodeOrderCursor, encodeOrderCursor } from './orderCursor.ts';
import { VIEW_OWNERS } from './viewOwners.ts';
import type { WriteServiceFallback } from './writeServiceFallback.ts';

export type ReadSource = 'cache' | 'store' | 'fallback';

export interface Found<V> {
  view: V;
  source: ReadSource;
}

/** One id's answer: found (from some source), null (unknown everywhere) or a Problem (503). */
export type LookupResult<V> = Found<V> | null | Problem;

export const OrderListParams = z.strictObject({
  customerId: z.string().min(1).max(64).optional(),
  stage: Stage.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional(),
});
export type OrderListParams = z.infer<typeof OrderListParams>;

export interface OrderListPage {
  items: OrderView[];
  nextCursor: string | null;
  /** `cache`: the page came from the list index in Redis (and the cached views); `store`: from MongoDB. */
  source: 'cache' | 'store';
}

export interface ReadContext {
  requestId?: string;
  /** Fallback lookups this request may still make (FALLBACK_MAX_PER_REQUEST), shared by all its loads. */
  fallbackBudget?: FallbackBudget;
}

export interface FallbackBudget {
  remaining: number;
}

export interface ViewReaderDeps {
  db: Db;
  store: ViewStore;
  watcher: MetaWatcher;
  cache?: { cache: ViewCache; fence: CacheFence; listIndex?: OrderListIndex };
  fallback: WriteServiceFallback;
  fallbackOnMiss: boolean;
  /** Ids one request may look up in the write services. */
  fallbackMaxPerRequest: number;
  readTimeoutMs: number;
  metrics: ReadModelMetrics;
  registry: Registry;
  logger: Logger;
}

const VIEW_LABEL: Record<ViewName, string> = { orders: 'order', dispatches: 'dispatch', deliveries: 'delivery' };

/**
 * The query side, free of HTTP (the REST controller and the GraphQL resolvers share it).
 * Read path per id: Redis (one MGET per batch) → MongoDB (one `$in` per batch, behind a
 * breaker with an aborting deadline; refills Redis through the version compare) → the
 * owning write service's query API (its own breaker) when MongoDB is down or lacks the id.
 */
export class ViewReader {
  readonly #deps: ViewReaderDeps;
  readonly #storeRead: Breaker<[ViewName, string[]], ViewDocuments[ViewName][]>;
  readonly #storeList: Breaker<[OrderListParams], OrderListPage>;

  constructor(deps: ViewReaderDeps) {
    this.#deps = deps;
    const settings = {
      timeoutMs: deps.readTimeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: 2000,
      rollingCountTimeoutMs: 10_000,
    };
    const breakerDeps = { registry: deps.registry, logger: deps.logger };
    this.#storeRead = createBreaker(
      'read-model-store',
      async (signal: AbortSignal, view: ViewName, ids: string[]) => {
        const views = viewCollections(deps.db, await deps.watcher.generationOrLoad(signal));
        return deps.store.findByIds(views, view, ids, signal);
      },
      settings,
      breakerDeps,
    );
    this.#storeList = createBreaker('read-model-store-list', (signal: AbortSignal, params: OrderListParams) => this.#list(signal, params), settings, {
      ...breakerDeps,
      isFailure: (error) => !(error instanceof Problem),
    });
  }

  /** Batch lookup by ids, answers in the ids' order (DataLoader's contract). */
  async loadMany<V extends ViewName>(view: V, ids: readonly string[], context: ReadContext = {}): Promise<LookupResult<Views[V]>[]> {
    const results = new Array<LookupResult<Views[V]> | undefined>(ids.length);
    const pending = () => ids.flatMap((id, i) => (results[i] === undefined ? [[i, id] as const] : []));
    const storeDown = await this.#fromStores(view, ids, results);
    const unanswered = pending();
    if (unanswered.length > 0) {
      const answers = await this.#fromFallback(view, unanswered.map(([, id]) => id), storeDown, context);
      for (const [i, id] of unanswered) results[i] = answers.get(id) ?? null;
    }
    return results.map((result) => {
      const outcome = result instanceof Problem ? 'unavailable' : result === null || result === undefined ? 'not_found' : 'found';
      const source = result instanceof Problem || !result ? 'none' : result.source;
      this.#deps.metrics.reads.inc({ view: VIEW_LABEL[view], source, outcome });
      return result ?? null;
    });
  }

  /** Redis (one MGET), then MongoDB (one `$in`) for the rest; fills `results`, returns whether MongoDB failed. */
  async #fromStores<V extends ViewName>(view: V, ids: readonly string[], results: (LookupResult<Views[V]> | undefined)[]): Promise<boolean> {
    const pending = () => ids.flatMap((id, i) => (results[i] === undefined ? [[i, id] as const] : []));
    await this.#fromCache(view, ids, results);

    let storeDown = false;
    const missing = pending();
    if (missing.length > 0) {
      try {
        // One breaker for the three views: it answers the documents of the view it was asked for.
        const docs = (await this.#storeRead.fire(view, missing.map(([, id]) => id))) as ViewDocuments[V][];
        const byId = new Map(docs.map((d) => [d._id, d]));
        const refill: CacheEntry[] = [];
        const generation = this.#deps.watcher.generation();
        for (const [i, id] of missing) {
          const doc = byId.get(id);
          const rendered = doc ? renderView(view, doc) : undefined;
          if (!rendered) continue;
          results[i] = { view: rendered.view, source: 'store' };
          if (generation !== undefined) refill.push({ view, generation, id, version: rendered.version, json: JSON.stringify(rendered.view) });
        }
        this.#refill(refill);
      } catch (error) {
        storeDown = true;
        if (!isBreakerOpen(error)) this.#deps.logger.warn({ err: error, view }, 'view store read failed; using the fallback');
      }
    }
    return storeDown;
  }

  /** One id; null when unknown everywhere; throws the Problem when the stores and the fallback fail. */
  async load<V extends ViewName>(view: V, id: string, context: ReadContext = {}): Promise<Found<Views[V]> | null> {
    const [result] = await this.loadMany(view, [id], context);
    if (result instanceof Problem) throw result;
    return result ?? null;
  }

  /**
   * The list query: from the list index in Redis when it is complete (no MongoDB scan),
   * else from MongoDB; no fallback can list, so 503 while both are unavailable.
   */
  async listOrders(params: OrderListParams): Promise<OrderListPage> {
    const indexed = await this.#listFromIndex(params).catch((error: unknown) => {
      if (error instanceof Problem) throw error;
      this.#deps.cache?.fence.noteReadFailure();
      return undefined;
    });
    if (indexed) {
      this.#deps.metrics.reads.inc({ view: 'order_list', source: 'cache', outcome: 'found' });
      return indexed;
    }
    try {
      const page = await this.#storeList.fire(params);
      this.#deps.metrics.reads.inc({ view: 'order_list', source: 'store', outcome: 'found' });
      return page;
    } catch (error) {
      if (error instanceof Problem) throw error;
      this.#deps.metrics.reads.inc({ view: 'order_list', source: 'none', outcome: 'unavailable' });
      throw new Problem('SERVICE_UNAVAILABLE', 'The order list needs the view store, which is unavailable.', {
        headers: { 'Retry-After': '2' },
      });
    }
  }

  /** A request's allowance of fallback lookups; pass it in every ReadContext of that request. */
  fallbackBudget(): FallbackBudget {
    return { remaining: this.#deps.fallbackMaxPerRequest };
  }

  shutdown(): void {
    this.#storeRead.shutdown();
    this.#storeList.shutdown();
  }

  /**
   * A page from the list index: positions from the sorted set, the views from Redis (MongoDB
   * `$in` for the few not cached). An index entry whose view no longer matches the query (a
   * backfill raced a newer write) is skipped, and the range read again past it. Undefined
   * when the index cannot answer: not complete, the cache fenced, or views unreadable.
   */
  async #listFromIndex(params: OrderListParams): Promise<OrderListPage | undefined> {
    const { cache, watcher } = this.#deps;
    const generation = watcher.generation();
    const listIndex = cache?.listIndex;
    if (!listIndex || generation === undefined || !cache.fence.isOpen()) return undefined;
    const filter = { ...(params.customerId === undefined ? {} : { customerId: params.customerId }), ...(params.stage === undefined ? {} : { stage: params.stage }) };
    const matches = (view: OrderView) =>
      (params.stage === undefined || view.stage === params.stage) && (params.customerId === undefined || view.customerId === params.customerId);
    const wanted = params.limit + 1;
    const items: OrderView[] = [];
    let position = params.after === undefined ? undefined : decodeOrderCursor(params.after);
    let endOfList = false;
    for (let round = 0; items.length < wanted && round < 4; round++) {
      const count = wanted - items.length;
      const positions = await listIndex.page(generation, filter, position, count);
      if (positions === undefined) return undefined;
      const ids = positions.map((p) => p.orderId);
      const results = new Array<LookupResult<OrderView> | undefined>(ids.length);
      if (await this.#fromStores('orders', ids, results)) return undefined;
      for (const result of results) {
        // Not in either store: an entry of a view this generation lost; not listable.
        if (result && !(result instanceof Problem) && matches(result.view)) items.push(result.view);
      }
      position = positions.at(-1) ?? position;
      if (positions.length < count) {
        endOfList = true;
        break;
      }
    }
    const page = items.slice(0, params.limit);
    const last = page.at(-1);
    // More to come: an item beyond the page, or the scan stopped before the list's end.
    const cursor = items.length > params.limit && last ? { createdAt: new Date(last.createdAt), orderId: last.orderId } : !endOfList ? position : undefined;
    return { items: page, nextCursor: cursor ? encodeOrderCursor(cursor) : null, source: 'cache' };
  }

  async #list(signal: AbortSignal, params: OrderListParams): Promise<OrderListPage> {
    const after = params.after === undefined ? undefined : decodeOrderCursor(params.after);
    const views = viewCollections(this.#deps.db, await this.#deps.watcher.generationOrLoad(signal));
    const docs = await this.#deps.store.listOrders(
      views,
      {
        ...(params.customerId === undefined ? {} : { customerId: params.customerId }),
        stages: params.stage === undefined ? STAGES : [params.stage],
        limit: params.limit + 1,
        ...(after === undefined ? {} : { after }),
      },
      signal,
    );
    const items = docs.slice(0, params.limit).flatMap((doc) => renderOrderView(doc)?.view ?? []);
    const last = docs.length > params.limit ? docs[params.limit - 1] : undefined;
    const lastCreatedAt = last?.order?.createdAt;
    return {
      items,
      nextCursor: last && lastCreatedAt ? encodeOrderCursor({ createdAt: lastCreatedAt, orderId: last._id }) : null,
      source: 'store',
    };
  }

  async #fromCache<V extends ViewName>(view: V, ids: readonly string[], results: (LookupResult<Views[V]> | undefined)[]): Promise<void> {
    const cache = this.#deps.cache;
    const generation = this.#deps.watcher.generation();
    if (!cache || generation === undefined || !cache.fence.isOpen()) return;
    try {
      const hits = await cache.cache.getMany(view, generation, ids);
      hits.forEach((hit, i) => {
        if (hit) results[i] = { view: JSON.parse(hit.json) as Views[V], source: 'cache' };
      });
    } catch (error) {
      cache.fence.noteReadFailure();
      this.#deps.logger.debug({ err: error }, 'cache read failed; reading MongoDB');
    }
  }

  /** Refills Redis after a store read, never over a newer copy (the Lua compare), in the background. */
  #refill(entries: CacheEntry[]): void {
    const cache = this.#deps.cache;
    if (!cache || entries.length === 0 || !cache.fence.isOpen()) return;
    cache.cache.putIfNewer(entries).catch(() => cache.fence.noteReadFailure());
  }

  /**
   * The owners' answers for ids neither Redis nor MongoDB had: all of them in one bounded
   * lookup (writeServiceFallback.ts), within the request's budget; an id over the budget
   * gets a 503 Problem naming the cap (a field error in GraphQL).
   */
  async #fromFallback<V extends ViewName>(
    view: V,
    ids: readonly string[],
    storeDown: boolean,
    context: ReadContext,
  ): Promise<Map<string, LookupResult<Views[V]>>> {
    const results = new Map<string, LookupResult<Views[V]>>();
    if (!storeDown && !this.#deps.fallbackOnMiss) return results;
    const budget = context.fallbackBudget ?? this.fallbackBudget();
    const asked: string[] = [];
    for (const id of ids) {
      if (!Uuid.safeParse(id).success) {
        results.set(id, storeDown ? new Problem('SERVICE_UNAVAILABLE', 'The views are unavailable.') : null);
      } else if (budget.remaining > 0) {
        budget.remaining--;
        asked.push(id);
      } else {
        this.#deps.metrics.fallbackSkipped.inc({ service: VIEW_OWNERS[view].service, reason: 'over_request_cap' });
        results.set(
          id,
          new Problem(
            'SERVICE_UNAVAILABLE',
            `The ${VIEW_LABEL[view]} view is not in the read model's stores, and this request already used its ${this.#deps.fallbackMaxPerRequest} lookups in the write services (FALLBACK_MAX_PER_REQUEST).`,
          ),
        );
      }
    }
    if (asked.length === 0) return results;
    const answers = await this.#deps.fallback.lookupMany(view, asked, context.requestId);
    for (const id of asked) {
      const answer = answers.get(id) ?? null;
      // MongoDB said the view does not exist: a failing write service can't contradict it.
      if (answer instanceof Problem) results.set(id, storeDown ? answer : null);
      else results.set(id, answer === null ? null : { view: answer, source: 'fallback' });
    }
    return results;
  }
}

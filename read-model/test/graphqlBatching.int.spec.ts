import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@delivery/test-support';
import type { OrderDocument, ViewName } from '../src/handler/index.ts';
import { ViewStore, type OrderListQuery, type ViewCollections } from '../src/repository/index.ts';
import { postGraphQL } from './support/graphqlClient.ts';
import { Journey } from './support/journey.ts';
import { NO_WRITE_SERVICES, ReadModelHarness, startSuite, testConfig, type Suite } from './support/readModelHarness.ts';

/**
 * DataLoader batching, counted at the repository: an `api` instance (no consumer, so every
 * store call is a read) shares the suite's database and Redis prefix, and its ViewStore
 * records each `findByIds` (one MongoDB `find({_id: {$in: ids}})`) and each list query.
 */
class CountingViewStore extends ViewStore {
  readonly findCalls: { view: ViewName; ids: string[] }[] = [];
  listCalls = 0;

  override findByIds<V extends ViewName>(views: ViewCollections, view: V, ids: readonly string[], signal?: AbortSignal) {
    this.findCalls.push({ view, ids: [...ids] });
    return super.findByIds(views, view, ids, signal);
  }

  override listOrders(views: ViewCollections, query: OrderListQuery, signal?: AbortSignal): Promise<OrderDocument[]> {
    this.listCalls++;
    return super.listOrders(views, query, signal);
  }

  reset(): void {
    this.findCalls.length = 0;
    this.listCalls = 0;
  }

  /** The `$in` calls per view, each as its sorted ids. */
  byView(): Record<string, string[][]> {
    const calls: Record<string, string[][]> = {};
    for (const call of this.findCalls) (calls[call.view] ??= []).push([...call.ids].sort());
    return calls;
  }
}

const N = 6;
const customerId = `customer-${randomUUID().slice(0, 8)}`;
const journeys = Array.from({ length: N }, (_, i) => Journey.delivered({ customerId, at: Date.now() - 3_600_000 + i * 60_000 }));
const sorted = (ids: string[]) => [...ids].sort();
const orderIds = sorted(journeys.map((j) => j.orderId));
const dispatchIds = sorted(journeys.map((j) => j.dispatchId));
const deliveryIds = sorted(journeys.map((j) => j.deliveryId));

const nested = 'orderId stage dispatch { status riderId } delivery { status location { lat lng } }';
const byIdQuery = `{ ${journeys.map((j, i) => `o${i}: order(orderId: "${j.orderId}") { ${nested} }`).join(' ')} }`;
const listQuery = `{ orders(customerId: "${customerId}", limit: ${N}) { items { ${nested} } nextCursor } }`;

let suite: Suite;
let api: ReadModelHarness;
const store = new CountingViewStore();

/** Drops the suite's cache entries, so that the next reads go to MongoDB. */
async function coldCache(): Promise<void> {
  const keys = await suite.rm.redisKeys();
  if (keys.length > 0) await suite.rm.redis.unlink(...keys);
  store.reset();
}

beforeAll(async () => {
  suite = await startSuite('graphql-batching');
  await suite.kafka.produce(journeys.flatMap((j) => j.events));
  await suite.kafka.waitConsumed(suite.rm.config.kafka.groupId);
  const shared = { MONGO_DATABASE: suite.rm.config.mongo.database, REDIS_KEY_PREFIX: suite.rm.config.redis.keyPrefix };
  api = await ReadModelHarness.start(testConfig('graphql-batching-api', { ...NO_WRITE_SERVICES, ...shared, READ_MODEL_PROFILE: 'api' }), { store });
});
afterAll(async () => {
  await api.close();
  await suite.destroy();
});
beforeEach(coldCache);

describe('DataLoader batching', () => {
  it(`given ${N} orders queried by id with nested dispatch and delivery when the cache is cold then one $in per view type`, async () => {
    const res = await postGraphQL(api.baseUrl, byIdQuery);
    expect(res.body.errors).toBeUndefined();
    const orders = Object.values(res.body.data as Record<string, { stage: string; delivery: { status: string } }>);
    expect(orders.map((o) => [o.stage, o.delivery.status])).toEqual(
      journeys.map(() => ['DELIVERED', 'DELIVERED']),
    );
    expect(store.byView()).toEqual({ orders: [orderIds], dispatches: [dispatchIds], deliveries: [deliveryIds] });
  });

  it(`given the list of ${N} orders with nested fields when the cache is cold then one list query and one $in per nested view`, async () => {
    const res = await postGraphQL(api.baseUrl, listQuery);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.orders.items).toHaveLength(N);
    expect(store.listCalls).toBe(1);
    expect(store.byView()).toEqual({ dispatches: [dispatchIds], deliveries: [deliveryIds] });
  });

  it('given an id asked twice in one query when resolved then it is read once', async () => {
    const j = journeys[0]!;
    const res = await postGraphQL(api.baseUrl, `{ a: order(orderId: "${j.orderId}") { stage } b: order(orderId: "${j.orderId}") { dispatch { status } } }`);
    expect(res.body.data).toEqual({ a: { stage: 'DELIVERED' }, b: { dispatch: { status: 'ACCEPTED' } } });
    expect(store.byView()).toEqual({ orders: [[j.orderId]], dispatches: [[j.dispatchId]] });
  });

  it('given a warm cache when the same query runs then one MGET per view type answers everything and MongoDB is not asked', async () => {
    await postGraphQL(api.baseUrl, byIdQuery);
    // The store reads refill Redis in the background, through the version compare.
    await eventually(async () => ((await suite.rm.redisKeys()).length === 3 * N ? true : undefined));
    store.reset();
    // Redis MONITOR sees every command; keep the MGETs on this suite's keys.
    const prefix = api.config.redis.keyPrefix;
    const monitor = await suite.rm.redis.monitor();
    const mgets: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'mget' && args[1]?.startsWith(prefix)) mgets.push(args.slice(1));
    });
    try {
      const cacheReads = () => Promise.all(['order', 'dispatch', 'delivery'].map((view) => api.metric('read_model_reads_total', { view, source: 'cache' })));
      const before = await cacheReads();
      const res = await postGraphQL(api.baseUrl, byIdQuery);
      expect(res.body.errors).toBeUndefined();
      expect(store.findCalls).toEqual([]);
      expect(await cacheReads()).toEqual(before.map((count) => count + N));
      const idsOf = (keys: string[]) => keys.map((key) => key.slice(key.lastIndexOf(':') + 1)).sort();
      await eventually(() => (mgets.length >= 3 ? true : undefined), 5000);
      expect(mgets.map(idsOf).sort((a, b) => (a[0]! < b[0]! ? -1 : 1))).toEqual([orderIds, dispatchIds, deliveryIds].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    } finally {
      monitor.disconnect();
    }
  });
});

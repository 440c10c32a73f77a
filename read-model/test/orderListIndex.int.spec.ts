import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@delivery/test-support';
import { CACHE_FENCE_ID, metaCollection, ViewStore, type OrderListQuery, type ViewCollections } from '../src/repository/index.ts';
import { listMember } from '../src/repository/orderListIndex.ts';
import { Journey } from './support/journey.ts';
import { KafkaFixture } from './support/kafkaFixture.ts';
import { NO_WRITE_SERVICES, ReadModelHarness, testConfig, type Json } from './support/readModelHarness.ts';

/**
 * The order list index in Redis (repository/orderListIndex.ts): once complete it answers
 * list pages without a MongoDB list query, in the same order and with the same cursors as
 * MongoDB; it follows stage changes; an entry whose view no longer matches is skipped; and
 * when the index is incomplete the list reads MongoDB until the backfill completes it again.
 */
class CountingStore extends ViewStore {
  lists = 0;
  override listOrders(views: ViewCollections, query: OrderListQuery, signal?: AbortSignal) {
    this.lists++;
    return super.listOrders(views, query, signal);
  }
}

const kafka = new KafkaFixture('order-list-index');
const store = new CountingStore();
let rm: ReadModelHarness;
const customerId = `customer-${randomUUID().slice(0, 8)}`;
const base = Date.now() - 3_600_000;
// Six orders of one customer a minute apart, two of them at the same instant (the id decides); every other one accepted.
const journeys = Array.from({ length: 6 }, (_, i) => new Journey({ customerId, at: base + Math.min(i, 4) * 60_000 }).place());
for (const [i, j] of journeys.entries()) if (i % 2 === 1) j.accept();
const newestFirst = [...journeys].sort((a, b) => b.events[0]!.occurredAt.localeCompare(a.events[0]!.occurredAt) || (a.orderId < b.orderId ? 1 : -1));

const list = async (query: string) => {
  const res = await rm.get(`/api/v1/orders?customerId=${customerId}&${query}`);
  expect(res.status).toBe(200);
  return res;
};
const pageAll = async (query: string) => {
  const seen: string[] = [];
  const sources = new Set<string | null>();
  let after: string | null = null;
  do {
    const res = await list(`${query}${after ? `&after=${after}` : ''}`);
    sources.add(res.source);
    seen.push(...(res.body.items as Json[]).map((o) => o.orderId as string));
    after = res.body.nextCursor as string | null;
  } while (after);
  return { seen, sources: [...sources] };
};
const markerKeys = async () => rm.redis.keys(`${rm.config.redis.keyPrefix}gen*:order-list:complete`);
const indexComplete = () => eventually(async () => (await markerKeys()).length === 1, { what: 'the order list index to be complete' });

beforeAll(async () => {
  await kafka.create();
  rm = await ReadModelHarness.start(testConfig('order-list-index', { ...NO_WRITE_SERVICES, LIST_INDEX_CHECK_MS: '100' }, kafka.topics), { store });
  await kafka.produce(journeys.flatMap((j) => j.events));
  await kafka.waitConsumed(rm.config.kafka.groupId);
  await indexComplete();
});
afterAll(async () => {
  await rm.destroy();
  await kafka.destroy();
});

describe('the order list index', () => {
  it('given a complete index when paged then every order once, newest first (ties by id), from Redis without a MongoDB list query', async () => {
    const before = store.lists;
    const { seen, sources } = await pageAll('limit=2');
    expect(seen).toEqual(newestFirst.map((j) => j.orderId));
    expect(sources).toEqual(['cache']);
    expect(store.lists).toBe(before);
  });

  it('given ten concurrent 100-item page reads then all answer 200 from the index, none queries MongoDB for the list', async () => {
    const before = store.lists;
    const pages = await Promise.all(Array.from({ length: 10 }, () => rm.get('/api/v1/orders?limit=100')));
    expect(pages.map((p) => [p.status, p.source])).toEqual(Array.from({ length: 10 }, () => [200, 'cache']));
    expect(store.lists).toBe(before);
  });

  it('given a stage filter when listed from the index then only orders in that stage, the same as MongoDB lists', async () => {
    const accepted = newestFirst.filter((j) => j.events.some((e) => e.eventType === 'OrderAccepted')).map((j) => j.orderId);
    expect((await pageAll('stage=ACCEPTED&limit=2')).seen).toEqual(accepted);
    expect((await pageAll('stage=PLACED&limit=5')).seen).toEqual(newestFirst.map((j) => j.orderId).filter((id) => !accepted.includes(id)));
  });

  it('given an order accepted later when listed then it moves from the PLACED list to the ACCEPTED list', async () => {
    const placed = journeys[0]!;
    const from = placed.events.length;
    placed.accept();
    await kafka.produce(placed.events.slice(from));
    await eventually(async () => ((await list('stage=ACCEPTED&limit=100')).body.items as Json[]).some((o) => o.orderId === placed.orderId), {
      what: 'the accepted order in the ACCEPTED list',
    });
    const stillPlaced = await list('stage=PLACED&limit=100');
    expect([stillPlaced.source, (stillPlaced.body.items as Json[]).map((o) => o.orderId as string)]).toEqual(['cache', expect.not.arrayContaining([placed.orderId])]);
  });

  it('given an entry left in a stage the order has left when listed then it is skipped and the page is still full', async () => {
    const accepted = journeys[1]!;
    const [generationKey] = await markerKeys();
    const generationPrefix = generationKey!.slice(0, generationKey!.indexOf('order-list:'));
    // What a backfill racing a newer write could leave behind.
    await rm.redis.zadd(`${generationPrefix}order-list:customer:${customerId}:stage:PLACED`, 0, listMember(new Date(accepted.events[0]!.occurredAt), accepted.orderId));
    const placedNow = newestFirst.filter((j) => !j.events.some((e) => e.eventType === 'OrderAccepted')).map((j) => j.orderId);
    const res = await list(`stage=PLACED&limit=${placedNow.length}`);
    expect([res.source, (res.body.items as Json[]).map((o) => o.orderId as string)]).toEqual(['cache', placedNow]);
  });

  it('given the cache fenced and the index incomplete when listed then MongoDB answers, and the index again once the fence lifts and the backfill completed it', async () => {
    // A fence entry (as an instance whose cache writes failed leaves) keeps every instance off
    // Redis, the backfill included; meanwhile the index loses its marker.
    const fence = metaCollection(rm.db);
    await fence.updateOne({ _id: CACHE_FENCE_ID }, { $addToSet: { pending: 'order-list-index-test' } }, { upsert: true });
    await eventually(async () => (await list('limit=1')).source === 'store', { what: 'lists to read MongoDB while the cache is fenced' });
    await rm.redis.del(...(await markerKeys()));
    const before = store.lists;
    const fromStore = await pageAll('limit=4');
    expect(fromStore.sources).toEqual(['store']);
    expect(store.lists).toBeGreaterThan(before);
    await fence.updateOne({ _id: CACHE_FENCE_ID }, { $pull: { pending: 'order-list-index-test' } });
    await indexComplete();
    await eventually(async () => (await list('limit=1')).source === 'cache', { what: 'lists to read the index again' });
    const fromIndex = await pageAll('limit=4');
    expect([fromIndex.sources, fromIndex.seen]).toEqual([['cache'], fromStore.seen]);
  });
});

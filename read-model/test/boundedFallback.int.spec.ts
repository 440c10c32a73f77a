import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@delivery/test-support';
import { errorCodes, postGraphQL } from './support/graphqlClient.ts';
import { ReadModelHarness, testConfig } from './support/readModelHarness.ts';
import { orderSnapshot } from './support/snapshots.ts';

/**
 * The fallback is bounded: one batch call for many ids, a cap per request, misses for the
 * same id coalesced across requests, recent 404s remembered, and a bulkhead per write
 * service. A real HTTP server plays the order service's query API: it counts calls and can
 * hold its answers (a gate), so overlap is a fact the test waits for, not a delay. The read
 * models have no stores (closed ports): every read goes to the fallback.
 */
const known = new Set<string>();
const calls: string[] = [];
const held: (() => void)[] = [];
let gateOpen = true;

const answer = (url: URL, res: ServerResponse) => {
  const one = /^\/api\/v1\/orders\/([^/]+)$/.exec(url.pathname)?.[1];
  res.setHeader('content-type', 'application/json');
  if (one) {
    res.statusCode = known.has(one) ? 200 : 404;
    res.end(JSON.stringify(known.has(one) ? orderSnapshot(one) : { status: 404 }));
    return;
  }
  const ids = url.searchParams.get('ids')?.split(',') ?? [];
  res.end(JSON.stringify({ items: ids.filter((id) => known.has(id)).map(orderSnapshot) }));
};
const orderService = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://order.test');
  calls.push(`${url.pathname}${url.search}`);
  if (gateOpen) answer(url, res);
  else held.push(() => answer(url, res));
});
const release = () => {
  gateOpen = true;
  for (const send of held.splice(0)) send();
};

const storesDown = {
  READ_MODEL_PROFILE: 'api',
  MONGO_URL: 'mongodb://127.0.0.1:1',
  REDIS_URL: 'redis://127.0.0.1:1',
  MONGO_READ_TIMEOUT_MS: '300',
  MONGO_SERVER_SELECTION_TIMEOUT_MS: '300',
  FALLBACK_TIMEOUT_MS: '20000',
  // Recent 404s are remembered for longer than any test takes: the test is about the memory, not its expiry.
  FALLBACK_NEGATIVE_TTL_MS: '600000',
} as const;

let bounded: ReadModelHarness;
let narrow: ReadModelHarness;

beforeAll(async () => {
  await new Promise<void>((resolve) => orderService.listen(0, '127.0.0.1', resolve));
  const ORDER_URL = `http://127.0.0.1:${(orderService.address() as AddressInfo).port}`;
  bounded = await ReadModelHarness.start(testConfig('fallback-bounded', { ...storesDown, ORDER_URL, FALLBACK_MAX_PER_REQUEST: '25' }));
  // One call at a time and none waiting: the bulkhead refuses the second at once.
  narrow = await ReadModelHarness.start(testConfig('fallback-narrow', { ...storesDown, ORDER_URL, FALLBACK_CONCURRENCY: '1', FALLBACK_QUEUE: '0' }));
});
beforeEach(() => {
  calls.length = 0;
  release();
});
afterAll(async () => {
  release();
  await bounded.close();
  await narrow.close();
  orderService.closeAllConnections();
  await new Promise((resolve) => orderService.close(resolve));
});

const aliases = (ids: readonly string[]) => `{ ${ids.map((id, i) => `o${i}: order(orderId: "${id}") { orderId status }`).join(' ')} }`;

describe('bounded fallback', () => {
  it('given many ids missing from the stores in one GraphQL request then one batch call answers them all', async () => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids.slice(0, 5)) known.add(id);
    const res = await postGraphQL(bounded.baseUrl, aliases(ids));
    expect(res.status).toBe(200);
    expect(calls).toEqual([`/api/v1/orders?ids=${ids.join(',')}`]);
    ids.forEach((id, i) => expect([id, res.body.data[`o${i}`]]).toEqual([id, i < 5 ? { orderId: id, status: 'ACCEPTED' } : null]));
  });

  it('given more missing ids than the per-request cap then the rest are field errors naming the cap, and still one call', async () => {
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const overCap = () => bounded.metric('read_model_fallback_skipped_total', { service: 'order', reason: 'over_request_cap' });
    const before = await overCap();
    const res = await postGraphQL(bounded.baseUrl, aliases(ids));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.split(',')).toHaveLength(25);
    const codes = errorCodes(res.body);
    expect(Object.keys(codes).sort()).toEqual(ids.slice(25).map((_, i) => `o${25 + i}`).sort());
    expect(JSON.stringify(res.body.errors)).toContain('FALLBACK_MAX_PER_REQUEST');
    expect(await overCap()).toBe(before + 5);
  });

  it('given four concurrent requests of 50 random ids each then at most one call per request reaches the order service', async () => {
    const requests = Array.from({ length: 4 }, () => postGraphQL(bounded.baseUrl, aliases(Array.from({ length: 50 }, () => randomUUID()))));
    const answers = await Promise.all(requests);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(calls.length).toBeLessThanOrEqual(4);
  });

  it('given the same missing id read by two requests at once then one call answers both', async () => {
    const id = randomUUID();
    known.add(id);
    const coalesced = () => bounded.metric('read_model_fallback_skipped_total', { service: 'order', reason: 'coalesced' });
    const before = await coalesced();
    gateOpen = false;
    const first = bounded.get(`/api/v1/orders/${id}`);
    await eventually(() => calls.length === 1, { what: 'the first call to reach the order service' });
    const second = bounded.get(`/api/v1/orders/${id}`);
    await eventually(async () => (await coalesced()) === before + 1, { what: 'the second read to join the first call' });
    release();
    const answers = await Promise.all([first, second]);
    expect(answers.map((a) => [a.status, a.source, a.body.orderId as string])).toEqual([
      [200, 'fallback', id],
      [200, 'fallback', id],
    ]);
    expect(calls).toEqual([`/api/v1/orders/${id}`]);
  });

  it('given an id the order service answered 404 for then a second read answers 404 without asking again', async () => {
    const id = randomUUID();
    expect((await bounded.get(`/api/v1/orders/${id}`)).status).toBe(404);
    expect((await bounded.get(`/api/v1/orders/${id}`)).status).toBe(404);
    expect(calls).toEqual([`/api/v1/orders/${id}`]);
    expect(await bounded.metric('read_model_fallback_skipped_total', { service: 'order', reason: 'unknown_recently' })).toBeGreaterThanOrEqual(1);
  });

  it('given the bulkhead full then another read is refused at once with a 503 naming it, and the held one still answers', async () => {
    const [slow, refused] = [randomUUID(), randomUUID()];
    known.add(slow);
    gateOpen = false;
    const first = narrow.get(`/api/v1/orders/${slow}`);
    await eventually(() => calls.length === 1, { what: 'the first call to hold the only slot' });
    const second = await narrow.get(`/api/v1/orders/${refused}`);
    expect(second.status).toBe(503);
    expect(second.body.detail).toContain('bulkhead');
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(await narrow.metric('read_model_fallback_calls_total', { service: 'order', outcome: 'rejected' })).toBe(1);
    release();
    expect((await first).status).toBe(200);
    expect(calls).toEqual([`/api/v1/orders/${slow}`]);
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { deliverySnapshot, dispatchSnapshot, orderSnapshot } from './support/snapshots.ts';
import { ReadModelHarness, testConfig } from './support/readModelHarness.ts';

/**
 * QA-style fallback tests: nock stands in for the write services' query APIs. The first
 * read model has no stores at all (MongoDB and Redis URLs point at closed ports); the second
 * has real, empty stores (a view not projected yet).
 */
const ORDER_URL = 'http://order.fallback.test';
const DISPATCH_URL = 'http://dispatch.fallback.test';
const DELIVERY_URL = 'http://delivery.fallback.test';
const fallbackEnv = {
  ORDER_URL,
  DISPATCH_URL,
  DELIVERY_URL,
  FALLBACK_TIMEOUT_MS: '300',
  FALLBACK_BREAKER_VOLUME: '3',
  FALLBACK_BREAKER_RESET_MS: '60000',
};

let storesDown: ReadModelHarness;
let storesEmpty: ReadModelHarness;
let slowStores: ReadModelHarness;
const hanging: Server = createServer(() => {
  // never answers
});
const storesDownEnv = {
  READ_MODEL_PROFILE: 'api',
  MONGO_URL: 'mongodb://127.0.0.1:1',
  REDIS_URL: 'redis://127.0.0.1:1',
  MONGO_READ_TIMEOUT_MS: '300',
  MONGO_SERVER_SELECTION_TIMEOUT_MS: '300',
} as const;

beforeAll(async () => {
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  slowStores = await ReadModelHarness.start(testConfig('fallback-slow', { ...fallbackEnv, ...storesDownEnv, ORDER_URL: hangingUrl }));
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  storesDown = await ReadModelHarness.start(testConfig('fallback-down', { ...fallbackEnv, ...storesDownEnv }));
  storesEmpty = await ReadModelHarness.start(testConfig('fallback-empty', { ...fallbackEnv, READ_MODEL_PROFILE: 'api' }));
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  await storesDown.close();
  await slowStores.close();
  await storesEmpty.destroy();
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
  nock.enableNetConnect();
  // nock patches node's own http/net modules, which jest's per-file sandbox does not cover:
  // left active, it would intercept every later test file in this worker.
  nock.restore();
});

describe('stores down', () => {
  it('given an order when MongoDB and Redis are unreachable then the order service answers with X-Read-Source fallback', async () => {
    const id = randomUUID();
    const found = () => storesDown.metric('read_model_fallback_calls_total', { service: 'order', outcome: 'found' });
    const fallbackReads = () => storesDown.metric('read_model_reads_total', { view: 'order', source: 'fallback' });
    const [foundBefore, readsBefore] = [await found(), await fallbackReads()];
    const scope = nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(200, orderSnapshot(id));
    const res = await storesDown.get(`/api/v1/orders/${id}`);
    expect(res.status).toBe(200);
    expect(res.source).toBe('fallback');
    expect(res.body).toMatchObject({ orderId: id, status: 'ACCEPTED', version: 2 });
    for (const viewOnly of ['stage', 'dispatch', 'delivery']) expect(res.body).not.toHaveProperty(viewOnly);
    expect(scope.isDone()).toBe(true);
    expect(await found()).toBe(foundBefore + 1);
    expect(await fallbackReads()).toBe(readsBefore + 1);
  });

  it('given a dispatch when the stores are unreachable then its status comes from the dispatch service', async () => {
    const id = randomUUID();
    nock(DISPATCH_URL).get(`/api/v1/dispatches/${id}`).reply(200, dispatchSnapshot(id));
    const res = await storesDown.get(`/api/v1/dispatches/${id}`);
    expect([res.status, res.source]).toEqual([200, 'fallback']);
    expect(res.body).toMatchObject({ dispatchId: id, status: 'ACCEPTED', riderId: 'rider-7' });
    expect(res.body).not.toHaveProperty('cancelReason');
  });

  it('given a delivery when the stores are unreachable then its location comes from the delivery service', async () => {
    const id = randomUUID();
    nock(DELIVERY_URL).get(`/api/v1/deliveries/${id}`).reply(200, deliverySnapshot(id));
    const res = await storesDown.get(`/api/v1/deliveries/${id}`);
    expect([res.status, res.source]).toEqual([200, 'fallback']);
    expect(res.body.location).toEqual({ lat: 37.51, lng: 127.02, updatedAt: '2026-11-27T10:01:00.000Z' });
  });

  it('given the list query when the stores are unreachable then 503 problem+json (no fallback can list)', async () => {
    const res = await storesDown.get('/api/v1/orders?customerId=c-1');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('given an id the write service does not know when the stores are unreachable then 404', async () => {
    const id = randomUUID();
    nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(404, { status: 404 });
    const res = await storesDown.get(`/api/v1/orders/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('given a write service that does not answer in time when read then 503 at the deadline and the call is aborted', async () => {
    // A real server that never answers (nock's delayed replies do not survive an abort).
    const aborted = new Promise<boolean>((resolve) => {
      hanging.once('request', (req: IncomingMessage) => req.once('close', () => resolve(true)));
    });
    const started = Date.now();
    const res = await slowStores.get(`/api/v1/orders/${randomUUID()}`);
    expect(res.status).toBe(503);
    // It was the configured deadline (not the 1 s default) that ended the call.
    expect(JSON.stringify(res.body)).toContain('deadline of 300 ms exceeded');
    expect(Date.now() - started).toBeLessThan(20_000); // generous: guards against a hang, not a speed figure
    expect(await aborted).toBe(true);
    expect(await slowStores.metric('read_model_fallback_calls_total', { service: 'order', outcome: 'failed' })).toBe(1);
  });

  it('given a failing write service when its breaker opens then 503 with Retry-After without calling it', async () => {
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      nock(DELIVERY_URL).get(`/api/v1/deliveries/${id}`).reply(500, 'boom');
      expect((await storesDown.get(`/api/v1/deliveries/${id}`)).status).toBe(503);
    }
    const circuitOpen = () => storesDown.metric('read_model_fallback_calls_total', { service: 'delivery', outcome: 'circuit_open' });
    const openBefore = await circuitOpen();
    const id = randomUUID();
    const untouched = nock(DELIVERY_URL).get(`/api/v1/deliveries/${id}`).reply(200, deliverySnapshot(id));
    const res = await storesDown.get(`/api/v1/deliveries/${id}`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'CIRCUIT_OPEN' });
    // What is left of the 60 s reset timeout, in whole seconds.
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(30); // generous: fails only if opening and answering were 30 s apart
    expect(untouched.isDone()).toBe(false);
    expect(await storesDown.metric('circuit_breaker_state', { breaker: 'read-model-fallback-delivery' })).toBe(2);
    expect(await circuitOpen()).toBe(openBefore + 1);
  });
});

describe('stores up but the view is not projected yet', () => {
  it('given an order missing from MongoDB when read then the order service answers (fallback)', async () => {
    const id = randomUUID();
    nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(200, orderSnapshot(id));
    const res = await storesEmpty.get(`/api/v1/orders/${id}`);
    expect([res.status, res.source]).toEqual([200, 'fallback']);
  });

  it('given an order unknown to MongoDB and to the order service when read then 404', async () => {
    const id = randomUUID();
    nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(404);
    expect((await storesEmpty.get(`/api/v1/orders/${id}`)).status).toBe(404);
  });

  it('given an order missing from MongoDB when the order service fails then 404 (MongoDB answered; the store is not down)', async () => {
    const id = randomUUID();
    nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(503);
    expect((await storesEmpty.get(`/api/v1/orders/${id}`)).status).toBe(404);
  });

  it('given the list query when MongoDB is up then 200 from the store, even if empty', async () => {
    const res = await storesEmpty.get('/api/v1/orders?customerId=nobody');
    expect([res.status, res.source]).toEqual([200, 'store']);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { errorCodes, postGraphQL } from './support/graphqlClient.ts';
import { deliverySnapshot, dispatchSnapshot, orderSnapshot } from './support/snapshots.ts';
import { ReadModelHarness, testConfig } from './support/readModelHarness.ts';

/**
 * GraphQL while the read stores are down (MongoDB and Redis URLs point at closed ports; nock
 * stands in for the write services' query APIs): the critical fields — order status,
 * dispatch status, delivery location — come from the owning write service, every other
 * field is null with a field error coded from the problem catalogue (partial data).
 */
const ORDER_URL = 'http://order.gql-fallback.test';
const DISPATCH_URL = 'http://dispatch.gql-fallback.test';
const DELIVERY_URL = 'http://delivery.gql-fallback.test';
let rm: ReadModelHarness;
const gql = (query: string, headers?: Record<string, string>) => postGraphQL(rm.baseUrl, query, undefined, headers);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  rm = await ReadModelHarness.start(
    testConfig('graphql-fallback', {
      ORDER_URL,
      DISPATCH_URL,
      DELIVERY_URL,
      FALLBACK_TIMEOUT_MS: '300',
      FALLBACK_BREAKER_VOLUME: '50',
      READ_MODEL_PROFILE: 'api',
      MONGO_URL: 'mongodb://127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
      MONGO_READ_TIMEOUT_MS: '300',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '300',
    }),
  );
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  await rm.close();
  nock.enableNetConnect();
  // nock patches node's own http/net modules, which jest's per-file sandbox does not cover:
  // left active, it would intercept every later test file in this worker.
  nock.restore();
});

describe('stores down', () => {
  it('given an order when queried then its status from the order service and a SERVICE_UNAVAILABLE error for each other field', async () => {
    const id = randomUUID();
    const scope = nock(ORDER_URL).get(`/api/v1/orders/${id}`).matchHeader('x-request-id', 'gql-fallback-1').reply(200, orderSnapshot(id));
    const res = await gql(`{ order(orderId: "${id}") { orderId status stage customerId dispatch { status } delivery { location { lat } } } }`, {
      'x-request-id': 'gql-fallback-1',
    });
    expect(scope.isDone()).toBe(true);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ order: { orderId: id, status: 'ACCEPTED', stage: null, customerId: null, dispatch: null, delivery: null } });
    expect(errorCodes(res.body)).toEqual({
      'order.stage': 'SERVICE_UNAVAILABLE',
      'order.customerId': 'SERVICE_UNAVAILABLE',
      'order.dispatch': 'SERVICE_UNAVAILABLE',
      'order.delivery': 'SERVICE_UNAVAILABLE',
    });
    expect(res.body.errors[0].message).toMatch(/critical fields/);
  });

  it('given a dispatch when queried then its status from the dispatch service, the rest as field errors', async () => {
    const id = randomUUID();
    nock(DISPATCH_URL).get(`/api/v1/dispatches/${id}`).reply(200, dispatchSnapshot(id));
    const res = await gql(`{ dispatch(dispatchId: "${id}") { dispatchId status riderId pickup { lat } } }`);
    expect(res.body.data).toEqual({ dispatch: { dispatchId: id, status: 'ACCEPTED', riderId: null, pickup: null } });
    expect(errorCodes(res.body)).toEqual({ 'dispatch.riderId': 'SERVICE_UNAVAILABLE', 'dispatch.pickup': 'SERVICE_UNAVAILABLE' });
  });

  it('given a delivery when queried then its location from the delivery service, the rest as field errors', async () => {
    const id = randomUUID();
    nock(DELIVERY_URL).get(`/api/v1/deliveries/${id}`).reply(200, deliverySnapshot(id));
    const res = await gql(`{ delivery(deliveryId: "${id}") { deliveryId location { lat lng updatedAt } status } }`);
    expect(res.body.data).toEqual({
      delivery: { deliveryId: id, location: { lat: 37.51, lng: 127.02, updatedAt: '2026-11-27T10:01:00.000Z' }, status: null },
    });
    expect(errorCodes(res.body)).toEqual({ 'delivery.status': 'SERVICE_UNAVAILABLE' });
  });

  it('given only critical fields asked for all three when queried then a complete answer without errors', async () => {
    const [o, d, v] = [randomUUID(), randomUUID(), randomUUID()];
    nock(ORDER_URL).get(`/api/v1/orders/${o}`).reply(200, orderSnapshot(o));
    nock(DISPATCH_URL).get(`/api/v1/dispatches/${d}`).reply(200, dispatchSnapshot(d));
    nock(DELIVERY_URL).get(`/api/v1/deliveries/${v}`).reply(200, deliverySnapshot(v));
    const res = await gql(`{ order(orderId: "${o}") { status } dispatch(dispatchId: "${d}") { status } delivery(deliveryId: "${v}") { location { lat } } }`);
    expect(res.body).toEqual({ data: { order: { status: 'ACCEPTED' }, dispatch: { status: 'ACCEPTED' }, delivery: { location: { lat: 37.51 } } } });
  });

  it('given a failing write service when queried then its root fields are null with SERVICE_UNAVAILABLE, the other services still answered', async () => {
    const [failing, alsoFailing, known] = [randomUUID(), randomUUID(), randomUUID()];
    // The order service's two ids go in one batch call, which fails for both.
    nock(ORDER_URL).get('/api/v1/orders').query({ ids: `${failing},${alsoFailing}` }).reply(500, 'boom');
    nock(DISPATCH_URL).get(`/api/v1/dispatches/${known}`).reply(200, dispatchSnapshot(known));
    const res = await gql(
      `{ failing: order(orderId: "${failing}") { status } alsoFailing: order(orderId: "${alsoFailing}") { status } known: dispatch(dispatchId: "${known}") { status } }`,
    );
    expect(res.body.data).toEqual({ failing: null, alsoFailing: null, known: { status: 'ACCEPTED' } });
    expect(errorCodes(res.body)).toEqual({ failing: 'SERVICE_UNAVAILABLE', alsoFailing: 'SERVICE_UNAVAILABLE' });
  });

  it('given an id the write service does not know when queried then null without errors', async () => {
    const id = randomUUID();
    nock(ORDER_URL).get(`/api/v1/orders/${id}`).reply(404, { status: 404 });
    expect((await gql(`{ order(orderId: "${id}") { status } }`)).body).toEqual({ data: { order: null } });
  });

  it('given the list query when the stores are down then no data and SERVICE_UNAVAILABLE (no write service can list)', async () => {
    const res = await gql('{ orders(customerId: "c-1") { items { status } nextCursor } }');
    expect(res.body.data).toBeNull();
    expect(errorCodes(res.body)).toEqual({ orders: 'SERVICE_UNAVAILABLE' });
  });

  it('counts partial answers, their error codes and the fallback reads', async () => {
    const id = randomUUID();
    nock(DELIVERY_URL).get(`/api/v1/deliveries/${id}`).reply(200, deliverySnapshot(id));
    const before = {
      partial: await rm.metric('graphql_operations_total', { outcome: 'partial' }),
      unavailable: await rm.metric('graphql_errors_total', { code: 'SERVICE_UNAVAILABLE' }),
      fallback: await rm.metric('read_model_reads_total', { view: 'delivery', source: 'fallback' }),
    };
    await gql(`{ delivery(deliveryId: "${id}") { location { lat } riderId version } }`);
    expect(await rm.metric('graphql_operations_total', { outcome: 'partial' })).toBe(before.partial + 1);
    expect(await rm.metric('graphql_errors_total', { code: 'SERVICE_UNAVAILABLE' })).toBe(before.unavailable + 2);
    expect(await rm.metric('read_model_reads_total', { view: 'delivery', source: 'fallback' })).toBe(before.fallback + 1);
  });
});

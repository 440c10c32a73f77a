import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@delivery/test-support';
import { errorCodes, postGraphQL } from './support/graphqlClient.ts';
import { Journey } from './support/journey.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

/** Queries by id, nesting, the list with its cursor, bad queries and the plugin's metrics. */
let suite: Suite;
let rm: ReadModelHarness;
const customerId = `customer-${randomUUID().slice(0, 8)}`;
const base = Date.now() - 3_600_000;
// Five orders of one customer, a minute apart; the first, third and fifth delivered.
const journeys = Array.from({ length: 5 }, (_, i) =>
  i % 2 === 0 ? Journey.delivered({ customerId, at: base + i * 60_000 }) : new Journey({ customerId, at: base + i * 60_000 }).place(),
);
const delivered = journeys[0]!;

const gql = (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => postGraphQL(rm.baseUrl, query, variables, headers);

beforeAll(async () => {
  suite = await startSuite('graphql');
  rm = suite.rm;
  await suite.kafka.produce(journeys.flatMap((j) => j.events));
  await suite.kafka.waitConsumed(rm.config.kafka.groupId);
});
afterAll(() => suite.destroy());

describe('queries by id', () => {
  it('given a delivered order when queried then every field as the REST view has it', async () => {
    const res = await gql(
      `query Order($id: ID!) { order(orderId: $id) {
        orderId status stage customerId storeId items { menuId name quantity unitPrice } totalAmount
        deliveryAddress { line lat lng } requestNote cancelReason version createdAt updatedAt } }`,
      { id: delivered.orderId },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const rest = (await rm.get(`/api/v1/orders/${delivered.orderId}`)).body;
    const { dispatch: _dispatch, delivery: _delivery, ...restFields } = rest;
    expect(res.body.data.order).toEqual(restFields);
    expect(res.body.data.order).toMatchObject({ orderId: delivered.orderId, status: 'ACCEPTED', stage: 'DELIVERED', customerId });
  });

  it('given a dispatch when queried by id then its view', async () => {
    const res = await gql(`{ dispatch(dispatchId: "${delivered.dispatchId}") { dispatchId orderId status riderId pickup { lat lng } dropoff { lat lng } cancelReason version } }`);
    expect(res.body).toEqual({
      data: {
        dispatch: {
          dispatchId: delivered.dispatchId,
          orderId: delivered.orderId,
          status: 'ACCEPTED',
          riderId: delivered.riderId,
          pickup: { lat: 37.51, lng: 127.01 },
          dropoff: { lat: 37.5, lng: 127.0 },
          cancelReason: null,
          version: 2,
        },
      },
    });
  });

  it('given a delivery when queried by id then its status, last location and times', async () => {
    const res = await gql(`{ delivery(deliveryId: "${delivered.deliveryId}") { deliveryId orderId dispatchId status riderId location { lat lng updatedAt } pickedUpAt deliveredAt version } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.delivery).toMatchObject({
      deliveryId: delivered.deliveryId,
      orderId: delivered.orderId,
      dispatchId: delivered.dispatchId,
      status: 'DELIVERED',
      riderId: delivered.riderId,
      location: { lat: 37.501, lng: 127.001, updatedAt: expect.any(String) },
      pickedUpAt: expect.any(String),
      deliveredAt: expect.any(String),
      version: 5,
    });
  });

  it('given a cancelled delivery when queried then CANCELLED with its reason, as the order\'s current delivery of an ACCEPTED order', async () => {
    const j = new Journey().place().accept().requestDispatch().acceptDispatch().createDelivery().cancelDispatch().cancelDelivery('store closed');
    await suite.kafka.produce(j.events);
    const query = `query Cancelled($id: ID!) { order(orderId: $id) { stage delivery { deliveryId status cancelReason } } }`;
    const res = await eventually(async () => {
      const answer = await gql(query, { id: j.orderId });
      return answer.body.data?.order?.stage === 'ACCEPTED' && answer.body.data.order.delivery?.status === 'CANCELLED' ? answer : undefined;
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.order).toEqual({ stage: 'ACCEPTED', delivery: { deliveryId: j.deliveryId, status: 'CANCELLED', cancelReason: 'store closed' } });
  });

  it('given an order with a dispatch and a delivery when queried with nesting then both, from their own views', async () => {
    const res = await gql(`query Nested($id: ID!) { order(orderId: $id) {
      stage dispatch { dispatchId status riderId pickup { lat } } delivery { deliveryId status location { lat lng } } } }`, { id: delivered.orderId });
    expect(res.body).toEqual({
      data: {
        order: {
          stage: 'DELIVERED',
          dispatch: { dispatchId: delivered.dispatchId, status: 'ACCEPTED', riderId: delivered.riderId, pickup: { lat: 37.51 } },
          delivery: { deliveryId: delivered.deliveryId, status: 'DELIVERED', location: { lat: 37.501, lng: 127.001 } },
        },
      },
    });
  });

  it('given a placed order when queried with nesting then dispatch and delivery are null without errors', async () => {
    const res = await gql(`{ order(orderId: "${journeys[1]!.orderId}") { stage dispatch { status } delivery { status } } }`);
    expect(res.body).toEqual({ data: { order: { stage: 'PLACED', dispatch: null, delivery: null } } });
  });

  it('given unknown ids when queried then null without errors (fallback has nothing either)', async () => {
    const res = await gql(`{ order(orderId: "${randomUUID()}") { status } dispatch(dispatchId: "${randomUUID()}") { status } delivery(deliveryId: "${randomUUID()}") { location { lat } } }`);
    expect([res.status, res.body]).toEqual([200, { data: { order: null, dispatch: null, delivery: null } }]);
  });

  it('given a malformed id when queried then a VALIDATION_FAILED field error naming the argument, other fields still answered', async () => {
    const res = await gql(`{ order(orderId: "12345") { status } known: order(orderId: "${delivered.orderId}") { stage } }`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ order: null, known: { stage: 'DELIVERED' } });
    expect(errorCodes(res.body)).toEqual({ order: 'VALIDATION_FAILED' });
    expect(res.body.errors[0].extensions.errors).toEqual([{ field: 'orderId', message: expect.any(String) }]);
  });
});

describe('orders (list)', () => {
  const page = `query Page($customerId: String, $stage: Stage, $limit: Int, $after: String) {
    orders(customerId: $customerId, stage: $stage, limit: $limit, after: $after) { items { orderId stage delivery { status } } nextCursor } }`;

  it('given five orders when paged by two then every order once, newest first, and a null cursor at the end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await gql(page, { customerId, limit: 2, after });
      expect(res.body.errors).toBeUndefined();
      seen.push(...(res.body.data.orders.items as { orderId: string }[]).map((o) => o.orderId));
      after = res.body.data.orders.nextCursor as string | null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(journeys.map((j) => j.orderId).reverse());
  });

  it('given a stage filter when listed then only orders in that stage, with their nested delivery', async () => {
    const res = await gql(page, { customerId, stage: 'DELIVERED' });
    expect(res.body.data.orders).toEqual({
      items: [journeys[4]!, journeys[2]!, journeys[0]!].map((j) => ({ orderId: j.orderId, stage: 'DELIVERED', delivery: { status: 'DELIVERED' } })),
      nextCursor: null,
    });
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ after: 'not-a-cursor' }, 'after'],
  ])('given %j when listed then a VALIDATION_FAILED error naming %s', async (variables, field) => {
    const res = await gql(page, { customerId, ...variables });
    expect(res.body.data).toBeNull();
    expect(errorCodes(res.body)).toEqual({ orders: 'VALIDATION_FAILED' });
    expect((res.body.errors[0].extensions.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });
});

describe('bad queries', () => {
  it.each([
    ['a syntax error', '{ order(orderId: "x") { status }', undefined, 'MALFORMED_REQUEST'],
    ['an unknown field', `{ order(orderId: "${randomUUID()}") { colour } }`, undefined, 'VALIDATION_FAILED'],
    ['a missing argument', '{ order { status } }', undefined, 'VALIDATION_FAILED'],
    ['a variable of the wrong type', 'query ($stage: Stage) { orders(stage: $stage) { nextCursor } }', { stage: 'SHIPPED' }, 'VALIDATION_FAILED'],
    // Found by the fuzz run (e2e/fuzz): both answered INTERNAL, from the executor.
    ['a mutation, which the schema has none of', 'mutation { placeOrder }', undefined, 'VALIDATION_FAILED'],
    ['a subscription, which the schema has none of', 'subscription { orders { nextCursor } }', undefined, 'VALIDATION_FAILED'],
  ])('given %s when posted then 400 with GraphQL errors coded from the catalogue, no stack trace', async (_case, query, variables, code) => {
    const res = await gql(query, variables);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const error of res.body.errors) {
      expect(error.extensions).toEqual({ code });
      expect(typeof error.message).toBe('string');
    }
  });

  it('given a body without a query when posted then 400 MALFORMED_REQUEST', async () => {
    const res = await fetch(`${rm.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('MALFORMED_REQUEST');
  });

  it.each([
    ['application/json; charset=utf-16', 'utf-16', (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['application/json; charset=UTF-16BE', 'utf-16be', (text: string) => Buffer.from(text, 'utf16le').swap16()],
    ['application/json; charset=latin1', 'latin1', (text: string) => Buffer.from(text, 'latin1')],
  ])('given a body declared as %s when posted then 415 problem+json naming %s, and no operation runs', async (contentType, charset, encode) => {
    const operations = () => rm.metric('graphql_operations_total');
    const before = await operations();
    const res = await fetch(`${rm.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: encode(JSON.stringify({ query: `{ order(orderId: "${delivered.orderId}") { stage } }` })),
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', charset });
    expect(await operations()).toBe(before);
  });

  it('given a body declared as UTF-8 by either name when posted then answered', async () => {
    for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset=utf8']) {
      const res = await gql(`{ order(orderId: "${delivered.orderId}") { stage } }`, undefined, { 'content-type': contentType });
      expect({ contentType, status: res.status, body: res.body }).toEqual({ contentType, status: 200, body: { data: { order: { stage: 'DELIVERED' } } } });
    }
  });
});

describe('transport and metrics', () => {
  it('serves GET queries, keeps a valid X-Request-Id and labels the HTTP metric with the route', async () => {
    const query = encodeURIComponent(`{ order(orderId: "${delivered.orderId}") { stage } }`);
    const served = () => rm.metric('http_server_request_duration_seconds_count', { route: '/graphql', status_class: '2xx' });
    const servedBefore = await served();
    const res = await fetch(`${rm.baseUrl}/graphql?query=${query}`, { headers: { 'x-request-id': 'gql-get-1', 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('gql-get-1');
    expect(await res.json()).toEqual({ data: { order: { stage: 'DELIVERED' } } });
    // Observed when the answer is flushed, which may be just after the client read it.
    await eventually(async () => (await served()) >= servedBefore + 1);
    expect(await served()).toBe(servedBefore + 1);
  });

  it('counts operations by outcome and errors by catalogue code', async () => {
    const before = {
      ok: await rm.metric('graphql_operations_total', { outcome: 'ok' }),
      partial: await rm.metric('graphql_operations_total', { outcome: 'partial' }),
      rejected: await rm.metric('graphql_operations_total', { outcome: 'rejected' }),
      validation: await rm.metric('graphql_errors_total', { code: 'VALIDATION_FAILED' }),
      timed: await rm.metric('graphql_operation_duration_seconds_count', { outcome: 'ok' }),
      found: await rm.metric('read_model_reads_total', { view: 'order', outcome: 'found' }),
    };
    await gql(`{ order(orderId: "${delivered.orderId}") { stage } }`);
    await gql(`{ order(orderId: "bad") { stage } known: order(orderId: "${delivered.orderId}") { stage } }`);
    await gql('{ order { stage } }');
    expect(await rm.metric('graphql_operations_total', { outcome: 'ok' })).toBe(before.ok + 1);
    expect(await rm.metric('graphql_operations_total', { outcome: 'partial' })).toBe(before.partial + 1);
    expect(await rm.metric('graphql_operations_total', { outcome: 'rejected' })).toBe(before.rejected + 1);
    expect(await rm.metric('graphql_errors_total', { code: 'VALIDATION_FAILED' })).toBe(before.validation + 2);
    expect(await rm.metric('graphql_operation_duration_seconds_count', { outcome: 'ok' })).toBe(before.timed + 1);
    // The service layer's own read counter sees GraphQL reads like REST ones.
    // Two orders found (the first query's and `known`); "bad" fails validation before any read.
    expect(await rm.metric('read_model_reads_total', { view: 'order', outcome: 'found' })).toBe(before.found + 2);
  });
});

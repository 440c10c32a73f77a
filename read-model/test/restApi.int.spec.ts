import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiErrors } from '@delivery/test-support';
import { Journey } from './support/journey.ts';
import { startSuite, type ReadModelHarness, type Suite } from './support/readModelHarness.ts';

let suite: Suite;
let rm: ReadModelHarness;
const customerId = `customer-${randomUUID().slice(0, 8)}`;
const base = Date.now() - 3_600_000;
// Seven orders of one customer, a minute apart; every third one delivered.
const journeys = Array.from({ length: 7 }, (_, i) =>
  i % 3 === 0 ? Journey.delivered({ customerId, at: base + i * 60_000 }) : new Journey({ customerId, at: base + i * 60_000 }).place(),
);

beforeAll(async () => {
  suite = await startSuite('rest-api');
  rm = suite.rm;
  await suite.kafka.produce(journeys.flatMap((j) => j.events));
  await suite.kafka.waitConsumed(rm.config.kafka.groupId);
});
afterAll(() => suite.destroy());

describe('GET /api/v1/orders (list)', () => {
  it('given seven orders when paged by two then every order once, newest first, and a null cursor at the end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await rm.get(`/api/v1/orders?customerId=${customerId}&limit=2${after ? `&after=${after}` : ''}`);
      expect([res.status, ['cache', 'store'].includes(res.source ?? '')]).toEqual([200, true]); // the index or MongoDB (orderListIndex.int.spec.ts)
      seen.push(...(res.body.items as { orderId: string }[]).map((o) => o.orderId));
      after = res.body.nextCursor as string | null;
      pages++;
    } while (after);
    expect(pages).toBe(4);
    expect(seen).toEqual(journeys.map((j) => j.orderId).reverse());
  });

  it('given a stage filter when listed then only orders in that stage', async () => {
    const res = await rm.get(`/api/v1/orders?customerId=${customerId}&stage=DELIVERED`);
    expect((res.body.items as { orderId: string; stage: string }[]).map((o) => o.orderId)).toEqual(
      [journeys[6]!, journeys[3]!, journeys[0]!].map((j) => j.orderId),
    );
    expect(res.body.nextCursor).toBeNull();
  });

  it.each([
    ['stage=SHIPPED', 'stage'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['after=not-a-cursor', 'after'],
    ['customerId=a&customerId=b', 'customerId'],
    ['colour=blue', 'colour'],
  ])('given ?%s when listed then 400 problem+json naming %s', async (query, field) => {
    const res = await rm.get(`/api/v1/orders?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });
});

describe('GET by id', () => {
  it.each(['orders', 'dispatches', 'deliveries'])('given a malformed id when GET /api/v1/%s/{id} then 400', async (plural) => {
    const res = await rm.get(`/api/v1/${plural}/12345`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: expect.stringMatching(/Id$/) }] });
  });

  it.each(['orders', 'dispatches', 'deliveries'])('given an unknown id when GET /api/v1/%s/{id} then 404 problem+json', async (plural) => {
    const res = await rm.get(`/api/v1/${plural}/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('keeps a valid X-Request-Id and answers commands with 405 and Allow', async () => {
    const get = await fetch(`${rm.baseUrl}/api/v1/orders/${journeys[0]!.orderId}`, { headers: { 'x-request-id': 'trace-123' } });
    expect(get.headers.get('x-request-id')).toBe('trace-123');
    const post = await fetch(`${rm.baseUrl}/api/v1/orders`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('/openapi.json', () => {
  it('documents the four GETs with schemas derived from the view contracts', async () => {
    const { body } = await rm.get('/openapi.json');
    expect(body.openapi).toBe('3.1.0');
    expect(await openApiErrors(body as object)).toEqual([]);
    expect(Object.keys(body.paths as object)).toEqual(['/api/v1/orders', '/api/v1/orders/{orderId}', '/api/v1/dispatches/{dispatchId}', '/api/v1/deliveries/{deliveryId}']);
    expect(body.components.schemas.OrderView.properties.stage.enum).toEqual(['PLACED', 'ACCEPTED', 'RIDER_ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED']);
    expect(body.components.schemas.OrderView.required).not.toContain('stage');
    expect(body.components.schemas.DeliveryView.properties.location).toBeDefined();
    expect((body.paths['/api/v1/orders'].get.parameters as { name: string }[]).map((p) => p.name)).toEqual(['customerId', 'stage', 'limit', 'after']);
  });
});

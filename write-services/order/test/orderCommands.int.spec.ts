import { randomUUID } from 'node:crypto';
import { eventually, placeOrderBody, validJourney, writeServicesUnderTest, type ServiceUnderTest, type WriteServicesUnderTest } from '@delivery/test-support';
import { describeBadInput, expectProblem } from '@delivery/test-support/jest';
import { OrderAccepted, OrderCancelled, OrderPlaced, OrderSnapshot, OrderUpdated, SNAPSHOT_BATCH_MAX, snapshotBatch } from '@delivery/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDeliveryService } from '@delivery/delivery-service';
import { startDispatchService } from '@delivery/dispatch-service';
import { startOrderService } from '../src/index.ts';

const placeBody = placeOrderBody(); // 21,000 in total

describe('order service (HTTP, MariaDB, Kafka; the delivery service settles its cancellations)', () => {
  let services: WriteServicesUnderTest;
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    services = await writeServicesUnderTest({ order: startOrderService, dispatch: startDispatchService, delivery: startDeliveryService });
    sut = services.order;
  });
  afterAll(async () => {
    await services.stop();
  });

  const place = async (headers: Record<string, string> = {}) => {
    const response = await sut.api.send('POST', '/api/v1/orders', placeBody, headers);
    expect(response.status).toBe(201);
    return response.body.orderId as string;
  };
  /** The order's rows in the outbox, [version, eventType]: final once its commands answered. */
  const outboxOf = async (orderId: string) =>
    (await sut.outbox()).filter((row) => row.aggregateId === orderId).map((row) => [row.version, row.eventType]);
  /**
   * Cancels the order and waits for its OrderCancelled (the marker): anything published for
   * the order before it, a duplicate included, arrived first on the order's partition.
   * Returns every event of the order seen, marker last.
   */
  const cancelAsMarker = async (orderId: string) => {
    expect((await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'marker' })).status).toBe(200);
    return sut.events.eventsUntilMarker(orderId, (event) => event.eventType === 'OrderCancelled');
  };

  describe('every command, with its event read back from order.event', () => {
    it('PlaceOrder answers 201 with PLACED v1 and publishes OrderPlaced carrying everything a view needs', async () => {
      const requestId = `place-${randomUUID()}`;
      const response = await sut.api.send('POST', '/api/v1/orders', placeBody, { 'X-Request-Id': requestId });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-request-id')).toBe(requestId);
      const { orderId } = response.body as { orderId: string };
      expect(response.body).toEqual({ orderId: expect.any(String), status: 'PLACED', version: 1 });

      const [record] = await sut.events.waitForEvents(orderId, 1).then(() => sut.events.recordsOf(orderId));
      const event = OrderPlaced.parse(record!.event);
      expect(event).toMatchObject({
        aggregateType: 'order',
        aggregateId: orderId,
        version: 1,
        correlationId: requestId,
        payload: { ...placeBody, totalAmount: 21_000, status: 'PLACED' },
      });
      expect(record!.key).toBe(orderId);
      expect(record!.headers).toEqual({ 'event-type': 'OrderPlaced', 'correlation-id': requestId, 'event-id': event.eventId });
    });

    it("stores the command's traceparent with its outbox rows and sends it as the Kafka header traceparent (tracing off: as it came)", async () => {
      const requestId = `traced-${randomUUID()}`;
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const orderId = await place({ 'X-Request-Id': requestId, traceparent });
      const [record] = await sut.events.waitForEvents(orderId, 1).then(() => sut.events.recordsOf(orderId));
      expect(record!.headers).toMatchObject({ 'correlation-id': requestId, traceparent });
      expect((await sut.outbox()).find((row) => row.aggregateId === orderId)).toMatchObject({ traceParent: traceparent });
      // An invalid one is neither stored nor sent.
      const untraced = await place({ traceparent: '00-not-a-traceparent' });
      expect((await sut.outbox()).find((row) => row.aggregateId === untraced)).toMatchObject({ traceParent: null });
    });

    it('AcceptOrder answers 200 ACCEPTED v2 and publishes OrderAccepted', async () => {
      const orderId = await place();
      const response = await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ orderId, status: 'ACCEPTED', version: 2 });
      const events = await sut.events.waitForEvents(orderId, 2);
      expect(OrderAccepted.parse(events[1])).toMatchObject({ version: 2, payload: { status: 'ACCEPTED' } });
    });

    it('UpdateOrder answers 200 v2 and publishes OrderUpdated with the changed fields', async () => {
      const orderId = await place();
      const change = { requestNote: 'ring twice', deliveryAddress: { line: '2 Teheran-ro', lat: 37.5, lng: 127.03 } };
      const response = await sut.api.send('PATCH', `/api/v1/orders/${orderId}`, change);
      expect(response.body).toEqual({ orderId, status: 'PLACED', version: 2 });
      const events = await sut.events.waitForEvents(orderId, 2);
      expect(OrderUpdated.parse(events[1])).toMatchObject({ version: 2, payload: change });
    });

    it('CancelOrder from PLACED and from ACCEPTED answers CANCELLED and publishes OrderCancelled with the reason', async () => {
      const placed = await place();
      const accepted = await place();
      await sut.api.send('POST', `/api/v1/orders/${accepted}/accept`, {});
      for (const [orderId, version] of [
        [placed, 2],
        [accepted, 3],
      ] as const) {
        const response = await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'out of stock' });
        expect(response.body).toEqual({ orderId, status: 'CANCELLED', version });
        const events = await sut.events.waitForEvents(orderId, version);
        expect(OrderCancelled.parse(events[version - 1])).toMatchObject({ version, payload: { reason: 'out of stock' } });
      }
    });

    it('the query API answers the OrderSnapshot of the contract with the current version', async () => {
      const orderId = await place();
      await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'duplicate' });
      const response = await sut.api.get(`/api/v1/orders/${orderId}`);
      expect(response.status).toBe(200);
      const snapshot = OrderSnapshot.strict().parse(response.body);
      expect(snapshot).toMatchObject({ orderId, status: 'CANCELLED', cancelReason: 'duplicate', version: 2, totalAmount: 21_000 });
    });

    it('the batch query API answers the snapshots of the ids that exist in one call, unknown ids left out', async () => {
      const [first, second] = [await place(), await place()];
      await sut.api.send('POST', `/api/v1/orders/${second}/accept`);
      const unknown = randomUUID();
      const response = await sut.api.get(`/api/v1/orders?ids=${first},${unknown},${second.toUpperCase()},${first}`);
      expect(response.status).toBe(200);
      const { items } = snapshotBatch(OrderSnapshot.strict()).parse(response.body);
      expect(items.map((o) => [o.orderId, o.version]).sort()).toEqual([[first, 1], [second, 2]].sort());
    });

    it('the batch query API refuses a missing, malformed or too long id list with a 400 naming ids', async () => {
      const tooMany = Array.from({ length: SNAPSHOT_BATCH_MAX + 1 }, () => randomUUID()).join(',');
      for (const query of ['', '?ids=', '?ids=not-a-uuid', `?ids=${tooMany}`]) {
        const response = await sut.api.get(`/api/v1/orders${query}`);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect([query, JSON.stringify(response.body)]).toEqual([query, expect.stringContaining('"field":"ids"')]);
      }
      expectProblem(await sut.api.get(`/api/v1/orders?ids=${randomUUID()}&status=PLACED`), 400, 'VALIDATION_FAILED');
    });
  });

  describe('forbidden transitions', () => {
    it('given an ACCEPTED order when accepted again or updated then 409 INVALID_TRANSITION and no event', async () => {
      const orderId = await place();
      await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`);
      expectProblem(await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`), 409, 'INVALID_TRANSITION');
      expectProblem(await sut.api.send('PATCH', `/api/v1/orders/${orderId}`, { requestNote: 'x' }), 409, 'INVALID_TRANSITION');
      expect(await outboxOf(orderId)).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderAccepted'],
      ]);
      const events = await cancelAsMarker(orderId);
      expect(events.map((e) => [e.version, e.eventType])).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderAccepted'],
        [3, 'OrderCancelled'],
      ]);
    });

    it('given a CANCELLED order when accepted or cancelled then 409', async () => {
      const orderId = await place();
      await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'r' });
      expectProblem(await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`), 409, 'INVALID_TRANSITION');
      expectProblem(await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'r' }), 409, 'INVALID_TRANSITION');
    });
  });

  describe('concurrency', () => {
    it('given one order when ten accepts race then exactly one wins and one OrderAccepted is published', async () => {
      const orderId = await place();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => sut.api.send('POST', `/api/v1/orders/${orderId}/accept`)),
      );
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      for (const loser of responses.filter((r) => r.status !== 200)) expectProblem(loser, 409);
      expect(await outboxOf(orderId)).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderAccepted'],
      ]);
      const events = await cancelAsMarker(orderId);
      expect(events.map((e) => e.eventType)).toEqual(['OrderPlaced', 'OrderAccepted', 'OrderCancelled']);
    });

    it('given one order when updates race then no update is lost: winners get consecutive versions, losers 409 VERSION_CONFLICT', async () => {
      const orderId = await place();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => sut.api.send('PATCH', `/api/v1/orders/${orderId}`, { requestNote: `note ${i}` })),
      );
      const winners = responses.filter((r) => r.status === 200);
      const losers = responses.filter((r) => r.status !== 200);
      expect(winners.length).toBeGreaterThanOrEqual(1);
      for (const loser of losers) expectProblem(loser, 409, 'VERSION_CONFLICT');
      expect(winners.map((r) => r.body.version as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: winners.length }, (_, i) => i + 2),
      );
      const snapshot = await sut.api.get(`/api/v1/orders/${orderId}`);
      expect(snapshot.body.version).toBe(1 + winners.length);
      const events = await sut.events.waitForEvents(orderId, 1 + winners.length);
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 1 + winners.length }, (_, i) => i + 1));
    });
  });

  describe('Idempotency-Key', () => {
    it('given a repeat with the same body then the first answer comes back and one event is written', async () => {
      const key = `place-${randomUUID()}`;
      const first = await sut.api.send('POST', '/api/v1/orders', placeBody, { 'Idempotency-Key': key, 'X-Request-Id': 'first-try' });
      const repeatId = `repeat-${randomUUID()}`;
      const repeat = await sut.api.send('POST', '/api/v1/orders', { ...placeBody }, { 'Idempotency-Key': key, 'X-Request-Id': repeatId });
      expect(first.status).toBe(201);
      expect({ status: repeat.status, body: repeat.body }).toEqual({ status: first.status, body: first.body });
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      const orderId = first.body.orderId as string;
      // The repeat answered, so whatever it committed is in the outbox: nothing, on any order.
      const outbox = await sut.outbox();
      expect(outbox.filter((row) => row.correlationId === repeatId)).toEqual([]);
      expect(outbox.filter((row) => row.aggregateId === orderId).map((row) => [row.eventType, row.correlationId])).toEqual([
        ['OrderPlaced', 'first-try'],
      ]);
      // On Kafka: a later command's event (the marker) follows the order's only event, and once
      // the tap read the whole topic as it stands after the marker, no partition holds the repeat.
      const events = await cancelAsMarker(orderId);
      expect(events.map((e) => [e.eventType, e.correlationId])).toEqual([
        ['OrderPlaced', 'first-try'],
        ['OrderCancelled', expect.any(String)],
      ]);
      await sut.events.caughtUp();
      expect(sut.events.received.filter((r) => r.event.correlationId === repeatId)).toEqual([]);
    });

    it('given concurrent repeats then one executes; the others replay it or answer 409 while it is in flight', async () => {
      const key = `race-${randomUUID()}`;
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => sut.api.send('POST', '/api/v1/orders', placeBody, { 'Idempotency-Key': key })),
      );
      const created = responses.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.orderId as string)).size).toBe(1);
      for (const other of responses.filter((r) => r.status !== 201)) expectProblem(other, 409, 'IDEMPOTENCY_IN_FLIGHT');
    });

    it('given a repeat with a different body then 422', async () => {
      const key = `mismatch-${randomUUID()}`;
      expect((await sut.api.send('POST', '/api/v1/orders', placeBody, { 'Idempotency-Key': key })).status).toBe(201);
      const other = await sut.api.send('POST', '/api/v1/orders', { ...placeBody, storeId: 'store-10' }, { 'Idempotency-Key': key });
      expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('given a refused command then its repeat replays the same 409', async () => {
      const orderId = await place();
      await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'r' });
      const key = `refused-${randomUUID()}`;
      const first = await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`, {}, { 'Idempotency-Key': key });
      const repeat = await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`, {}, { 'Idempotency-Key': key });
      expectProblem(first, 409, 'INVALID_TRANSITION');
      expect({ status: repeat.status, body: repeat.body }).toEqual({ status: first.status, body: first.body });
    });

    it('scopes keys by path: the same key on another order runs that command', async () => {
      const [a, b] = [await place(), await place()];
      const key = `scoped-${randomUUID()}`;
      expect((await sut.api.send('POST', `/api/v1/orders/${a}/accept`, {}, { 'Idempotency-Key': key })).body.orderId).toBe(a);
      expect((await sut.api.send('POST', `/api/v1/orders/${b}/accept`, {}, { 'Idempotency-Key': key })).body.orderId).toBe(b);
    });
  });

  describe('letter case of ids', () => {
    it('given the id in upper or mixed case then answers, rows, Kafka keys, the query API and the Idempotency-Key scope use it in lower case', async () => {
      const orderId = await place();
      const upper = orderId.toUpperCase();
      let letter = 0;
      const mixed = orderId.replace(/[a-f]/g, (c) => (letter++ % 2 === 0 ? c.toUpperCase() : c));
      const key = `cased-${randomUUID()}`;
      const accepted = await sut.api.send('POST', `/api/v1/orders/${upper}/accept`, {}, { 'Idempotency-Key': key });
      expect({ status: accepted.status, body: accepted.body }).toEqual({ status: 200, body: { orderId, status: 'ACCEPTED', version: 2 } });
      // The same key with the path spelled otherwise is the same command: replayed, not refused.
      const replayed = await sut.api.send('POST', `/api/v1/orders/${mixed}/accept`, {}, { 'Idempotency-Key': key });
      expect({ status: replayed.status, body: replayed.body }).toEqual({ status: 200, body: accepted.body });
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      const refused = await sut.api.send('POST', `/api/v1/orders/${mixed}/accept`);
      expectProblem(refused, 409, 'INVALID_TRANSITION');
      expect(refused.body.instance).toBe(`/api/v1/orders/${orderId}/accept`);

      const snapshot = await sut.api.get(`/api/v1/orders/${upper}`);
      expect(snapshot.status).toBe(200);
      expect(snapshot.body).toMatchObject({ orderId, status: 'ACCEPTED', version: 2 });

      expect(await outboxOf(orderId)).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderAccepted'],
      ]);
      await cancelAsMarker(orderId);
      await sut.events.caughtUp();
      const records = sut.events.recordsOf(orderId);
      expect(records.map((r) => [r.key, r.event.eventType])).toEqual([
        [orderId, 'OrderPlaced'],
        [orderId, 'OrderAccepted'],
        [orderId, 'OrderCancelled'],
      ]);
    });
  });

  describe('reaction: a cancellation the delivery service settled is finished', () => {
    it('given the deliveries settled for a cancellation the order service never committed then DeliveryCancelled finishes it, once', async () => {
      const apis = { order: services.order.api, dispatch: services.dispatch.api, delivery: services.delivery.api };
      const { orderId, deliveryId } = await validJourney.readyDelivery(apis);
      // What CancelOrder does first; as if its own commit had then failed.
      const settled = await services.delivery.api.send('POST', '/internal/v1/order-cancellations', { orderId, reason: 'kitchen closed' });
      expect([settled.status, settled.body]).toEqual([200, { cancelled: [deliveryId] }]);
      await eventually(async () => (await sut.api.get(`/api/v1/orders/${orderId}`)).body.status === 'CANCELLED', {
        what: 'the order to be cancelled by the reaction',
      });
      expect((await sut.api.get(`/api/v1/orders/${orderId}`)).body).toMatchObject({ cancelReason: 'kitchen closed', version: 3 });
      // The order's own cancellation, once it is in, settles nothing more and is refused as a repeat.
      expectProblem(await sut.api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'again' }), 409, 'INVALID_TRANSITION');
      expect((await outboxOf(orderId)).filter(([, type]) => type === 'OrderCancelled')).toEqual([[3, 'OrderCancelled']]);
    });
  });

  describeBadInput({
    sut: () => sut,
    createPath: '/api/v1/orders',
    validBody: placeBody,
    wrongTypes: {
      body: { ...placeBody, customerId: 42, items: [{ ...placeBody.items[0], quantity: 'two' }], deliveryAddress: { line: 'x', lat: 'north', lng: 127 } },
      fields: ['customerId', 'items.0.quantity', 'deliveryAddress.lat'],
    },
    missingFields: { body: { customerId: 'c' }, fields: ['storeId', 'items', 'deliveryAddress'] },
    itemCommand: { method: 'POST', action: '/cancel', body: { reason: 'r' } },
  });

  describe('order-specific validation', () => {
    it('given items whose total exceeds the largest amount of the contract then 400 naming items', async () => {
      const items = [{ menuId: 'm-1', name: 'Gold leaf', quantity: 100, unitPrice: 100_000_000 }];
      const response = await sut.api.send('POST', '/api/v1/orders', { ...placeBody, items });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([{ field: 'items', message: 'the order total exceeds the largest amount allowed' }]);
    });

    it('given an update with nothing to change then 400, and with a status field then 400 naming it', async () => {
      const orderId = await place();
      expectProblem(await sut.api.send('PATCH', `/api/v1/orders/${orderId}`, {}), 400, 'VALIDATION_FAILED');
      const sneaky = await sut.api.send('PATCH', `/api/v1/orders/${orderId}`, { requestNote: 'x', status: 'ACCEPTED' });
      expectProblem(sneaky, 400, 'VALIDATION_FAILED');
      expect(sneaky.body.errors).toEqual([{ field: 'status', message: 'unknown field' }]);
      expect((await sut.api.get(`/api/v1/orders/${orderId}`)).body).toMatchObject({ status: 'PLACED', version: 1 });
    });
  });

  describe('operations', () => {
    it('serves an OpenAPI document whose bodies come from the command schemas', async () => {
      const doc = (await sut.api.get('/openapi.json')).body;
      expect(Object.keys(doc.paths as object).sort()).toEqual([
        '/api/v1/orders',
        '/api/v1/orders/{orderId}',
        '/api/v1/orders/{orderId}/accept',
        '/api/v1/orders/{orderId}/cancel',
      ]);
      const placeSchema = doc.paths['/api/v1/orders'].post.requestBody.content['application/json'].schema;
      expect(placeSchema.required).toEqual(expect.arrayContaining(['customerId', 'storeId', 'items', 'deliveryAddress']));
      expect(placeSchema.additionalProperties).toBe(false);
      // A body is required where the command has required fields; accepting has none.
      expect(doc.paths['/api/v1/orders'].post.requestBody.required).toBe(true);
      expect(doc.paths['/api/v1/orders/{orderId}/accept'].post.requestBody.required).toBe(false);
      // Every answer the command can give is listed, from the catalogue (a creating command has no 404).
      expect(Object.keys(doc.paths['/api/v1/orders'].post.responses as object).sort()).toEqual(['201', '400', '409', '413', '415', '422', '500', '503']);
      expect(Object.keys(doc.paths['/api/v1/orders/{orderId}/accept'].post.responses as object)).toContain('404');
      expect(doc.paths['/api/v1/orders/{orderId}/cancel'].post.responses['409'].description).toContain('RULE_VIOLATED');
      expect(doc.paths['/api/v1/orders/{orderId}'].patch.operationId).toBe('UpdateOrder');
      expect(doc.paths['/api/v1/orders/{orderId}'].get.responses['200']).toBeDefined();
    });

    it('exposes command outcomes, route latency and the outbox backlog in /metrics', async () => {
      const acceptRoute = { route: '/api/v1/orders/:orderId/accept' };
      const series = {
        placed: ['commands_total', { command: 'PlaceOrder', outcome: 'accepted' }],
        accepted: ['commands_total', { command: 'AcceptOrder', outcome: 'accepted' }],
        refused: ['commands_total', { command: 'AcceptOrder', outcome: 'invalid_transition' }],
        acceptLatency: ['http_server_request_duration_seconds_count', acceptRoute],
      } as const;
      const read = async () =>
        Object.fromEntries(
          await Promise.all(Object.entries(series).map(async ([key, [name, labels]]) => [key, await sut.api.metric(name, labels)] as const)),
        ) as Record<keyof typeof series, number>;
      const before = await read();
      const orderId = await place();
      expect((await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`)).status).toBe(200);
      expectProblem(await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`), 409, 'INVALID_TRANSITION');
      // The latency is observed when the answer is flushed, which may be just after the client read it.
      await eventually(async () => (await sut.api.metric(...series.acceptLatency)) >= before.acceptLatency + 2);
      expect(await read()).toEqual({
        placed: before.placed + 1,
        accepted: before.accepted + 1,
        refused: before.refused + 1,
        acceptLatency: before.acceptLatency + 2,
      });
      // Every event of the suite is published in the end: the backlog drains to nothing.
      await eventually(async () => (await sut.api.metric('outbox_backlog_events', { service: 'order-service' })) === 0);
      expect(await sut.api.metric('outbox_oldest_unsent_age_seconds', { service: 'order-service' })).toBe(0);
      expect((await sut.outbox()).filter((row) => !row.sent)).toEqual([]);
      const metrics = (await sut.api.get('/metrics')).text;
      expect(metrics).toMatch(/commands_total\{command="PlaceOrder",outcome="accepted"/);
      expect(metrics).toMatch(/commands_total\{command="AcceptOrder",outcome="invalid_transition"/);
      expect(metrics).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/orders\/:orderId\/accept"/);
      expect(metrics).toMatch(/outbox_backlog_events\{service="order-service"\} \d+/);
      expect(metrics).toMatch(/outbox_oldest_unsent_age_seconds\{service="order-service"\} [\d.]+/);
    });

    it('is live and ready while the database answers', async () => {
      expect((await sut.api.get('/health/live')).status).toBe(200);
      const ready = await sut.api.get('/health/ready');
      expect(ready.body).toMatchObject({ status: 'UP', checks: { database: true } });
    });
  });
});

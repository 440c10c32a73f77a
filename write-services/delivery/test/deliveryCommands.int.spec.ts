import { randomUUID } from 'node:crypto';
import {
  eventually,
  redeliver,
  validJourney,
  waitCommittedPast,
  writeServicesUnderTest,
  type CommandApis,
  type ServiceUnderTest,
  type WriteServicesUnderTest,
} from '@delivery/test-support';
import { describeBadInput, expectProblem } from '@delivery/test-support/jest';
import {
  DeliveryCancelled,
  DeliveryCompleted,
  DeliveryCreated,
  DeliveryLocationUpdated,
  DeliveryPickedUp,
  DeliverySnapshot,
  DispatchCancelled,
  EVENT_TOPICS,
} from '@delivery/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDispatchService } from '@delivery/dispatch-service';
import { startOrderService } from '@delivery/order-service';
import { startDeliveryService } from '../src/index.ts';

describe('delivery service (HTTP, MariaDB, Kafka; the order and dispatch services it asks)', () => {
  let services: WriteServicesUnderTest;
  let sut: ServiceUnderTest;
  let apis: CommandApis;
  beforeAll(async () => {
    services = await writeServicesUnderTest({ order: startOrderService, dispatch: startDispatchService, delivery: startDeliveryService });
    sut = services.delivery;
    apis = { order: services.order.api, dispatch: services.dispatch.api, delivery: services.delivery.api };
  });
  afterAll(async () => {
    await services.stop();
  });

  /** A CreateDelivery body for a new dispatch accepted by rider-7. */
  const createBody = () => validJourney.acceptedDispatch(apis, 'rider-7');

  const create = async (body?: Awaited<ReturnType<typeof createBody>>) => {
    const response = await sut.api.send('POST', '/api/v1/deliveries', body ?? (await createBody()));
    expect(response.status).toBe(201);
    return response.body.deliveryId as string;
  };

  describe('every command, with its event read back from delivery.event', () => {
    it('runs a delivery from READY through PICKED_UP to DELIVERED, publishing each event with orderId and dispatchId', async () => {
      const body = await createBody();
      const requestId = `delivery-${randomUUID()}`;
      const created = await sut.api.send('POST', '/api/v1/deliveries', body, { 'X-Request-Id': requestId });
      const deliveryId = created.body.deliveryId as string;
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ deliveryId, status: 'READY', version: 1 });

      const moved = await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.52, lng: 127.01 });
      expect(moved.body).toEqual({ deliveryId, status: 'READY', version: 2 });
      const pickedUp = await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`);
      expect(pickedUp.body).toEqual({ deliveryId, status: 'PICKED_UP', version: 3 });
      const movedAgain = await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.51, lng: 127.02 });
      expect(movedAgain.body).toEqual({ deliveryId, status: 'PICKED_UP', version: 4 });
      const completed = await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/complete`, {});
      expect(completed.body).toEqual({ deliveryId, status: 'DELIVERED', version: 5 });

      const events = await sut.events.waitForEvents(deliveryId, 5);
      const ref = { orderId: body.orderId, dispatchId: body.dispatchId };
      expect(DeliveryCreated.parse(events[0])).toMatchObject({ version: 1, correlationId: requestId, payload: { ...ref, riderId: 'rider-7' } });
      expect(DeliveryLocationUpdated.parse(events[1])).toMatchObject({ version: 2, payload: { ...ref, lat: 37.52, lng: 127.01 } });
      expect(DeliveryPickedUp.parse(events[2])).toMatchObject({ version: 3, payload: ref });
      expect(DeliveryLocationUpdated.parse(events[3])).toMatchObject({ version: 4, payload: { ...ref, lat: 37.51 } });
      expect(DeliveryCompleted.parse(events[4])).toMatchObject({ version: 5, payload: { ...ref, status: 'DELIVERED' } });
      expect(sut.events.recordsOf(deliveryId).every((r) => r.key === deliveryId)).toBe(true);
    });

    it('the query API answers the DeliverySnapshot with the current location', async () => {
      const deliveryId = await create();
      await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.4, lng: 127.1 });
      const response = await sut.api.get(`/api/v1/deliveries/${deliveryId}`);
      const snapshot = DeliverySnapshot.strict().parse(response.body);
      expect(snapshot).toMatchObject({ deliveryId, status: 'READY', version: 2, location: { lat: 37.4, lng: 127.1 } });
      expect(snapshot.location?.updatedAt).toBe(snapshot.updatedAt);
    });

    it('a fresh delivery has no location yet', async () => {
      const deliveryId = await create();
      expect((await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body.location).toBeNull();
    });
  });

  describe('forbidden transitions and races', () => {
    it('given READY when completed then 409; given DELIVERED when moved or picked up then 409', async () => {
      const deliveryId = await create();
      expectProblem(await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/complete`), 409, 'INVALID_TRANSITION');
      await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`);
      await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/complete`);
      expectProblem(
        await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 1, lng: 1 }),
        409,
        'INVALID_TRANSITION',
      );
      expectProblem(await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`), 409, 'INVALID_TRANSITION');
    });

    it('given one delivery when pickups race then exactly one wins', async () => {
      const deliveryId = await create();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`)),
      );
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      for (const loser of responses.filter((r) => r.status !== 200)) expectProblem(loser, 409);
    });

    it('given an Idempotency-Key on a location update then its repeat is replayed, not applied twice', async () => {
      const deliveryId = await create();
      const key = randomUUID();
      const first = await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 2, lng: 2 }, { 'Idempotency-Key': key });
      const repeat = await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lng: 2, lat: 2 }, { 'Idempotency-Key': key });
      expect(repeat.body).toEqual(first.body);
      expect((await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body.version).toBe(2);
    });
  });

  describe('CancelDelivery (internal only: the settlement of a cancelled order or dispatch)', () => {
    const settleDispatch = (body: { orderId: string; dispatchId: string }, reason: unknown, headers: Record<string, string> = {}) =>
      sut.api.send('POST', '/internal/v1/dispatch-cancellations', { orderId: body.orderId, dispatchId: body.dispatchId, reason }, headers);

    it('given READY when its dispatch is cancelled then CANCELLED with its reason, and DeliveryCancelled reaches delivery.event with orderId, dispatchId and reason', async () => {
      const body = await createBody();
      const deliveryId = await create(body);
      const requestId = `delivery-cancel-${randomUUID()}`;
      const settled = await settleDispatch(body, 'dispatch cancelled', { 'X-Request-Id': requestId });
      expect([settled.status, settled.body]).toEqual([200, { cancelled: [deliveryId] }]);

      const events = await sut.events.waitForEvents(deliveryId, 2);
      const event = DeliveryCancelled.parse(events[1]);
      expect(event).toMatchObject({
        aggregateType: 'delivery',
        aggregateId: deliveryId,
        version: 2,
        correlationId: requestId,
        payload: { orderId: body.orderId, dispatchId: body.dispatchId, status: 'CANCELLED', reason: 'dispatch cancelled' },
      });
      const record = sut.events.recordsOf(deliveryId)[1];
      expect(record?.key).toBe(deliveryId);
      expect(record?.headers).toEqual({ 'event-type': 'DeliveryCancelled', 'correlation-id': requestId, 'event-id': event.eventId });

      const snapshot = DeliverySnapshot.strict().parse((await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body);
      expect(snapshot).toMatchObject({ deliveryId, status: 'CANCELLED', cancelReason: 'dispatch cancelled', version: 2 });
    });

    it('given CANCELLED when settled again then nothing more is cancelled; a pickup or a move is refused', async () => {
      const body = await createBody();
      const deliveryId = await create(body);
      expect((await settleDispatch(body, 'dispatch cancelled')).body).toEqual({ cancelled: [deliveryId] });
      expect((await settleDispatch(body, 'again')).body).toEqual({ cancelled: [] });
      expectProblem(await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`), 409, 'INVALID_TRANSITION');
      expectProblem(await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 1, lng: 1 }), 409, 'INVALID_TRANSITION');
      const snapshot = (await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body;
      expect(snapshot).toMatchObject({ status: 'CANCELLED', cancelReason: 'dispatch cancelled', version: 2, location: null });
    });

    it('given PICKED_UP when its dispatch is cancelled then 409 DELIVERY_UNDER_WAY; the delivery goes on and no DeliveryCancelled is published', async () => {
      const body = await createBody();
      const deliveryId = await create(body);
      expect((await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`)).status).toBe(200);
      const refused = await settleDispatch(body, 'dispatch cancelled');
      expectProblem(refused, 409, 'RULE_VIOLATED');
      expect(refused.body).toMatchObject({ rule: 'DELIVERY_UNDER_WAY', deliveries: [deliveryId] });
      expect((await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body).toMatchObject({ status: 'PICKED_UP', cancelReason: null, version: 2 });
      // The completion is the marker: a DeliveryCancelled published before it would have arrived first.
      expect((await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/complete`)).body).toEqual({ deliveryId, status: 'DELIVERED', version: 3 });
      const events = await sut.events.eventsUntilMarker(deliveryId, (e) => e.eventType === 'DeliveryCompleted');
      expect(events.map((e) => e.eventType)).toEqual(['DeliveryCreated', 'DeliveryPickedUp', 'DeliveryCompleted']);
    });

    it('without a reason, or an empty one, then 400 naming reason and nothing is cancelled', async () => {
      const body = await createBody();
      const deliveryId = await create(body);
      for (const reason of [undefined, '', 7, 'x'.repeat(501)]) {
        const response = await settleDispatch(body, reason);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect((response.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('reason');
      }
      expect((await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body).toMatchObject({ status: 'READY', version: 1 });
    });

    it('is no public command: no route, nothing in the OpenAPI document', async () => {
      const deliveryId = await create();
      expectProblem(await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/cancel`, { reason: 'x' }), 404, 'ROUTE_NOT_FOUND');
      const doc = (await sut.api.get('/openapi.json')).body;
      expect(doc.paths['/api/v1/deliveries/{deliveryId}/cancel']).toBeUndefined();
    });
  });

  describe('reactions: a cancelled dispatch or order cancels its READY delivery', () => {
    it('given a DispatchCancelled the synchronous settlement never saw (a failure in between) then the reaction cancels the READY delivery, once', async () => {
      const body = await createBody();
      const deliveryId = await create(body);
      // What the dispatch service would publish had it cancelled without the delivery service's answer.
      const event = DispatchCancelled.parse({
        eventId: randomUUID(),
        eventType: 'DispatchCancelled',
        aggregateType: 'dispatch',
        aggregateId: body.dispatchId,
        version: 3,
        occurredAt: new Date().toISOString(),
        correlationId: `reaction-${deliveryId}`,
        payload: { orderId: body.orderId, status: 'CANCELLED', reason: 'rider lost' },
      });
      const first = await redeliver(EVENT_TOPICS.dispatch, body.dispatchId, JSON.stringify(event));
      await eventually(async () => (await sut.api.get(`/api/v1/deliveries/${deliveryId}`)).body.status === 'CANCELLED', {
        what: 'the delivery to be cancelled by the reaction',
      });
      const again = await redeliver(EVENT_TOPICS.dispatch, body.dispatchId, JSON.stringify(event));
      await waitCommittedPast(sut.reactionsGroupId, again);
      expect(Number(again.offset)).toBeGreaterThan(Number(first.offset));
      const cancellations = (await sut.outbox()).filter((row) => row.aggregateId === deliveryId && row.eventType === 'DeliveryCancelled');
      expect(cancellations.map((row) => [row.version, row.correlationId])).toEqual([[2, `reaction-${deliveryId}`]]);
      // The dispatch is recorded as cancelled here: no new delivery starts on it.
      expect((await sut.api.send('POST', '/api/v1/deliveries', body)).body).toMatchObject({ rule: 'DISPATCH_NOT_ACCEPTED' });
    });
  });

  describeBadInput({
    sut: () => sut,
    createPath: '/api/v1/deliveries',
    validBody: createBody,
    wrongTypes: { body: { orderId: randomUUID(), dispatchId: 7, riderId: ['r'] }, fields: ['dispatchId', 'riderId'] },
    missingFields: { body: { riderId: 'r' }, fields: ['orderId', 'dispatchId'] },
    itemCommand: { method: 'PUT', action: '/location', body: { lat: 1, lng: 1 } },
  });

  it('rejects a location off the globe and a pickup with a body field it does not take', async () => {
    const deliveryId = await create();
    expectProblem(await sut.api.send('PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 100, lng: 0 }), 400);
    expectProblem(await sut.api.send('POST', `/api/v1/deliveries/${deliveryId}/pickup`, { when: 'now' }), 400);
  });
});

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
import { DispatchAccepted, DispatchCancelled, DispatchRequested, DispatchSnapshot, EVENT_TOPICS, type DomainEvent } from '@delivery/contracts';
import { startDeliveryService } from '@delivery/delivery-service';
import { startOrderService } from '@delivery/order-service';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDispatchService } from '../src/index.ts';

describe('dispatch service (HTTP, MariaDB, Kafka; the order and delivery services it asks)', () => {
  let services: WriteServicesUnderTest;
  let sut: ServiceUnderTest;
  let apis: CommandApis;
  beforeAll(async () => {
    services = await writeServicesUnderTest({ order: startOrderService, dispatch: startDispatchService, delivery: startDeliveryService });
    sut = services.dispatch;
    apis = { order: services.order.api, dispatch: services.dispatch.api, delivery: services.delivery.api };
  });
  afterAll(async () => {
    await services.stop();
  });

  /** A RequestDispatch body for a new ACCEPTED order. */
  const requestBody = async () => ({ orderId: await validJourney.acceptedOrder(apis), pickup: { lat: 37.56, lng: 126.97 }, dropoff: { lat: 37.5, lng: 127.03 } });

  const request = async (body?: Awaited<ReturnType<typeof requestBody>>) => {
    const response = await sut.api.send('POST', '/api/v1/dispatches', body ?? (await requestBody()));
    expect(response.status).toBe(201);
    return response.body.dispatchId as string;
  };

  describe('every command, with its event read back from dispatch.event', () => {
    it('RequestDispatch answers 201 REQUESTED v1 and publishes DispatchRequested', async () => {
      const body = await requestBody();
      const requestId = `dispatch-${randomUUID()}`;
      const response = await sut.api.send('POST', '/api/v1/dispatches', body, { 'X-Request-Id': requestId });
      expect(response.status).toBe(201);
      const dispatchId = response.body.dispatchId as string;
      expect(response.body).toEqual({ dispatchId, status: 'REQUESTED', version: 1 });
      await sut.events.waitForEvents(dispatchId, 1);
      const [record] = sut.events.recordsOf(dispatchId);
      expect(DispatchRequested.parse(record!.event)).toMatchObject({
        aggregateType: 'dispatch',
        version: 1,
        correlationId: requestId,
        payload: { ...body, status: 'REQUESTED' },
      });
      expect(record!.key).toBe(dispatchId);
      expect(record!.headers).toMatchObject({ 'event-type': 'DispatchRequested', 'correlation-id': requestId });
    });

    it('AcceptDispatch answers 200 ACCEPTED v2 and publishes DispatchAccepted with the rider and the orderId', async () => {
      const body = await requestBody();
      const dispatchId = await request(body);
      const response = await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-7' });
      expect(response.body).toEqual({ dispatchId, status: 'ACCEPTED', version: 2 });
      const events = await sut.events.waitForEvents(dispatchId, 2);
      expect(DispatchAccepted.parse(events[1])).toMatchObject({ payload: { orderId: body.orderId, riderId: 'rider-7' } });
    });

    it('CancelDispatch from REQUESTED (no body) and from ACCEPTED (with a reason) publishes DispatchCancelled', async () => {
      const requested = await request();
      const accepted = await request();
      await sut.api.send('POST', `/api/v1/dispatches/${accepted}/accept`, { riderId: 'rider-1' });
      const first = await sut.api.send('POST', `/api/v1/dispatches/${requested}/cancel`);
      expect(first.body).toEqual({ dispatchId: requested, status: 'CANCELLED', version: 2 });
      const second = await sut.api.send('POST', `/api/v1/dispatches/${accepted}/cancel`, { reason: 'rider fell ill' });
      expect(second.body).toEqual({ dispatchId: accepted, status: 'CANCELLED', version: 3 });
      expect(DispatchCancelled.parse((await sut.events.waitForEvents(requested, 2))[1]).payload.reason).toBeNull();
      expect(DispatchCancelled.parse((await sut.events.waitForEvents(accepted, 3))[2]).payload.reason).toBe('rider fell ill');
    });

    it('the query API answers the DispatchSnapshot of the contract', async () => {
      const body = await requestBody();
      const dispatchId = await request(body);
      await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-2' });
      const response = await sut.api.get(`/api/v1/dispatches/${dispatchId}`);
      expect(DispatchSnapshot.strict().parse(response.body)).toMatchObject({
        dispatchId,
        orderId: body.orderId,
        riderId: 'rider-2',
        status: 'ACCEPTED',
        version: 2,
      });
    });
  });

  describe('forbidden transitions and races', () => {
    it('given an ACCEPTED dispatch when accepted again then 409; given CANCELLED when cancelled again then 409', async () => {
      const dispatchId = await request();
      await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-1' });
      expectProblem(
        await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-2' }),
        409,
        'INVALID_TRANSITION',
      );
      await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/cancel`, {});
      expectProblem(await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/cancel`, {}), 409, 'INVALID_TRANSITION');
    });

    it('given one dispatch when riders race to accept then exactly one gets it', async () => {
      const dispatchId = await request();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: `rider-${i}` })),
      );
      const winners = responses.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of responses.filter((r) => r.status !== 200)) expectProblem(loser, 409);
      const snapshot = await sut.api.get(`/api/v1/dispatches/${dispatchId}`);
      expect(snapshot.body).toMatchObject({ status: 'ACCEPTED', version: 2 });
      const rows = (await sut.outbox()).filter((row) => row.aggregateId === dispatchId);
      expect(rows.map((row) => [row.version, row.eventType])).toEqual([
        [1, 'DispatchRequested'],
        [2, 'DispatchAccepted'],
      ]);
      expect(rows[1]!.event.payload).toMatchObject({ riderId: snapshot.body.riderId });
    });

    it('given an Idempotency-Key repeat then the first answer is replayed and one event written', async () => {
      const key = randomUUID();
      const body = await requestBody();
      const first = await sut.api.send('POST', '/api/v1/dispatches', body, { 'Idempotency-Key': key });
      const repeat = await sut.api.send('POST', '/api/v1/dispatches', body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(repeat.status).toBe(201);
      expect(repeat.body).toEqual(first.body);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      const dispatchId = first.body.dispatchId as string;
      const forThisOrder = (event: DomainEvent) => event.eventType === 'DispatchRequested' && event.payload.orderId === body.orderId;
      // Both answered, so what they committed is in the outbox: one request, on the first dispatch.
      expect((await sut.outbox()).filter((row) => forThisOrder(row.event)).map((row) => row.aggregateId)).toEqual([dispatchId]);
      // On Kafka: a later command's event (the marker) follows the dispatch's only event, and once
      // the tap read the whole topic as it stands after the marker, no partition holds a second request.
      expect((await sut.api.send('POST', `/api/v1/dispatches/${dispatchId}/cancel`)).status).toBe(200);
      const events = await sut.events.eventsUntilMarker(dispatchId, (event) => event.eventType === 'DispatchCancelled');
      expect(events.map((e) => e.eventType)).toEqual(['DispatchRequested', 'DispatchCancelled']);
      await sut.events.caughtUp();
      expect(sut.events.received.filter((r) => forThisOrder(r.event)).map((r) => r.event.aggregateId)).toEqual([dispatchId]);
    });
  });

  describe('reaction: OrderCancelled cancels the order\'s open dispatch', () => {
    /** The dispatch's DispatchCancelled rows in the outbox: final once its commands (and reactions) committed. */
    const cancellationsOf = async (dispatchId: string) =>
      (await sut.outbox()).filter((row) => row.aggregateId === dispatchId && row.eventType === 'DispatchCancelled');
    const cancelledEventually = (dispatchId: string) =>
      eventually(async () => (await sut.api.get(`/api/v1/dispatches/${dispatchId}`)).body.status === 'CANCELLED', {
        what: `dispatch ${dispatchId} to be cancelled by the reaction`,
      });

    it('given an order with an open dispatch when the order is cancelled then the dispatch is cancelled once, even when the event arrives twice', async () => {
      const { orderId, dispatchId } = await validJourney.requestedDispatch(apis);
      expect((await apis.order.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'store closed' })).status).toBe(200);
      await cancelledEventually(dispatchId);
      const [cancellation] = await cancellationsOf(dispatchId);
      expect(cancellation?.event).toMatchObject({ version: 2, payload: { orderId, reason: 'store closed' } });
      expectProblem(await sut.api.send('POST', '/api/v1/dispatches', { ...(await requestBody()), orderId }), 409, 'RULE_VIOLATED');

      // The same OrderCancelled once more, as a replay would deliver it; once the reactions'
      // group has committed past it, it was handled: and it changed nothing.
      const orderCancelled = (await services.order.outbox()).find((row) => row.aggregateId === orderId && row.eventType === 'OrderCancelled');
      const again = await redeliver(EVENT_TOPICS.order, orderId, JSON.stringify(orderCancelled!.event));
      await waitCommittedPast(sut.reactionsGroupId, again);
      expect((await cancellationsOf(dispatchId)).map((row) => row.version)).toEqual([2]);
      expect((await sut.api.get(`/api/v1/dispatches/${dispatchId}`)).body).toMatchObject({ status: 'CANCELLED', version: 2 });
    });

    it('given the dispatch service down when the order is cancelled then its dispatch is cancelled once after it restarts', async () => {
      const { orderId, dispatchId } = await validJourney.requestedDispatch(apis);
      const port = Number(new URL(sut.service.url).port);
      await sut.service.close();
      expect((await apis.order.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'customer left' })).status).toBe(200);
      sut.service = await sut.startInstance({ port });
      await cancelledEventually(dispatchId);
      expect((await cancellationsOf(dispatchId)).map((row) => row.version)).toEqual([2]);
    });
  });

  describeBadInput({
    sut: () => sut,
    createPath: '/api/v1/dispatches',
    validBody: requestBody,
    wrongTypes: { body: { orderId: 12, pickup: { lat: 'x', lng: 1 }, dropoff: [] }, fields: ['orderId', 'pickup.lat', 'dropoff'] },
    missingFields: { body: {}, fields: ['orderId', 'pickup', 'dropoff'] },
    itemCommand: { method: 'POST', action: '/accept', body: { riderId: 'rider-1' } },
  });

  it('rejects an orderId that is not a UUID and a pickup off the globe', async () => {
    const response = await sut.api.send('POST', '/api/v1/dispatches', { ...(await requestBody()), orderId: 'order-1', pickup: { lat: 91, lng: 0 } });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect((response.body.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['orderId', 'pickup.lat']));
  });
});

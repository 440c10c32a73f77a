import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  commandClient,
  eventually,
  openApiErrors,
  placeOrderBody,
  sameApiForAll,
  validJourney,
  writeServicesUnderTest,
  type CommandApis,
  type CommandClient,
  type WriteServicesUnderTest,
} from '@delivery/test-support';
import { expectProblem } from '@delivery/test-support/jest';
import { startDeliveryService } from '@delivery/delivery-service';
import { startDispatchService } from '@delivery/dispatch-service';
import { startOrderService } from '@delivery/order-service';
import { send } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';

// The gateway in front of the three real write services (real MariaDB and Kafka), wired to
// each other: a command of each reaches its service, answers pass through unchanged, the
// request id the client sent becomes the event's correlationId, and the rules across
// aggregates (architecture.md) refuse what the domain forbids.
describe('gateway in front of the real write services', () => {
  let services: WriteServicesUnderTest;
  let gateway: TestGateway;
  let api: CommandClient;
  let apis: CommandApis;

  beforeAll(async () => {
    services = await writeServicesUnderTest({ order: startOrderService, dispatch: startDispatchService, delivery: startDeliveryService });
    gateway = await startTestGateway(
      // Real services on a shared machine: a first command (pools opening, statements first
      // prepared) under the other suites' load may take longer than the unit suites' 2 s.
      routesYaml(
        { order: services.order.service.url, dispatch: services.dispatch.service.url, delivery: services.delivery.service.url },
        { responseTimeoutMs: 15_000 },
      ),
    );
    api = commandClient(gateway.url);
    apis = sameApiForAll(api);
  }, 120_000);
  afterAll(async () => {
    await gateway.close();
    await services.stop();
  });

  const post = (path: string, body: unknown, requestId: string) =>
    send(gateway.url, 'POST', path, {
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(body),
    });
  const dispatchBody = (orderId: string) => ({ orderId, pickup: { lat: 37.5, lng: 127 }, dropoff: { lat: 37.51, lng: 127.01 } });

  it("serves the command API at /openapi.json: the services' commands with the gateway's answers, valid OpenAPI 3.1 like each service's own", async () => {
    const documentOf = async (url: string) => (await send(url, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    const gatewayDocument = await documentOf(gateway.url);
    for (const document of [gatewayDocument, ...(await Promise.all([services.order, services.dispatch, services.delivery].map((s) => documentOf(s.service.url))))]) {
      expect(await openApiErrors(document)).toEqual([]);
    }
    // Commands only: the services' query GETs are not the gateway's.
    expect(Object.values(gatewayDocument.paths).flatMap((item) => Object.keys(item))).not.toContain('get');
    expect(Object.keys(gatewayDocument.paths)).toEqual(expect.arrayContaining(['/api/v1/orders', '/api/v1/dispatches', '/api/v1/deliveries/{deliveryId}/pickup']));
    const place = gatewayDocument.paths['/api/v1/orders']?.post;
    // The gateway's own answers beside the service's: rate limit, bad gateway, breaker, deadline.
    expect(Object.keys(place?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '408', '413', '415', '422', '429', '502', '503', '504']));
    expect(place?.responses['503']?.description).toEqual(expect.stringContaining('CIRCUIT_OPEN'));
    expect(place?.responses['503']?.description).toEqual(expect.stringContaining('DEPENDENCY_UNAVAILABLE'));
  });

  it('places an order through the gateway; OrderPlaced carries the request id', async () => {
    const answer = await post('/api/v1/orders', placeOrderBody({ customerId: 'customer-gw' }), 'gw-order-1');
    expect(answer.status).toBe(201);
    const { orderId } = answer.json() as { orderId: string };
    const [event] = await services.order.events.waitForEvents(orderId, 1);
    expect(event).toMatchObject({ eventType: 'OrderPlaced', correlationId: 'gw-order-1' });
  });

  it('requests a dispatch for an accepted order through the gateway', async () => {
    const orderId = await validJourney.acceptedOrder(apis);
    const answer = await post('/api/v1/dispatches', dispatchBody(orderId), 'gw-dispatch-1');
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({ status: 'REQUESTED', version: 1 });
    const { dispatchId } = answer.json() as { dispatchId: string };
    const [event] = await services.dispatch.events.waitForEvents(dispatchId, 1);
    expect(event).toMatchObject({ eventType: 'DispatchRequested', correlationId: 'gw-dispatch-1', payload: { orderId } });
  });

  it('starts a delivery through the gateway, and a forbidden transition stays a 409 problem', async () => {
    const dispatch = await validJourney.acceptedDispatch(apis, 'rider-1');
    const created = await post('/api/v1/deliveries', dispatch, 'gw-delivery-1');
    expect(created.status).toBe(201);
    const { deliveryId } = created.json() as { deliveryId: string };
    const completeTooEarly = await post(`/api/v1/deliveries/${deliveryId}/complete`, {}, 'gw-delivery-2');
    expect(completeTooEarly.status).toBe(409);
    expect(completeTooEarly.headers['content-type']).toContain('application/problem+json');
    expect(completeTooEarly.json()).toMatchObject({ status: 409, code: 'INVALID_TRANSITION' });
  });

  describe('rules across aggregates', () => {
    const expectRule = (answer: { status: number; body: Record<string, unknown> }, rule: string) => {
      expectProblem(answer as never, 409, 'RULE_VIOLATED');
      expect(answer.body.rule).toBe(rule);
    };

    it('RequestDispatch: refused for an unknown order (422), a PLACED or CANCELLED order, and a second open dispatch; accepted right after the acceptance and after a cancelled dispatch', async () => {
      expectProblem(await api.send('POST', '/api/v1/dispatches', dispatchBody('00000000-0000-4000-8000-000000000001')), 422, 'UNKNOWN_REFERENCE');

      const placed = (await api.send('POST', '/api/v1/orders', placeOrderBody())).body.orderId as string;
      expectRule(await api.send('POST', '/api/v1/dispatches', dispatchBody(placed)), 'ORDER_NOT_ACCEPTED');
      // Right after the acceptance answered, the owner knows it: no waiting for an event.
      expect((await api.send('POST', `/api/v1/orders/${placed}/accept`)).status).toBe(200);
      const first = await api.send('POST', '/api/v1/dispatches', dispatchBody(placed));
      expect(first.status).toBe(201);
      expectRule(await api.send('POST', '/api/v1/dispatches', dispatchBody(placed)), 'ORDER_HAS_OPEN_DISPATCH');
      expect((await api.send('POST', `/api/v1/dispatches/${first.body.dispatchId as string}/cancel`, { reason: 'no rider' })).status).toBe(200);
      expect((await api.send('POST', '/api/v1/dispatches', dispatchBody(placed))).status).toBe(201);

      const cancelled = await validJourney.acceptedOrder(apis);
      expect((await api.send('POST', `/api/v1/orders/${cancelled}/cancel`, { reason: 'changed my mind' })).status).toBe(200);
      expectRule(await api.send('POST', '/api/v1/dispatches', dispatchBody(cancelled)), 'ORDER_NOT_ACCEPTED');
    });

    it('RequestDispatch: concurrent requests for one order open exactly one dispatch', async () => {
      const orderId = await validJourney.acceptedOrder(apis);
      const answers = await Promise.all(Array.from({ length: 6 }, () => api.send('POST', '/api/v1/dispatches', dispatchBody(orderId))));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      for (const refused of answers.filter((a) => a.status !== 201)) expectRule(refused, 'ORDER_HAS_OPEN_DISPATCH');
    });

    it('CreateDelivery: refused for an unknown dispatch (422), another order, a REQUESTED dispatch, another rider, and a second delivery on the dispatch', async () => {
      const accepted = await validJourney.acceptedDispatch(apis, 'rider-1');
      const unknown = { ...accepted, dispatchId: '00000000-0000-4000-8000-000000000002' };
      expectProblem(await api.send('POST', '/api/v1/deliveries', unknown), 422, 'UNKNOWN_REFERENCE');
      const other = await validJourney.acceptedOrder(apis);
      expectRule(await api.send('POST', '/api/v1/deliveries', { ...accepted, orderId: other }), 'DISPATCH_OF_ANOTHER_ORDER');
      expectRule(await api.send('POST', '/api/v1/deliveries', { ...accepted, riderId: 'rider-2' }), 'RIDER_NOT_DISPATCHED');
      const requested = await validJourney.requestedDispatch(apis);
      expectRule(await api.send('POST', '/api/v1/deliveries', { ...requested, riderId: 'rider-1' }), 'DISPATCH_NOT_ACCEPTED');

      expect((await api.send('POST', '/api/v1/deliveries', accepted)).status).toBe(201);
      expectRule(await api.send('POST', '/api/v1/deliveries', accepted), 'DISPATCH_HAS_DELIVERY');
    });

    it('CancelOrder and CancelDispatch: refused once the delivery is picked up; a READY delivery is cancelled with them, and no pickup follows', async () => {
      const picked = await validJourney.readyDelivery(apis);
      expect((await api.send('POST', `/api/v1/deliveries/${picked.deliveryId}/pickup`)).status).toBe(200);
      expectRule(await api.send('POST', `/api/v1/orders/${picked.orderId}/cancel`, { reason: 'too late' }), 'DELIVERY_UNDER_WAY');
      expectRule(await api.send('POST', `/api/v1/dispatches/${picked.dispatchId}/cancel`, { reason: 'too late' }), 'DELIVERY_UNDER_WAY');

      const ready = await validJourney.readyDelivery(apis);
      expect((await api.send('POST', `/api/v1/orders/${ready.orderId}/cancel`, { reason: 'closed' })).body).toMatchObject({ status: 'CANCELLED' });
      expect((await services.delivery.api.get(`/api/v1/deliveries/${ready.deliveryId}`)).body).toMatchObject({ status: 'CANCELLED', version: 2 });
      expectProblem(await api.send('POST', `/api/v1/deliveries/${ready.deliveryId}/pickup`), 409, 'INVALID_TRANSITION');
      const [, cancelled] = await services.delivery.events.waitForEvents(ready.deliveryId, 2);
      expect(cancelled).toMatchObject({ eventType: 'DeliveryCancelled', payload: { orderId: ready.orderId, dispatchId: ready.dispatchId, reason: 'closed' } });

      const onDispatch = await validJourney.readyDelivery(apis);
      expect((await api.send('POST', `/api/v1/dispatches/${onDispatch.dispatchId}/cancel`, { reason: 'bike broke' })).status).toBe(200);
      expect((await services.delivery.api.get(`/api/v1/deliveries/${onDispatch.deliveryId}`)).body).toMatchObject({ status: 'CANCELLED' });
      const { orderId, dispatchId, riderId } = onDispatch;
      expectRule(await api.send('POST', '/api/v1/deliveries', { orderId, dispatchId, riderId }), 'DISPATCH_NOT_ACCEPTED');
    });

    it('reactions: a cancelled order\'s open dispatch is cancelled by the dispatch service, and a new one is refused', async () => {
      const { orderId, dispatchId } = await validJourney.requestedDispatch(apis);
      expect((await api.send('POST', `/api/v1/orders/${orderId}/cancel`, { reason: 'out of stock' })).status).toBe(200);
      await eventually(async () => (await services.dispatch.api.get(`/api/v1/dispatches/${dispatchId}`)).body.status === 'CANCELLED', {
        what: 'the reaction to cancel the open dispatch',
      });
      expect((await services.dispatch.api.get(`/api/v1/dispatches/${dispatchId}`)).body).toMatchObject({ version: 2 });
      expectRule(await api.send('POST', '/api/v1/dispatches', dispatchBody(orderId)), 'ORDER_NOT_ACCEPTED');
    });

    it('a cancel and a pickup sent together, many times: exactly one of the two succeeds every time', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 12; round++) {
        const journey = await validJourney.readyDelivery(apis);
        const [cancel, pickup] = await Promise.all([
          api.send('POST', `/api/v1/orders/${journey.orderId}/cancel`, { reason: `race ${round}` }),
          api.send('POST', `/api/v1/deliveries/${journey.deliveryId}/pickup`),
        ]);
        expect([cancel.status, pickup.status].sort()).toEqual([200, 409]);
        const order = (await services.order.api.get(`/api/v1/orders/${journey.orderId}`)).body;
        const delivery = (await services.delivery.api.get(`/api/v1/deliveries/${journey.deliveryId}`)).body;
        expect([order.status, delivery.status]).toEqual(cancel.status === 200 ? ['CANCELLED', 'CANCELLED'] : ['ACCEPTED', 'PICKED_UP']);
        outcomes.push(cancel.status === 200 ? 'cancelled' : 'picked up');
      }
      expect(outcomes).toHaveLength(12);
    });

    it('given the order service down when a dispatch is requested then 503 DEPENDENCY_UNAVAILABLE passes through and the dispatch route breaker stays closed', async () => {
      const orderId = await validJourney.acceptedOrder(apis);
      await services.order.service.close();
      for (let i = 0; i < 8; i++) {
        const answer = await api.send('POST', '/api/v1/dispatches', dispatchBody(orderId));
        expectProblem(answer, 503, 'DEPENDENCY_UNAVAILABLE');
        expect(answer.headers.get('x-dependency-unavailable')).toBe('order');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      expect(await gateway.metric('circuit_breaker_state', { breaker: 'dispatches' })).toBe(0);
      // The dispatch service itself still answers what needs no other service.
      expectProblem(await api.send('POST', '/api/v1/dispatches/00000000-0000-4000-8000-000000000003/accept', { riderId: 'r' }), 404, 'NOT_FOUND');
      await services.order.startInstance({ port: Number(new URL(services.order.service.url).port) });
      await eventually(async () => (await api.send('POST', '/api/v1/dispatches', dispatchBody(orderId))).status === 201, {
        what: 'a dispatch once the order service is back',
      });
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrderBody, serviceUnderTest, type ServiceUnderTest } from '@delivery/test-support';
import { startDeliveryService } from '@delivery/delivery-service';
import { startDispatchService } from '@delivery/dispatch-service';
import { startOrderService } from '@delivery/order-service';
import { send } from './support/send.ts';
import { routesYaml, startTestGateway, type TestGateway } from './support/testGateway.ts';

// The gateway in front of the three real write services (real MariaDB and Kafka): a
// command of each reaches its service, answers pass through unchanged, and the request id
// the client sent becomes the event's correlationId.
describe('gateway in front of the real write services', () => {
  let order: ServiceUnderTest;
  let dispatch: ServiceUnderTest;
  let delivery: ServiceUnderTest;
  let gateway: TestGateway;

  beforeAll(async () => {
    [order, dispatch, delivery] = await Promise.all([
      serviceUnderTest(startOrderService, 'order'),
      serviceUnderTest(startDispatchService, 'dispatch'),
      serviceUnderTest(startDeliveryService, 'delivery'),
    ]);
    gateway = await startTestGateway(
      routesYaml({ order: order.service.url, dispatch: dispatch.service.url, delivery: delivery.service.url }),
    );
  }, 120_000);
  afterAll(async () => {
    await gateway.close();
    await Promise.all([order.stop(), dispatch.stop(), delivery.stop()]);
  });

  const post = (path: string, body: unknown, requestId: string) =>
    send(gateway.url, 'POST', path, {
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(body),
    });

  it('places an order through the gateway; OrderPlaced carries the request id', async () => {
    const answer = await post('/api/v1/orders', placeOrderBody({ customerId: 'customer-gw' }), 'gw-order-1');
    expect(answer.status).toBe(201);
    const { orderId } = answer.json() as { orderId: string };
    const [event] = await order.events.waitForEvents(orderId, 1);
    expect(event).toMatchObject({ eventType: 'OrderPlaced', correlationId: 'gw-order-1' });
  });

  it('requests a dispatch through the gateway', async () => {
    const orderId = '5b0f6d3e-8a61-4c2e-9f1d-2a3b4c5d6e7f';
    const answer = await post(
      '/api/v1/dispatches',
      { orderId, pickup: { lat: 37.5, lng: 127 }, dropoff: { lat: 37.51, lng: 127.01 } },
      'gw-dispatch-1',
    );
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({ status: 'REQUESTED', version: 1 });
    const { dispatchId } = answer.json() as { dispatchId: string };
    const [event] = await dispatch.events.waitForEvents(dispatchId, 1);
    expect(event).toMatchObject({ eventType: 'DispatchRequested', correlationId: 'gw-dispatch-1', payload: { orderId } });
  });

  it('starts a delivery through the gateway, and a forbidden transition stays a 409 problem', async () => {
    const created = await post(
      '/api/v1/deliveries',
      { orderId: '6c1f7e4f-9b72-4d3f-8a2e-3b4c5d6e7f80', dispatchId: '7d2a8f50-ac83-4e4a-9b3f-4c5d6e7f8091', riderId: 'rider-1' },
      'gw-delivery-1',
    );
    expect(created.status).toBe(201);
    const { deliveryId } = created.json() as { deliveryId: string };
    const completeTooEarly = await post(`/api/v1/deliveries/${deliveryId}/complete`, {}, 'gw-delivery-2');
    expect(completeTooEarly.status).toBe(409);
    expect(completeTooEarly.headers['content-type']).toContain('application/problem+json');
    expect(completeTooEarly.json()).toMatchObject({ status: 409 });
  });
});

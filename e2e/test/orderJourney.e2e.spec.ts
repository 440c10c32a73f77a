import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Platform } from '@delivery/infra';
import { commandClient } from '@delivery/test-support';
import { command, idOf, newCustomerOrder, viewEventually, type Surfaces } from './support/orderJourney.ts';
import { startWholeSystem } from './support/wholeSystem.ts';

describe('an order through the whole platform', () => {
  let platform: Platform;
  let surfaces: Surfaces;

  beforeAll(async () => {
    platform = await startWholeSystem('journey');
    surfaces = { gateway: platform.urls.GATEWAY_URL!, readModel: platform.urls.READ_MODEL_URL! };
  }, 180_000);

  afterAll(async () => {
    await platform.stop();
  }, 60_000);

  it('goes from PLACED to DELIVERED, each stage visible in the read model', async () => {
    const placed = await command(surfaces, 'POST', '/api/v1/orders', newCustomerOrder());
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'PLACED', version: 1 });
    expect(placed.headers.get('x-request-id')).toBeTruthy();
    const orderId = idOf(placed, 'orderId');
    const orderPath = `/api/v1/orders/${orderId}`;

    const placedView = await viewEventually(surfaces, orderPath, (v) => v.stage === 'PLACED');
    expect(placedView).toMatchObject({ orderId, totalAmount: 21000 });

    await command(surfaces, 'POST', `${orderPath}/accept`);
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'ACCEPTED');

    const dispatch = await command(surfaces, 'POST', '/api/v1/dispatches', {
      orderId,
      pickup: { lat: 37.49, lng: 127.02 },
      dropoff: { lat: 37.5, lng: 127.03 },
    });
    const dispatchId = idOf(dispatch, 'dispatchId');
    await command(surfaces, 'POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-7' });
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'RIDER_ASSIGNED');

    const delivery = await command(surfaces, 'POST', '/api/v1/deliveries', { orderId, dispatchId, riderId: 'rider-7' });
    const deliveryId = idOf(delivery, 'deliveryId');
    await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/pickup`);
    await viewEventually(surfaces, orderPath, (v) => v.stage === 'PICKED_UP');

    await command(surfaces, 'PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.495, lng: 127.025 });
    const last = await command(surfaces, 'PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.499, lng: 127.029 });
    const completed = await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/complete`);
    expect(completed.body.version).toBe((last.body.version as number) + 1);

    const deliveredView = await viewEventually(surfaces, orderPath, (v) => v.stage === 'DELIVERED');
    expect(JSON.stringify(deliveredView)).toContain('37.499');
    const deliveryView = await viewEventually(surfaces, `/api/v1/deliveries/${deliveryId}`, (v) => v.status === 'DELIVERED');
    expect(deliveryView).toMatchObject({ deliveryId, location: { lat: 37.499, lng: 127.029 } });
    const dispatchView = await viewEventually(surfaces, `/api/v1/dispatches/${dispatchId}`, (v) => v.status === 'ACCEPTED');
    expect(dispatchView).toMatchObject({ dispatchId, riderId: 'rider-7' });

    const graphql = await commandClient(surfaces.readModel).send('POST', '/graphql', {
      query: 'query Journey($id: ID!) { order(orderId: $id) { stage delivery { deliveryId status location { lat lng } } } }',
      variables: { id: orderId },
    });
    expect(graphql.status).toBe(200);
    expect(graphql.body).toEqual({
      data: { order: { stage: 'DELIVERED', delivery: { deliveryId, status: 'DELIVERED', location: { lat: 37.499, lng: 127.029 } } } },
    });
  }, 180_000);

  it('answers a bad command through the gateway with the write service problem, unchanged', async () => {
    const res = await fetch(`${surfaces.gateway}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

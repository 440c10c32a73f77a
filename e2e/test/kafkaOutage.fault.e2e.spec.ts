import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startComponent, stopComponent, type Platform } from '@delivery/infra';
import { command, idOf, newCustomerOrder, viewEventually, type Surfaces } from './support/orderJourney.ts';
import { startWholeSystem } from './support/wholeSystem.ts';

// Stops the shared Kafka: runs alone (npm test runs *.fault.* suites one at a time).
describe('an order journey while Kafka is down', () => {
  let platform: Platform;
  let surfaces: Surfaces;

  beforeAll(async () => {
    platform = await startWholeSystem('kafka-outage');
    surfaces = { gateway: platform.urls.GATEWAY_URL!, readModel: platform.urls.READ_MODEL_URL! };
  }, 180_000);

  afterAll(async () => {
    await startComponent('kafka');
    await platform.stop();
  }, 120_000);

  it('accepts every command, and the views catch up once Kafka returns', async () => {
    await stopComponent('kafka');

    const placed = await command(surfaces, 'POST', '/api/v1/orders', newCustomerOrder());
    const orderId = idOf(placed, 'orderId');
    await command(surfaces, 'POST', `/api/v1/orders/${orderId}/accept`);
    const dispatch = await command(surfaces, 'POST', '/api/v1/dispatches', {
      orderId,
      pickup: { lat: 37.49, lng: 127.02 },
      dropoff: { lat: 37.5, lng: 127.03 },
    });
    const dispatchId = idOf(dispatch, 'dispatchId');
    await command(surfaces, 'POST', `/api/v1/dispatches/${dispatchId}/accept`, { riderId: 'rider-9' });
    const delivery = await command(surfaces, 'POST', '/api/v1/deliveries', { orderId, dispatchId, riderId: 'rider-9' });
    const deliveryId = idOf(delivery, 'deliveryId');
    await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/pickup`);
    await command(surfaces, 'PUT', `/api/v1/deliveries/${deliveryId}/location`, { lat: 37.4991, lng: 127.0291 });
    await command(surfaces, 'POST', `/api/v1/deliveries/${deliveryId}/complete`);

    await startComponent('kafka');

    const view = await viewEventually(surfaces, `/api/v1/orders/${orderId}`, (v) => v.stage === 'DELIVERED', 120_000);
    expect(JSON.stringify(view)).toContain('37.4991');
    const deliveryView = await viewEventually(surfaces, `/api/v1/deliveries/${deliveryId}`, (v) => v.status === 'DELIVERED');
    expect(deliveryView).toMatchObject({ location: { lat: 37.4991, lng: 127.0291 } });
  }, 240_000);
});

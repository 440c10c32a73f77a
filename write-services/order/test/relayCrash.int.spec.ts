import { DEFAULT_RELAY_SETTINGS } from '@delivery/command-kit';
import { serviceUnderTest, type ServiceUnderTest } from '@delivery/command-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderService } from '../src/index.ts';

const placeBody = {
  customerId: 'customer-crash',
  storeId: 'store-1',
  items: [{ menuId: 'm-1', name: 'Japchae', quantity: 1, unitPrice: 8000 }],
  deliveryAddress: { line: '4 Itaewon-ro, Seoul', lat: 37.53, lng: 126.99 },
};

describe('order service when its relay crashes between publish and mark-sent', () => {
  let sut: ServiceUnderTest;
  const outbox = { ...DEFAULT_RELAY_SETTINGS, pollIntervalMs: 100, leaseMs: 1500 };

  beforeAll(async () => {
    sut = await serviceUnderTest(startOrderService, 'order', { outbox, faults: { crashAfterPublish: true } });
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('given the crashed relay when another instance takes the lease over then the event comes twice and nothing is lost', async () => {
    const placed = await sut.api.send('POST', '/api/v1/orders', placeBody);
    const orderId = placed.body.orderId as string;
    await sut.events.waitForEvents(orderId, 1);
    await sut.events.waitUntil(() => sut.service.relay.state === 'crashed', 10_000, () => 'the relay to crash');

    // Commands still commit; their events wait in the outbox.
    expect((await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`)).status).toBe(200);

    await sut.startInstance({ faults: {} }); // takes over once the crashed relay's lease expires
    await sut.events.waitUntil(
      () => sut.events.eventsOf(orderId).some((e) => e.version === 2),
      20_000,
      () => 'OrderAccepted after the takeover',
    );
    const versions = sut.events.eventsOf(orderId).map((e) => e.version);
    expect(versions.filter((v) => v === 1).length).toBeGreaterThanOrEqual(2); // published, not marked: sent again
    expect(versions.filter((v, i) => versions.indexOf(v) === i)).toEqual([1, 2]);
    expect(versions.lastIndexOf(1)).toBeLessThan(versions.indexOf(2));
  });
});

import { DEFAULT_RELAY_SETTINGS } from '@delivery/command-kit';
import { eventually, placeOrderBody, serviceUnderTest, type ServiceUnderTest } from '@delivery/test-support';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderService } from '../src/index.ts';

const placeBody = placeOrderBody({ customerId: 'customer-crash' });

describe('order service when its relay crashes between publish and mark-sent', () => {
  let sut: ServiceUnderTest;
  const outbox = { ...DEFAULT_RELAY_SETTINGS, pollIntervalMs: 100, leaseMs: 1500 };

  beforeAll(async () => {
    sut = await serviceUnderTest(startOrderService, 'order', { outbox }, { relay: { crashAfterPublish: 'stop-relay' } });
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('given the crashed relay when another instance takes the lease over then the event comes twice and nothing is lost', async () => {
    const placed = await sut.api.send('POST', '/api/v1/orders', placeBody);
    const orderId = placed.body.orderId as string;
    await sut.events.waitForEvents(orderId, 1);
    await eventually(() => sut.service.relay.state === 'crashed', { timeoutMs: 10_000, what: 'the relay to crash' });

    // Commands still commit; their events wait in the outbox.
    expect((await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`)).status).toBe(200);

    await sut.startInstance(); // no seams: takes over once the crashed relay's lease expires
    await eventually(() => sut.events.eventsOf(orderId).some((e) => e.version === 2), {
      timeoutMs: 20_000,
      what: 'OrderAccepted after the takeover',
    });
    const versions = sut.events.eventsOf(orderId).map((e) => e.version);
    expect(versions.filter((v) => v === 1).length).toBeGreaterThanOrEqual(2); // published, not marked: sent again
    expect(versions.filter((v, i) => versions.indexOf(v) === i)).toEqual([1, 2]);
    expect(versions.lastIndexOf(1)).toBeLessThan(versions.indexOf(2));
    // Exactly: the crashed relay's one send, then the new leader's resend and OrderAccepted (the marker).
    expect(versions).toEqual([1, 1, 2]);
  });
});

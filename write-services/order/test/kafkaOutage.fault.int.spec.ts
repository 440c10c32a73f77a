import { DEFAULT_RELAY_SETTINGS } from '@delivery/command-kit';
import { EventTap, eventually, placeOrderBody, serviceUnderTest, type ServiceUnderTest, type TopicOffsets } from '@delivery/test-support';
import { EVENT_TOPICS } from '@delivery/contracts';
import { startComponent, stopComponent } from '@delivery/infra';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderService } from '../src/index.ts';

/**
 * Stops the shared Kafka (runs alone, after the other suites): commands must keep
 * succeeding on the outbox, and every event must arrive, in version order per order, once
 * Kafka is back.
 */
const placeBody = placeOrderBody({ customerId: 'customer-outage' });

describe('order service while Kafka is down', () => {
  let sut: ServiceUnderTest;
  let tap: EventTap | undefined;
  let from: TopicOffsets;

  beforeAll(async () => {
    sut = await serviceUnderTest(startOrderService, 'order', {
      outbox: { ...DEFAULT_RELAY_SETTINGS, retry: { ...DEFAULT_RELAY_SETTINGS.retry, maxDelayMs: 1000 } },
    });
    await sut.events.stop(); // this suite reads the topic after the outage instead
    from = await EventTap.endOffsets(EVENT_TOPICS.order);
  });
  afterAll(async () => {
    await startComponent('kafka'); // whatever happened above, leave Kafka running
    await tap?.stop();
    await sut.stop();
  }, 120_000);

  it('given Kafka stopped when N commands arrive then all succeed, and after Kafka returns all N events arrive in version order', async () => {
    await stopComponent('kafka');

    const orderIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const placed = await sut.api.send('POST', '/api/v1/orders', placeBody);
      expect(placed.status).toBe(201);
      const orderId = placed.body.orderId as string;
      orderIds.push(orderId);
      expect((await sut.api.send('PATCH', `/api/v1/orders/${orderId}`, { requestNote: `note ${i}` })).status).toBe(200);
      expect((await sut.api.send('POST', `/api/v1/orders/${orderId}/accept`)).status).toBe(200);
    }
    expect((await sut.api.get('/health/ready')).status).toBe(200);
    const duringOutage = (await sut.api.get('/metrics')).text;
    expect(duringOutage).toMatch(/outbox_backlog_events\{service="order-service"\} 15\b/);
    // It tried, failed, and waits to retry.
    await eventually(() => sut.service.relay.state === 'backoff', { timeoutMs: 30_000, what: 'the relay to back off' });

    await startComponent('kafka');
    tap = await EventTap.start(EVENT_TOPICS.order, { from });
    for (const orderId of orderIds) {
      const events = await tap.waitForEvents(orderId, 3, 60_000);
      expect(events.map((e) => [e.version, e.eventType])).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderUpdated'],
        [3, 'OrderAccepted'],
      ]);
    }
    expect(tap.violations).toEqual([]);
    const afterwards = (await sut.api.get('/metrics')).text;
    expect(afterwards).toMatch(/outbox_backlog_events\{service="order-service"\} 0\b/);
    expect(afterwards).toMatch(/outbox_publish_failures_total\{service="order-service"\} [1-9]/);
  }, 120_000);
});

import { DEFAULT_RELAY_SETTINGS } from '@delivery/command-kit';
import {
  EventTap,
  eventually,
  placeOrderBody,
  validJourney,
  writeServicesUnderTest,
  type ServiceUnderTest,
  type TopicOffsets,
  type WriteServicesUnderTest,
} from '@delivery/test-support';
import { startDeliveryService } from '@delivery/delivery-service';
import { startDispatchService } from '@delivery/dispatch-service';
import { EVENT_TOPICS } from '@delivery/contracts';
import { startComponent, stopComponent } from '@delivery/infra';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderService } from '../src/index.ts';

/**
 * Stops the shared Kafka (runs alone, after the other suites): commands must keep
 * succeeding on the outbox, every event must arrive, in version order per order, once
 * Kafka is back, and the reactions to them (a cancelled order's open dispatch) run once.
 */
const placeBody = placeOrderBody({ customerId: 'customer-outage' });

describe('order service while Kafka is down', () => {
  let services: WriteServicesUnderTest;
  let sut: ServiceUnderTest;
  let tap: EventTap | undefined;
  let from: TopicOffsets;

  beforeAll(async () => {
    services = await writeServicesUnderTest(
      { order: startOrderService, dispatch: startDispatchService, delivery: startDeliveryService },
      { outbox: { ...DEFAULT_RELAY_SETTINGS, retry: { ...DEFAULT_RELAY_SETTINGS.retry, maxDelayMs: 1000 } } },
    );
    sut = services.order;
    await sut.events.stop(); // this suite reads the topic after the outage instead
    from = await EventTap.endOffsets(EVENT_TOPICS.order);
  }, 120_000);
  afterAll(async () => {
    await startComponent('kafka'); // whatever happened above, leave Kafka running
    await tap?.stop();
    await services.stop();
  }, 120_000);

  it('given Kafka stopped when N commands arrive then all succeed, and after Kafka returns all N events arrive in version order', async () => {
    const apis = { order: services.order.api, dispatch: services.dispatch.api, delivery: services.delivery.api };
    const withDispatch = await validJourney.requestedDispatch(apis);
    await eventually(async () => (await sut.outbox()).every((row) => row.sent), { what: 'the outbox to be published before the outage' });
    await stopComponent('kafka');
    // Its OrderCancelled waits in the outbox with the others; the dispatch service reacts once it arrives.
    expect((await sut.api.send('POST', `/api/v1/orders/${withDispatch.orderId}/cancel`, { reason: 'kitchen fire' })).status).toBe(200);

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
    expect(duringOutage).toMatch(/outbox_backlog_events\{service="order-service"\} 16\b/);
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

    // The reaction ran once: the open dispatch is cancelled, with one DispatchCancelled.
    await eventually(async () => (await services.dispatch.api.get(`/api/v1/dispatches/${withDispatch.dispatchId}`)).body.status === 'CANCELLED', {
      timeoutMs: 60_000,
      what: 'the dispatch of the order cancelled during the outage to be cancelled',
    });
    const cancellations = (await services.dispatch.outbox()).filter(
      (row) => row.aggregateId === withDispatch.dispatchId && row.eventType === 'DispatchCancelled',
    );
    expect(cancellations.map((row) => [row.version, row.event.payload])).toEqual([[2, { orderId: withDispatch.orderId, status: 'CANCELLED', reason: 'kitchen fire' }]]);
  }, 120_000);
});
